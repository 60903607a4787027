"""Recording what a provider says happened to a refund: paid, or failed. Shared by the
notification handler and the refund job, so that whichever learns it first writes it, exactly
once (row locks, the ledger's unique key), and later news changes nothing. (Payments:
``recording``, which schedules refunds and so sits above this module.)
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import asyncpg

from sojourn.notifications import outbox
from sojourn.payments import invoice_queue, ledger

log = logging.getLogger(__name__)


async def lock_refund(conn: asyncpg.Connection, out_refund_no: str) -> Any:
    return await conn.fetchrow(
        "SELECT r.*, p.provider, p.payee, p.out_trade_no FROM payment_refund r JOIN payment p ON p.id = r.payment "
        "WHERE r.out_refund_no = $1 FOR UPDATE OF r",
        out_refund_no,
    )


async def record_refund_paid(
    conn: asyncpg.Connection, refund: Any, *, refund_id: str, paid_at: dt.datetime | None, now: dt.datetime
) -> str:
    if refund["status"] == "paid":
        return "already recorded"
    paid_at = paid_at or now
    await conn.execute(
        "UPDATE payment_refund SET status = 'paid', provider_refund_id = $2, paid_at = $3, last_error = '' WHERE id = $1",
        refund["id"],
        refund_id,
        paid_at,
    )
    await ledger.record_entry(
        conn,
        booking_id=refund["booking"],
        payee_id=refund["payee"],
        provider=refund["provider"],
        kind="refund",
        provider_ref=refund_id,
        amount_fen=-refund["amount_fen"],
        occurred_at=paid_at,
        refund_id=refund["id"],
    )
    booking = await conn.fetchrow("SELECT account, reference FROM booking WHERE id = $1", refund["booking"])
    assert booking is not None  # payment_refund.booking is a foreign key
    await outbox.enqueue(  # she is told the money is back (退款已到账)
        conn,
        "refund_paid",
        booking["account"],
        {"booking_id": refund["booking"], "reference": booking["reference"], "refund_fen": refund["amount_fen"]},
        dedupe_key=f"refund_paid:{refund['id']}",
        deliver_after=now,
    )
    await invoice_queue.cancel_if_refunded_in_full(conn, refund["booking"], now=now)
    return "refund paid"


async def record_refund_failed(conn: asyncpg.Connection, refund: Any, *, error: str, now: dt.datetime) -> str:
    """The provider gave up on a refund it had accepted (WeChat ABNORMAL): an admin must act, no automatic retry
    (the money's whereabouts need a person: retrying could pay it twice)."""
    if refund["status"] in ("paid", "failed"):
        return "older news"
    await conn.execute(
        "UPDATE payment_refund SET status = 'failed', failed_at = $2, last_error = $3 WHERE id = $1",
        refund["id"],
        now,
        error,
    )
    log.error("refund %s failed at the provider (%s): an admin must act", refund["out_refund_no"], error)
    return "refund failed"
