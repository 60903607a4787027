"""The nightly reconciliation: each payee's daily bill from its provider, line by line against the
ledger. Every difference is listed for an admin (``reconciliation_difference``); a payment the bill
has and the ledger lacks (its notification never came) is repaired by asking the provider, and
listed as resolved. The providers' fees on the bill go into the ledger as fee entries.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import arrow
import asyncpg

from sojourn import db
from sojourn.config import Settings
from sojourn.payments import ledger, payees, repair
from sojourn.payments.providers import BillLine, ProviderRefused, ProviderUnavailable
from sojourn.payments.providers.registry import configured
from sojourn.payments.providers.registry import provider as provider_named
from sojourn.payments.refunds import keyring_for

log = logging.getLogger(__name__)
CHINA = "Asia/Shanghai"  # the providers' bills run from midnight to midnight Beijing time

LEDGER_SQL = """
SELECT e.kind, e.provider_ref, abs(e.amount_fen) AS amount_fen, e.booking, p.out_trade_no
FROM ledger_entry e LEFT JOIN payment p ON p.id = e.payment
WHERE e.payee = $1 AND e.provider = $2 AND e.kind IN ('payment', 'refund') AND e.occurred_at >= $3 AND e.occurred_at < $4
"""


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = arrow.get(day, tzinfo=CHINA)
    return start.to("UTC").datetime, start.shift(days=1).to("UTC").datetime


async def _difference(
    conn: asyncpg.Connection, provider: str, payee_id: int, day: dt.date, kind: str, ref: str, out_trade_no: str,
    bill: int | None, ours: int | None, now: dt.datetime, note: str = "", resolved: bool = False,
) -> bool:  # fmt: skip
    written = await conn.fetchval(
        "INSERT INTO reconciliation_difference (provider, payee, bill_date, kind, reference, out_trade_no, "
        "bill_amount_fen, ledger_amount_fen, found_at, resolved_at, note) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (provider, payee, bill_date, kind, reference) DO NOTHING RETURNING id",
        provider, payee_id, day, kind, ref[:64], out_trade_no[:64], bill, ours, now, now if resolved else None, note,
    )  # fmt: skip
    return written is not None


async def reconcile_payee(
    conn: asyncpg.Connection, payee: Any, day: dt.date, lines: list[BillLine], *, settings: Settings, now: dt.datetime
) -> int:
    """Compare one payee's bill with the ledger; returns the differences newly listed."""
    provider = payee["provider"]
    start, end = day_bounds(day)
    ours = {
        (row["kind"], row["provider_ref"]): row
        for row in await conn.fetch(LEDGER_SQL, payee["id"], provider, start, end)
    }
    theirs = {(line.kind, line.reference): line for line in lines}
    found = 0
    for key, line in theirs.items():
        entry = ours.get(key)
        if entry is None:
            note, resolved = "", False
            if line.kind == "payment":
                payment_id = await conn.fetchval(
                    "SELECT id FROM payment WHERE provider = $1 AND out_trade_no = $2", provider, line.out_trade_no
                )
                if payment_id is not None:
                    outcome = await repair.repair_payment(payment_id, settings=settings, now=now)
                    resolved = outcome.startswith("paid") or outcome == "already recorded"
                    note = f"query-and-repair: {outcome}"
            found += await _difference(
                conn, provider, payee["id"], day, "missing_in_ledger", line.reference, line.out_trade_no,
                line.amount_fen, None, now, note, resolved,
            )  # fmt: skip
        elif entry["amount_fen"] != line.amount_fen:
            found += await _difference(
                conn, provider, payee["id"], day, "amount_differs", line.reference, line.out_trade_no,
                line.amount_fen, entry["amount_fen"], now,
            )  # fmt: skip
        if line.fee_fen and entry is not None:
            await ledger.record_entry(
                conn, booking_id=ours[key]["booking"], payee_id=payee["id"], provider=provider, kind="fee",
                provider_ref=line.reference, amount_fen=line.fee_fen, occurred_at=end - dt.timedelta(microseconds=1),
            )  # fmt: skip
    for key, entry in ours.items():
        if key not in theirs:
            found += await _difference(
                conn, provider, payee["id"], day, "missing_in_bill", entry["provider_ref"], entry["out_trade_no"] or "",
                None, entry["amount_fen"], now,
            )  # fmt: skip
    return found


async def reconcile_day(day: dt.date, *, settings: Settings, now: dt.datetime) -> int:
    """Every active payee of every configured provider, for one Beijing day. Returns new differences."""
    keyring = keyring_for(settings)
    total = 0
    async with db.connection() as conn:
        for provider in configured(settings):
            client = provider_named(settings, provider)
            for payee in await conn.fetch("SELECT * FROM payee WHERE provider = $1 AND active ORDER BY id", provider):
                error, lines, found = "", [], 0
                try:
                    lines = await client.fetch_bill(payees.merchant_of(payee, keyring), day)
                    found = await reconcile_payee(conn, payee, day, lines, settings=settings, now=now)
                except (ProviderUnavailable, ProviderRefused) as problem:
                    error = str(problem)[:500]
                    log.warning(
                        "reconciliation %s payee %s %s: bill not fetched (%s)", provider, payee["id"], day, error
                    )
                await conn.execute(
                    "INSERT INTO reconciliation_run (provider, payee, bill_date, bill_lines, differences, error, ran_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (provider, payee, bill_date) DO UPDATE SET "
                    "bill_lines = EXCLUDED.bill_lines, differences = reconciliation_run.differences + EXCLUDED.differences, "
                    "error = EXCLUDED.error, ran_at = EXCLUDED.ran_at",
                    provider, payee["id"], day, len(lines), found, error, now,
                )  # fmt: skip
                total += found
    return total


async def reconcile_yesterday(*, now: dt.datetime, settings: Settings) -> int:
    """The nightly job: yesterday's bills (Beijing date), available from the morning after."""
    return await reconcile_day(arrow.get(now).to(CHINA).shift(days=-1).date(), settings=settings, now=now)


async def open_differences(conn: asyncpg.Connection) -> list[Any]:
    """What an admin must look at."""
    return await conn.fetch(
        "SELECT * FROM reconciliation_difference WHERE resolved_at IS NULL ORDER BY bill_date, provider, id"
    )
