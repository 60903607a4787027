"""Recording what a provider says happened to a payment: paid, or closed. Shared by the
notification handler and the query-and-repair path, so that whichever learns it first writes it,
exactly once (row locks, the ledger's unique key), and later news of the same thing, or of an
older state, changes nothing. What happened to a refund: ``refund_outcomes``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import asyncpg

from sojourn.payments import hooks, ledger, refunds

log = logging.getLogger(__name__)


async def lock_payment(conn: asyncpg.Connection, provider: str, out_trade_no: str) -> Any:
    return await conn.fetchrow(
        "SELECT * FROM payment WHERE provider = $1 AND out_trade_no = $2 FOR UPDATE", provider, out_trade_no
    )


async def record_paid(
    conn: asyncpg.Connection, payment: Any, *, transaction_id: str, paid_at: dt.datetime | None, now: dt.datetime
) -> str:
    """Mark ``payment`` (row-locked by the caller) paid and book the money. Returns what was done."""
    if payment["status"] == "paid":
        return "already recorded"
    paid_at = paid_at or now
    await conn.execute(
        "UPDATE payment SET status = 'paid', provider_transaction_id = $2, paid_at = $3, last_error = '' WHERE id = $1",
        payment["id"],
        transaction_id,
        paid_at,
    )
    await ledger.record_entry(
        conn,
        booking_id=payment["booking"],
        payee_id=payment["payee"],
        provider=payment["provider"],
        kind="payment",
        provider_ref=transaction_id,
        amount_fen=payment["amount_fen"],
        occurred_at=paid_at,
        payment_id=payment["id"],
    )
    instalment = await conn.fetchrow("SELECT * FROM payment_instalment WHERE id = $1 FOR UPDATE", payment["instalment"])
    assert instalment is not None  # payment.instalment is a foreign key
    if instalment["status"] == "paid":
        # Paid twice (two open orders both paid, or paid just as it was closed): the second goes back.
        await refunds.schedule_payment_refund(
            conn, payment, payment["amount_fen"], reason="paid_twice", not_before=now, now=now
        )
        return "paid twice: refunded"
    await conn.execute(
        "UPDATE payment_instalment SET status = 'paid', paid_at = $2 WHERE id = $1", instalment["id"], paid_at
    )
    if instalment["seq"] == 1 and not await hooks.on_first_payment(conn, payment["booking"], now):
        await refunds.schedule_payment_refund(
            conn, payment, payment["amount_fen"], reason="hold_lapsed", not_before=now, now=now
        )
        await conn.execute("UPDATE payment_instalment SET status = 'waived' WHERE id = $1", instalment["id"])
        return "paid after the hold lapsed: refunded"
    return "paid"


async def record_closed(conn: asyncpg.Connection, payment: Any, *, now: dt.datetime, reason: str = "") -> bool:
    """An open payment that can no longer be paid: closed, and its instalment due again."""
    if payment["status"] not in ("creating", "pending"):
        return False
    await conn.execute(
        "UPDATE payment SET status = 'closed', closed_at = $2, last_error = $3 WHERE id = $1",
        payment["id"],
        now,
        reason,
    )
    await conn.execute(
        "UPDATE payment_instalment SET status = 'due' WHERE id = $1 AND status = 'pending'", payment["instalment"]
    )
    return True
