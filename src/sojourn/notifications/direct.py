"""Sending one message right away, outside the outbox: one-time codes.

A code must never sit in a table in clear (the outbox keeps its payloads), and it is useless
after a few minutes, so it is handed to the configured channel at once (SMS for a mobile
number, e-mail for an address, the development sink otherwise). Callers run this after their
answer has gone out (a background task), so how long a gateway takes tells nobody whether an
account exists. A failure is logged; the person can ask for a new code.
"""

from __future__ import annotations

import logging
import secrets

from sojourn.config import Settings
from sojourn.notifications.channels import DeliveryFailed, Outgoing, Recipient, channel_for, configured_channels
from sojourn.notifications.messages import Message

log = logging.getLogger(__name__)


async def send_now(
    settings: Settings, *, kind: str, login_kind: str, login: str, locale: str, display_name: str, message: Message
) -> None:
    recipient = Recipient(
        account_id=0,
        locale=locale,
        display_name=display_name,
        email=login if login_kind == "email" else None,
        phone=login if login_kind == "phone" else None,
    )
    outgoing = Outgoing(f"sojourn-{kind}-{secrets.token_hex(8)}", kind, recipient, message)
    channel = channel_for(configured_channels(settings), recipient)
    try:
        await channel.send(outgoing)
    except DeliveryFailed as failed:
        log.warning("%s not delivered by %s: %s", kind, channel.name, failed)
