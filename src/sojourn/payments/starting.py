"""Starting a payment for the next amount a booking owes.

Two short transactions around the provider call, never one held open across it: first the
payment row is written ("creating", so no order ever exists only at the provider), then the
provider is asked, then the row gets its QR code or pay URL ("pending"). An open payment of the
same kind is handed out again instead of making a twin (a partial unique index makes twins
impossible); one of another provider or channel is closed at its provider first. With an
``Idempotency-Key`` the first answer is repeated.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

import arrow
import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bookings import idempotency, states
from sojourn.bookings.queries import fetch_booking
from sojourn.bookings.rows import BookingRow
from sojourn.config import Settings
from sojourn.errors import Busy, Conflict, InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.payments import payees, recording, repair
from sojourn.payments.providers import OrderRequest, ProviderRefused, ProviderUnavailable
from sojourn.payments.providers.registry import CHANNELS
from sojourn.payments.providers.registry import provider as provider_named
from sojourn.payments.refunds import keyring_for
from sojourn.payments.schemas import PaymentIn, PaymentOut

log = logging.getLogger(__name__)

PAYABLE_AFTER_HOLD = ("confirmed", "checked_in")


def new_trade_number(now: dt.datetime) -> str:
    return f"SJ{arrow.get(now).to('Asia/Shanghai').format('YYYYMMDD')}{secrets.token_hex(6).upper()}"


def payment_out(payment: Any, kind: str, jsapi_params: dict[str, str] | None = None) -> PaymentOut:
    return PaymentOut(
        id=payment["id"],
        status=payment["status"] if payment["status"] != "creating" else "pending",
        provider=payment["provider"],
        channel=payment["channel"],
        kind=kind,
        amount_fen=payment["amount_fen"],
        expires_at=payment["expires_at"],
        out_trade_no=payment["out_trade_no"],
        transaction_id=payment["provider_transaction_id"],
        paid_at=payment["paid_at"],
        code_url=payment["code_url"] or None,
        pay_url=payment["pay_url"] or None,
        jsapi_params=jsapi_params,
    )


def _unreachable() -> Busy:
    return Busy(
        _l("The payment service cannot be reached just now. Nothing was charged. Please try again in a minute."),
        retry_after=30,
        code="provider_unavailable",
    )


@dataclass
class Step:
    payment: Any = None  # the payment to hand out (reused or new)
    kind: str = ""
    new: bool = False
    to_close: Any = None  # an open payment of another kind: close it first


async def _next_step(
    conn: asyncpg.Connection,
    principal: Principal,
    booking: BookingRow,
    data: PaymentIn,
    settings: Settings,
    now: dt.datetime,
) -> Step:
    status = booking.status
    if states.has_run_out(status, booking.hold_expires_at, now):
        raise Conflict(
            _l("Your hold has run out and the beds were released. Please start the booking again."), code="hold_expired"
        )
    if status != "held" and status not in PAYABLE_AFTER_HOLD:
        raise Conflict(_l("This booking cannot be paid in its current state."), code="not_payable")
    instalments = await conn.fetch(
        "SELECT * FROM payment_instalment WHERE booking = $1 ORDER BY seq FOR UPDATE", booking.id
    )
    due = next((i for i in instalments if i["status"] in ("due", "pending", "overdue")), None)
    if due is None:
        raise Conflict(_l("Nothing is due for this booking now."), code="nothing_due")
    open_payment = await conn.fetchrow(
        "SELECT * FROM payment WHERE instalment = $1 AND status IN ('creating', 'pending') FOR UPDATE", due["id"]
    )
    if open_payment is not None:
        same = (open_payment["provider"], open_payment["channel"]) == (data.provider, data.channel)
        if open_payment["status"] == "creating":
            raise Busy(_l("Your payment is being prepared. Please try again in a moment."), retry_after=2)
        if same and data.channel != "jsapi" and open_payment["expires_at"] > now:
            return Step(payment=open_payment, kind=due["kind"])
        return Step(to_close=open_payment)
    payee = await payees.payee_for_base(conn, booking.base, data.provider)
    payment = await conn.fetchrow(
        "INSERT INTO payment (booking, instalment, payee, provider, channel, out_trade_no, amount_fen, expires_at, "
        "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
        booking.id,
        due["id"],
        payee["id"],
        data.provider,
        data.channel,
        new_trade_number(now),
        due["amount_fen"],
        now + dt.timedelta(minutes=settings.payment_minutes),
        principal.account_id,
        now,
    )
    await conn.execute("UPDATE payment_instalment SET status = 'pending' WHERE id = $1", due["id"])
    return Step(payment=payment, kind=due["kind"], new=True)


async def _close(conn: asyncpg.Connection, payment: Any, settings: Settings, now: dt.datetime) -> None:
    """Close an open payment at its provider before another is made; if it was paid meanwhile, record that."""
    client = provider_named(settings, payment["provider"])
    merchant = await payees.merchant_for_payee(conn, payment["payee"], keyring_for(settings))
    try:
        await client.close(merchant, payment["out_trade_no"])
    except ProviderUnavailable:
        raise _unreachable() from None
    except ProviderRefused:
        await repair.repair_payment(payment["id"], settings=settings, now=now)  # most likely paid just now
        return
    async with conn.transaction():
        locked = await recording.lock_payment(conn, payment["provider"], payment["out_trade_no"])
        await recording.record_closed(conn, locked, now=now, reason="replaced by another way of paying")


async def start_payment(
    principal: Principal,
    booking_id: int,
    data: PaymentIn,
    *,
    settings: Settings,
    now: dt.datetime,
    idempotency_key: str | None = None,
    client_ip: str = "",
) -> tuple[PaymentOut, bool]:
    """The payment for the next amount due, and whether this answer is a replay."""
    key = idempotency.check_key(idempotency_key)
    if data.channel not in CHANNELS[data.provider]:
        message = _l("Choose a way of paying that this provider offers.")
        raise InvalidInput(message, field_errors={"channel": message})
    if data.channel == "jsapi" and not data.openid:
        message = _l("Paying inside WeChat needs your WeChat account. Please open this page in WeChat.")
        raise InvalidInput(message, field_errors={"openid": message})
    client = provider_named(settings, data.provider)
    request = {"booking_id": booking_id, "provider": data.provider, "channel": data.channel, "openid": data.openid}
    scope = f"payment:{booking_id}"
    async with db.connection() as conn:
        booking = await fetch_booking(conn, principal, booking_id, policy.bookings_changeable)
        if key:
            replay = await idempotency.find(conn, principal.account_id, scope, key, idempotency.fingerprint(request))
            if replay:
                return msgspec.convert(replay.body, PaymentOut), True
        for _ in range(3):
            async with conn.transaction():
                step = await _next_step(conn, principal, booking, data, settings, now)
            if step.to_close is None:
                break
            await _close(conn, step.to_close, settings, now)
        else:
            raise _unreachable()
        payment, jsapi = step.payment, None
        if step.new:
            facts = await conn.fetchrow(
                "SELECT t.title_zh, t.title_en, bs.name_zh, bs.name_en FROM tour t JOIN base bs ON bs.id = t.base "
                "WHERE t.id = $1",
                booking.tour,
            )
            description = f"{pick(facts, 'name')} {pick(facts, 'title')} {booking.reference}"[:40]
            merchant = await payees.merchant_for_payee(conn, payment["payee"], keyring_for(settings))
            order = OrderRequest(
                out_trade_no=payment["out_trade_no"],
                amount_fen=payment["amount_fen"],
                description=description,
                channel=data.channel,
                expires_at=payment["expires_at"],
                notify_url=f"{settings.public_url}/api/v1/payments/notify/{data.provider}",
                return_url=f"{settings.public_url}/trips/{booking_id}",
                client_ip=client_ip or "127.0.0.1",
                openid=data.openid or "",
            )
            try:
                created = await client.create(merchant, order, now=now)
            except (ProviderUnavailable, ProviderRefused) as error:
                await _give_up(conn, payment, str(error), now)
                if isinstance(error, ProviderRefused):
                    log.error("payment %s refused by %s: %s", payment["out_trade_no"], data.provider, error)
                raise _unreachable() from None
            jsapi = created.jsapi_params or None
            async with conn.transaction():
                payment = await conn.fetchrow(
                    "UPDATE payment SET status = 'pending', code_url = $2, pay_url = $3, prepay_id = $4 "
                    "WHERE id = $1 AND status = 'creating' RETURNING *",
                    payment["id"],
                    created.code_url,
                    created.pay_url,
                    created.prepay_id,
                )
                if payment is None:
                    raise _unreachable()  # the repair job closed it meanwhile: start again
                out = payment_out(payment, step.kind, jsapi)
                if key:
                    await idempotency.remember(
                        conn,
                        principal.account_id,
                        scope,
                        key,
                        idempotency.fingerprint(request),
                        201,
                        msgspec.to_builtins(out),
                    )
            return out, False
        out = payment_out(payment, step.kind)
        if key:
            try:
                async with conn.transaction():
                    await idempotency.remember(
                        conn,
                        principal.account_id,
                        scope,
                        key,
                        idempotency.fingerprint(request),
                        201,
                        msgspec.to_builtins(out),
                    )
            except asyncpg.UniqueViolationError:
                pass  # a twin request with this key answered first: the same payment either way
        return out, False


async def _give_up(conn: asyncpg.Connection, payment: Any, error: str, now: dt.datetime) -> None:
    """The provider did not take the order: the senior never saw a code, so nothing can be paid on it."""
    async with conn.transaction():
        await conn.execute(
            "UPDATE payment SET status = 'failed', closed_at = $2, last_error = $3 WHERE id = $1 AND status = 'creating'",
            payment["id"],
            now,
            error[:500],
        )
        await conn.execute(
            "UPDATE payment_instalment SET status = 'due' WHERE id = $1 AND status = 'pending'", payment["instalment"]
        )
