"""A provider's notification: verify → dedupe → check order, merchant and amount → ledger → paid →
the booking's hook. Whatever does not verify changes nothing and is answered with the provider's
failure format (it will retry; a forger gets nothing). What verifies but does not fit (an unknown
order, another merchant's, a wrong amount) is quarantined for an admin, changes nothing else, and
is acknowledged, since asking again would not make it fit. A replay is acknowledged and ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any

import asyncpg

from sojourn import db
from sojourn.config import Settings
from sojourn.errors import DomainError
from sojourn.payments import hooks, payees, recording, refund_outcomes
from sojourn.payments.providers import Acknowledgement, Notice, NotificationRejected
from sojourn.payments.providers.registry import provider as provider_named

log = logging.getLogger(__name__)


async def handle_notification(
    provider_name: str, headers: Mapping[str, str], body: bytes, *, settings: Settings, now: dt.datetime, ip: str = ""
) -> Acknowledgement:
    try:
        client = provider_named(settings, provider_name)
    except DomainError:
        log.warning("payment notification for %s, which is not configured (from %s)", provider_name, ip)
        return not_configured(provider_name)
    try:
        notice = client.parse_notification(headers, body, now=now)
    except NotificationRejected as error:
        log.warning("payment notification from %s refused (%s): %s", ip or "?", provider_name, error)
        return client.acknowledge(False, "签名验证失败")
    async with db.connection() as conn, conn.transaction():
        if notice.kind != "refund":  # a payment may confirm a booking: the base's lock first (lock rule)
            await hooks.lock_base_of_payment(conn, notice.provider, notice.out_trade_no, settings.lock_timeout_ms)
        row_id = await conn.fetchval(
            "INSERT INTO payment_notification (provider, notify_id, event_type, out_trade_no, out_refund_no, outcome, "
            "payload, received_at) VALUES ($1, $2, $3, $4, $5, 'processed', $6::jsonb, $7) "
            "ON CONFLICT (provider, notify_id) DO NOTHING RETURNING id",
            notice.provider,
            notice.notify_id[:64],
            notice.event_type[:40],
            notice.out_trade_no[:32],
            notice.out_refund_no[:64],
            json.dumps(dict(notice.payload), default=str, ensure_ascii=False),
            now,
        )
        if row_id is None:
            log.info("payment notification %s %s again: already handled", notice.provider, notice.notify_id)
            return client.acknowledge(True)
        if notice.kind == "refund":
            outcome, reason = await _apply_refund(conn, notice, now)
        else:
            outcome, reason = await _apply_payment(conn, notice, now)
        await conn.execute(
            "UPDATE payment_notification SET outcome = $2, reason = $3 WHERE id = $1", row_id, outcome, reason
        )
    level = logging.WARNING if outcome == "quarantined" else logging.INFO
    log.log(level, "payment notification %s %s: %s (%s)", notice.provider, notice.notify_id, outcome, reason)
    return client.acknowledge(True)


def not_configured(provider_name: str) -> Acknowledgement:
    """The provider's own failure answer, without its client (which cannot be built without settings)."""
    if provider_name == "wechat":
        return Acknowledgement(400, "application/json", b'{"code":"FAIL","message":"not configured"}')
    return Acknowledgement(400, "text/plain", b"fail")


async def _apply_payment(conn: asyncpg.Connection, notice: Notice, now: dt.datetime) -> tuple[str, str]:
    payment = await recording.lock_payment(conn, notice.provider, notice.out_trade_no)
    if payment is None:
        return "quarantined", f"no order {notice.out_trade_no!r} here"
    payee = await conn.fetchrow("SELECT * FROM payee WHERE id = $1", payment["payee"])
    if notice.merchant_ref and notice.merchant_ref != payees.merchant_ref(payee):
        return (
            "quarantined",
            f"order belongs to merchant {payees.merchant_ref(payee)}, notice names {notice.merchant_ref}",
        )
    if notice.status == "closed":
        closed = await recording.record_closed(conn, payment, now=now, reason="closed at the provider")
        return ("processed", "closed") if closed else ("ignored", f"closed, but it is {payment['status']} here")
    if notice.status != "paid":
        return "ignored", f"state {notice.event_type}"
    if notice.amount_fen != payment["amount_fen"]:
        return "quarantined", f"amount {notice.amount_fen} fen notified, {payment['amount_fen']} fen ordered"
    if payment["status"] == "paid":
        if payment["provider_transaction_id"] != notice.transaction_id:
            return (
                "quarantined",
                f"already paid by {payment['provider_transaction_id']}, notice says {notice.transaction_id}",
            )
        return "ignored", "already paid"
    return "processed", await recording.record_paid(
        conn, payment, transaction_id=notice.transaction_id, paid_at=notice.occurred_at, now=now
    )


async def _apply_refund(conn: asyncpg.Connection, notice: Notice, now: dt.datetime) -> tuple[str, str]:
    refund = await refund_outcomes.lock_refund(conn, notice.out_refund_no)
    if refund is None or refund["provider"] != notice.provider or refund["out_trade_no"] != notice.out_trade_no:
        return "quarantined", f"no refund {notice.out_refund_no!r} of order {notice.out_trade_no!r} here"
    if notice.status == "paid":
        if notice.amount_fen != refund["amount_fen"]:
            return "quarantined", f"refund of {notice.amount_fen} fen notified, {refund['amount_fen']} fen asked"
        return "processed", await refund_outcomes.record_refund_paid(
            conn, refund, refund_id=notice.refund_id, paid_at=notice.occurred_at, now=now
        )
    if notice.status == "failed":
        return "processed", await refund_outcomes.record_refund_failed(conn, refund, error=notice.event_type, now=now)
    return "ignored", f"state {notice.event_type}"


async def quarantined(conn: asyncpg.Connection) -> list[Any]:
    """Notifications an admin must look at."""
    return await conn.fetch(
        "SELECT * FROM payment_notification WHERE outcome = 'quarantined' AND resolved_at IS NULL ORDER BY received_at"
    )
