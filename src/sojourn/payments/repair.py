"""Query and repair: ask the provider about an order when its notification never came, or the
server died between the provider's success and our commit. The answer is recorded by the same
functions a notification uses, so the booking ends paid exactly once whichever comes first.

The job looks at open payments past their expiry (or stuck while being created) and closes at the
provider what was not paid, so no order can be paid after Sojourn stopped expecting it.
"""

from __future__ import annotations

import datetime as dt
import logging

from sojourn import db
from sojourn.config import Settings
from sojourn.payments import hooks, payees, recording
from sojourn.payments.providers import ProviderRefused, ProviderUnavailable
from sojourn.payments.providers.registry import provider as provider_named
from sojourn.payments.refunds import keyring_for

log = logging.getLogger(__name__)

# A payment still "creating" this long after it was written lost its server between the two steps.
CREATING_GRACE = dt.timedelta(minutes=2)
BATCH = 100


async def repair_payment(payment_id: int, *, settings: Settings, now: dt.datetime) -> str:
    """Bring one payment in line with what its provider says. Returns what was done."""
    async with db.connection() as conn:
        payment = await conn.fetchrow("SELECT * FROM payment WHERE id = $1", payment_id)
        if payment is None or payment["status"] in ("failed",):
            return "nothing to repair"
        client = provider_named(settings, payment["provider"])
        merchant = await payees.merchant_for_payee(conn, payment["payee"], keyring_for(settings))
        try:
            state = await client.query(merchant, payment["out_trade_no"])
        except (ProviderUnavailable, ProviderRefused) as error:
            log.warning("payment %s: the provider could not be asked (%s)", payment["out_trade_no"], error)
            return "provider not reached"
        if state.status == "paid":
            if state.amount_fen != payment["amount_fen"]:
                log.error(
                    "payment %s: provider says %s fen paid, %s ordered",
                    payment["out_trade_no"],
                    state.amount_fen,
                    payment["amount_fen"],
                )
                return "amount differs: left for an admin"
            async with conn.transaction():
                await hooks.lock_base_of_payment(
                    conn, payment["provider"], payment["out_trade_no"], settings.lock_timeout_ms
                )
                locked = await recording.lock_payment(conn, payment["provider"], payment["out_trade_no"])
                return await recording.record_paid(
                    conn, locked, transaction_id=state.transaction_id, paid_at=state.paid_at, now=now
                )
        expired = payment["expires_at"] <= now or (
            payment["status"] == "creating" and payment["created_at"] + CREATING_GRACE <= now
        )
        if state.status == "pending" and not expired:
            return "still open"
        if state.status == "pending":
            try:
                await client.close(merchant, payment["out_trade_no"])
            except (ProviderUnavailable, ProviderRefused) as error:
                # Refused: it may have been paid this very moment; the next pass will see it.
                log.warning("payment %s: not closed (%s)", payment["out_trade_no"], error)
                return "not closed yet"
        if state.status in ("pending", "closed") or (state.status == "not_found" and expired):
            async with conn.transaction():
                locked = await recording.lock_payment(conn, payment["provider"], payment["out_trade_no"])
                if await recording.record_closed(conn, locked, now=now, reason=f"provider: {state.status}"):
                    return "closed"
        return "unchanged"


OPEN_SQL = """
SELECT id FROM payment
WHERE (status = 'pending' AND expires_at <= $1) OR (status = 'creating' AND created_at <= $2)
ORDER BY id LIMIT $3
"""


async def repair_open_payments(*, now: dt.datetime, settings: Settings) -> int:
    """The job: open payments past their time are asked about, recorded as paid or closed."""
    async with db.connection() as conn:
        ids = [row["id"] for row in await conn.fetch(OPEN_SQL, now, now - CREATING_GRACE, BATCH)]
    repaired = 0
    for payment_id in ids:
        try:
            outcome = await repair_payment(payment_id, settings=settings, now=now)
        except Exception:
            log.exception("payment %s: unexpected error while repairing", payment_id)
            continue
        repaired += outcome in ("paid", "closed") or outcome.startswith("paid")
    return repaired


async def close_open_payments(booking_id: int, *, settings: Settings, now: dt.datetime) -> None:
    """A cancelled booking's open payments are closed at their providers. One paid meanwhile is recorded
    (the booking no longer keeps money: it goes back in full); a provider out of reach is left to the
    repair job, which closes the payment once it runs out. Never raises: the cancellation stands."""
    async with db.connection() as conn:
        open_ids = [
            row["id"]
            for row in await conn.fetch("SELECT id FROM payment WHERE booking = $1 AND status = 'pending'", booking_id)
        ]
    for payment_id in open_ids:
        try:
            await _close_at_provider(payment_id, settings=settings, now=now)
        except Exception:  # the repair job will try again; the senior's cancellation must not fail for this
            log.exception("payment %s of cancelled booking %s: not closed now", payment_id, booking_id)


async def _close_at_provider(payment_id: int, *, settings: Settings, now: dt.datetime) -> None:
    async with db.connection() as conn:
        payment = await conn.fetchrow("SELECT * FROM payment WHERE id = $1", payment_id)
        if payment is None:
            return
        client = provider_named(settings, payment["provider"])
        merchant = await payees.merchant_for_payee(conn, payment["payee"], keyring_for(settings))
        try:
            await client.close(merchant, payment["out_trade_no"])
        except ProviderUnavailable as error:
            log.warning("payment %s: provider not reached to close it (%s)", payment["out_trade_no"], error)
            return
        except ProviderRefused:
            await repair_payment(payment_id, settings=settings, now=now)  # most likely paid just now
            return
        async with conn.transaction():
            locked = await recording.lock_payment(conn, payment["provider"], payment["out_trade_no"])
            await recording.record_closed(conn, locked, now=now, reason="booking cancelled")
