"""The ledger: money that moved, one entry per provider transaction or refund (a unique key makes
every replay harmless), and the check that each booking's money adds up.

The invariant, per booking: paid − refunded − refunds still owed (scheduled, processing, failed)
equals what the booking keeps: the paid instalments of a live booking, what the cancellation
policy keeps of a cancelled one, nothing for a hold that lapsed. And the ledger agrees with the
payments and refunds recorded as paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg

from sojourn import db

LIVE = ("confirmed", "checked_in", "checked_out", "no_show")


async def record_entry(
    conn: asyncpg.Connection,
    *,
    booking_id: int,
    payee_id: int,
    provider: str,
    kind: str,
    provider_ref: str,
    amount_fen: int,
    occurred_at: dt.datetime,
    payment_id: int | None = None,
    refund_id: int | None = None,
) -> bool:
    """Write the entry unless this provider id is already in the ledger; True if written."""
    written = await conn.fetchval(
        """INSERT INTO ledger_entry (booking, base, member, payee, payment, refund, provider, kind, provider_ref,
                                     amount_fen, occurred_at)
           SELECT b.id, b.base, bs.member, $2, $3, $4, $5, $6, $7, $8, $9
           FROM booking b JOIN base bs ON bs.id = b.base WHERE b.id = $1
           ON CONFLICT (provider, kind, provider_ref) DO NOTHING RETURNING id""",
        booking_id,
        payee_id,
        payment_id,
        refund_id,
        provider,
        kind,
        provider_ref,
        amount_fen,
        occurred_at,
    )
    return written is not None


@dataclass(frozen=True)
class Imbalance:
    booking_id: int
    problem: str
    figures: dict[str, int]


FIGURES_SQL = """
SELECT b.id, b.status, b.hold_expires_at, b.total_fen, b.refund_fen,
  coalesce((SELECT sum(amount_fen) FROM ledger_entry e WHERE e.booking = b.id AND e.kind = 'payment'), 0)::bigint AS ledger_paid,
  coalesce((SELECT -sum(amount_fen) FROM ledger_entry e WHERE e.booking = b.id AND e.kind = 'refund'), 0)::bigint AS ledger_refunded,
  coalesce((SELECT sum(amount_fen) FROM payment p WHERE p.booking = b.id AND p.status = 'paid'), 0)::bigint AS payments_paid,
  coalesce((SELECT sum(amount_fen) FROM payment_refund r WHERE r.booking = b.id AND r.status = 'paid'), 0)::bigint AS refunds_paid,
  coalesce((SELECT sum(amount_fen) FROM payment_refund r WHERE r.booking = b.id
            AND r.status IN ('scheduled', 'processing', 'failed')), 0)::bigint AS refunds_owed,
  coalesce((SELECT sum(amount_fen) FROM payment_instalment i WHERE i.booking = b.id AND i.status = 'paid'), 0)::bigint
    AS instalments_paid
FROM booking b
WHERE EXISTS (SELECT 1 FROM payment p WHERE p.booking = b.id) AND ($1::int[] IS NULL OR b.id = ANY($1::int[]))
ORDER BY b.id
"""


def kept_by(row: Any, now: dt.datetime) -> int:
    """What the booking may keep of the money paid, by its state."""
    status = row["status"]
    if status == "held" and row["hold_expires_at"] > now:
        return row["instalments_paid"]
    if status in LIVE:
        return row["instalments_paid"]
    if status == "cancelled":
        return max(row["ledger_paid"] - (row["refund_fen"] or 0), 0)
    return 0  # expired, or held past its expiry: nothing was bought


def imbalances_in(rows: list[Any], now: dt.datetime) -> list[Imbalance]:
    found: list[Imbalance] = []
    for row in rows:
        figures = {
            key: int(row[key])
            for key in (
                "ledger_paid",
                "ledger_refunded",
                "payments_paid",
                "refunds_paid",
                "refunds_owed",
                "instalments_paid",
            )
        }
        if row["ledger_paid"] != row["payments_paid"]:
            found.append(Imbalance(row["id"], "ledger payments differ from payments recorded as paid", figures))
        if row["ledger_refunded"] != row["refunds_paid"]:
            found.append(Imbalance(row["id"], "ledger refunds differ from refunds recorded as paid", figures))
        keeps = kept_by(row, now)
        held = row["ledger_paid"] - row["ledger_refunded"] - row["refunds_owed"]
        if held != keeps:
            found.append(
                Imbalance(row["id"], f"holds {held} fen but may keep {keeps} fen", {**figures, "keeps": keeps})
            )
    return found


async def check_bookings(
    conn: asyncpg.Connection, booking_ids: list[int] | None, *, now: dt.datetime
) -> list[Imbalance]:
    return imbalances_in(await conn.fetch(FIGURES_SQL, booking_ids), now)


async def check_ledger(*, now: dt.datetime, settings: Any = None) -> list[Imbalance]:
    """Every booking that ever had a payment (the nightly check, and tests after each money test)."""
    async with db.connection() as conn:
        return await check_bookings(conn, None, now=now)
