"""Refunds: paid out through the provider and merchant that took the money, after the undo window
(``not_before``), retried with growing delays when the provider says no or cannot be reached, and
left for an admin when retries run out or the provider gives up (never silently lost).

Each refund keeps one ``out_refund_no`` for all its attempts: the providers treat a repeat of the
same number as the same refund, so a retry after an unknown outcome can never pay twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from functools import lru_cache
from typing import Any

import arrow
import asyncpg

from sojourn import db
from sojourn.audit import services as audit
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.payments import payees, refund_outcomes
from sojourn.payments.providers import ProviderRefused, ProviderUnavailable, RefundRequest
from sojourn.payments.providers.registry import provider as provider_named

log = logging.getLogger(__name__)

BACKOFF_MINUTES = (1, 5, 15, 60, 240, 720)
CHECK_PROCESSING_AFTER = dt.timedelta(minutes=1)
BATCH = 100


@lru_cache(maxsize=4)
def keyring_for(settings: Settings) -> KeyRing:
    return KeyRing.from_settings(settings.encryption_keys, settings.secret_key)


def new_refund_number(now: dt.datetime) -> str:
    return f"SJR{arrow.get(now).to('Asia/Shanghai').format('YYYYMMDD')}{secrets.token_hex(6).upper()}"


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1])


async def schedule_payment_refund(
    conn: asyncpg.Connection, payment: Any, amount_fen: int, *, reason: str, not_before: dt.datetime, now: dt.datetime
) -> int:
    return await conn.fetchval(
        "INSERT INTO payment_refund (booking, payment, out_refund_no, amount_fen, reason, not_before, next_attempt_at, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
        payment["booking"],
        payment["id"],
        new_refund_number(now),
        amount_fen,
        reason,
        not_before,
        now,
    )


async def schedule_refund(
    conn: asyncpg.Connection,
    booking_id: int,
    amount_fen: int,
    *,
    reason: str,
    not_before: dt.datetime,
    now: dt.datetime,
) -> list[int]:
    """Give ``amount_fen`` back, taken from the booking's paid payments, newest first, each at most what
    is left of it. Phase B calls this when a cancellation is made, with ``not_before`` at the end of the
    undo window. Returns the refunds made (none if nothing was paid)."""
    payments = await conn.fetch(
        """SELECT p.*, p.amount_fen - coalesce((SELECT sum(r.amount_fen) FROM payment_refund r
                                                WHERE r.payment = p.id AND r.status <> 'cancelled'), 0) AS refundable
           FROM payment p WHERE p.booking = $1 AND p.status = 'paid' ORDER BY p.paid_at DESC, p.id DESC FOR UPDATE OF p""",
        booking_id,
    )
    made, left = [], amount_fen
    for payment in payments:
        part = min(left, payment["refundable"])
        if part > 0:
            made.append(
                await schedule_payment_refund(conn, payment, part, reason=reason, not_before=not_before, now=now)
            )
            left -= part
    if left > 0:
        log.error("booking %s: %s fen to refund exceed what was paid and not yet refunded", booking_id, left)
    return made


async def cancel_scheduled_refunds(conn: asyncpg.Connection, booking_id: int) -> int:
    """A cancellation undone within its window: refunds not yet sent are called off (phase B: undo_cancel)."""
    status = await conn.execute(
        "UPDATE payment_refund SET status = 'cancelled' WHERE booking = $1 AND status = 'scheduled' AND attempts = 0",
        booking_id,
    )
    return int(status.split()[-1])


REFUND_SQL = """
SELECT r.*, p.provider, p.payee, p.out_trade_no, p.provider_transaction_id, p.amount_fen AS payment_fen
FROM payment_refund r JOIN payment p ON p.id = r.payment WHERE r.id = $1
"""

CLAIM_SQL = """
UPDATE payment_refund SET status = 'processing', attempts = attempts + 1, next_attempt_at = $2
WHERE id = $1 AND status = 'scheduled' AND not_before <= $3 AND next_attempt_at <= $3
RETURNING id
"""


async def attempt_refund(refund_id: int, *, settings: Settings, now: dt.datetime) -> str:
    """One step for one refund: send it (scheduled and due), or ask how it went (processing, checked again)."""

    keyring = keyring_for(settings)
    async with db.connection() as conn:
        refund = await conn.fetchrow(REFUND_SQL, refund_id)
        if refund is None:
            return "gone"
        client = provider_named(settings, refund["provider"])
        merchant = await payees.merchant_for_payee(conn, refund["payee"], keyring)
        if refund["status"] == "processing" and refund["next_attempt_at"] <= now:
            try:
                state = await client.query_refund(merchant, refund["out_refund_no"], refund["out_trade_no"])
            except (ProviderUnavailable, ProviderRefused) as error:
                return await _later(conn, refund, str(error), now)
            if state.status == "not_found":
                await conn.execute(
                    "UPDATE payment_refund SET status = 'scheduled', next_attempt_at = $2 WHERE id = $1 AND status = 'processing'",
                    refund_id,
                    now,
                )
                refund = await conn.fetchrow(REFUND_SQL, refund_id)
                assert refund is not None  # read above; refunds are never deleted
            else:
                return await _settle(conn, refund, state, now)
        async with conn.transaction():
            if await conn.fetchval(CLAIM_SQL, refund_id, now + CHECK_PROCESSING_AFTER, now) is None:
                return "not due"
        request = RefundRequest(
            out_refund_no=refund["out_refund_no"],
            out_trade_no=refund["out_trade_no"],
            transaction_id=refund["provider_transaction_id"],
            amount_fen=refund["amount_fen"],
            payment_total_fen=refund["payment_fen"],
            reason=_reasons.get(refund["reason"], "退款"),
            notify_url=f"{settings.public_url}/api/v1/payments/notify/{refund['provider']}",
        )
        try:
            state = await client.refund(merchant, request)
        except ProviderUnavailable as error:
            return await _later(conn, refund, str(error), now)  # outcome unknown: it stays processing, asked later
        except ProviderRefused as error:
            return await _refused(conn, refund, str(error), settings, now)
        if state.status == "failed":
            return await _refused(conn, refund, state.error, settings, now)
        return await _settle(conn, await conn.fetchrow(REFUND_SQL, refund_id), state, now)


_reasons = {"cancelled": "行程取消退款", "hold_lapsed": "预留已过期，款项退回", "paid_twice": "重复支付退款"}


async def _settle(conn: asyncpg.Connection, refund: Any, state: Any, now: dt.datetime) -> str:
    async with conn.transaction():
        locked = await refund_outcomes.lock_refund(conn, refund["out_refund_no"])
        if state.status == "paid":
            return await refund_outcomes.record_refund_paid(
                conn, locked, refund_id=state.refund_id, paid_at=state.finished_at, now=now
            )
        if state.status == "failed":
            return await refund_outcomes.record_refund_failed(
                conn, locked, error=state.error or "failed at the provider", now=now
            )
        await conn.execute(
            "UPDATE payment_refund SET next_attempt_at = $2 WHERE id = $1 AND status = 'processing'",
            refund["id"],
            now + CHECK_PROCESSING_AFTER,
        )
        return "processing"


async def _later(conn: asyncpg.Connection, refund: Any, error: str, now: dt.datetime) -> str:
    await conn.execute(
        "UPDATE payment_refund SET next_attempt_at = $2, last_error = $3 WHERE id = $1 AND status = 'processing'",
        refund["id"],
        now + backoff(refund["attempts"]),
        error[:500],
    )
    log.warning("refund %s: outcome unknown (%s); asking again later", refund["out_refund_no"], error)
    return "unknown"


async def _refused(conn: asyncpg.Connection, refund: Any, error: str, settings: Settings, now: dt.datetime) -> str:
    attempts = await conn.fetchval("SELECT attempts FROM payment_refund WHERE id = $1", refund["id"])
    if attempts < settings.refund_max_attempts:
        await conn.execute(
            "UPDATE payment_refund SET status = 'scheduled', next_attempt_at = $2, last_error = $3 WHERE id = $1",
            refund["id"],
            now + backoff(attempts),
            error[:500],
        )
        log.warning("refund %s refused (%s); attempt %s, retrying later", refund["out_refund_no"], error, attempts)
        return "retry later"
    async with conn.transaction():
        await conn.execute(
            "UPDATE payment_refund SET status = 'failed', failed_at = $2, last_error = $3 WHERE id = $1",
            refund["id"],
            now,
            error[:500],
        )
        await audit.record(
            "refund_failed",
            object_type="booking",
            object_id=refund["booking"],
            detail={"out_refund_no": refund["out_refund_no"], "amount_fen": refund["amount_fen"], "error": error[:200]},
            conn=conn,
            at=now,
        )
    log.error("refund %s failed after %s attempts (%s): an admin must act", refund["out_refund_no"], attempts, error)
    return "failed"


DUE_SQL = """
SELECT id FROM payment_refund
WHERE (status = 'scheduled' AND not_before <= $1 AND next_attempt_at <= $1) OR (status = 'processing' AND next_attempt_at <= $1)
ORDER BY next_attempt_at LIMIT $2
"""


async def pay_due_refunds(*, now: dt.datetime, settings: Settings) -> int:
    """The job: every refund that is due, or processing and due to be asked about. Returns how many were handled."""
    async with db.connection() as conn:
        due = [row["id"] for row in await conn.fetch(DUE_SQL, now, BATCH)]
    for refund_id in due:
        try:
            await attempt_refund(refund_id, settings=settings, now=now)
        except Exception:  # one refund's trouble must not stop the others
            log.exception("refund %s: unexpected error", refund_id)
    return len(due)


async def refunds_needing_attention(conn: asyncpg.Connection) -> list[Any]:
    """Failed refunds: the admins' list (each has its last error)."""
    return await conn.fetch(
        "SELECT r.*, p.provider, p.out_trade_no FROM payment_refund r JOIN payment p ON p.id = r.payment "
        "WHERE r.status = 'failed' ORDER BY r.failed_at"
    )
