"""Where notifications go: e-mail over SMTP, text messages through an SMS gateway, or the
development sink (the console log or a file of JSON lines).

Each message carries an idempotency key (``sojourn-outbox-<id>``). A resend after a crash
reuses it: the SMS gateway receives it as the ``Idempotency-Key`` header and can drop the
duplicate; e-mail gets a ``Message-ID`` made from it, so mail programs show one message.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import httpx

from sojourn.config import Settings
from sojourn.notifications.messages import Message

log = logging.getLogger(__name__)
sink_log = logging.getLogger("sojourn.notifications.sink")

SEND_TIMEOUT_SECONDS = 30


class DeliveryFailed(Exception):
    """The channel did not take the message; trying again later may work."""


class PermanentFailure(DeliveryFailed):
    """The channel refused the message for good (bad address, rejected content): do not retry."""


@dataclass(frozen=True)
class Recipient:
    account_id: int
    locale: str
    display_name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Outgoing:
    idempotency_key: str
    kind: str
    recipient: Recipient
    message: Message


class Channel(Protocol):
    name: str

    def reaches(self, recipient: Recipient) -> bool: ...

    async def send(self, outgoing: Outgoing) -> None:
        """Hand the message over, or raise DeliveryFailed / PermanentFailure."""


class SmsGateway(Protocol):
    """A provider that sends one text message; it should drop a repeated idempotency key."""

    async def send_text(self, phone: str, text: str, idempotency_key: str) -> None: ...


class HttpSmsGateway:
    """POSTs ``{"to", "text", "idempotency_key"}`` as JSON to a configured URL.

    2xx is accepted; 4xx (but 408 and 429) is a permanent refusal; anything else, or no
    answer within the timeout, is retried later.
    """

    def __init__(self, url: str, token: str = "", timeout: float = 15) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout

    async def send_text(self, phone: str, text: str, idempotency_key: str) -> None:
        headers = {"Idempotency-Key": idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = {"to": phone, "text": text, "idempotency_key": idempotency_key}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                response = await http.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"SMS gateway unreachable: {error!r}") from error
        if response.is_success:
            return
        detail = f"SMS gateway answered {response.status_code}: {response.text[:200]}"
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            raise PermanentFailure(detail)
        raise DeliveryFailed(detail)


class SmsChannel:
    name = "sms"

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def reaches(self, recipient: Recipient) -> bool:
        return bool(recipient.phone)

    async def send(self, outgoing: Outgoing) -> None:
        # A text message has no subject line: it starts the text, the way people read it.
        text = f"【旅居通 Sojourn】{outgoing.message.subject}: {outgoing.message.body}"
        await self.gateway.send_text(outgoing.recipient.phone or "", text, outgoing.idempotency_key)


class EmailChannel:
    """SMTP with aiosmtplib: ``smtp://user:password@host:587`` (STARTTLS when offered) or
    ``smtps://...:465`` (TLS from the first byte)."""

    name = "email"

    def __init__(self, smtp_url: str, sender: str, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        parts = urlsplit(smtp_url)
        self.implicit_tls = parts.scheme == "smtps"
        self.hostname = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def reaches(self, recipient: Recipient) -> bool:
        return bool(recipient.email)

    def build(self, outgoing: Outgoing) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = formataddr((outgoing.recipient.display_name, outgoing.recipient.email or ""))
        message["Subject"] = outgoing.message.subject
        message["Message-ID"] = f"<{outgoing.idempotency_key}@sojourn>"
        message["X-Sojourn-Idempotency-Key"] = outgoing.idempotency_key
        message.set_content(outgoing.message.body)
        return message

    async def send(self, outgoing: Outgoing) -> None:
        import aiosmtplib

        try:
            await aiosmtplib.send(
                self.build(outgoing),
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.implicit_tls,
                start_tls=None if not self.implicit_tls else False,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"mail server refused the address: {error!r}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"mail server: {error!r}") from error


class SinkChannel:
    """For development and demos: ``console`` logs each message; a path appends JSON lines."""

    name = "sink"

    def __init__(self, target: str) -> None:
        self.target = target

    def reaches(self, recipient: Recipient) -> bool:
        return True

    async def send(self, outgoing: Outgoing) -> None:
        record = {
            "idempotency_key": outgoing.idempotency_key,
            "kind": outgoing.kind,
            "account_id": outgoing.recipient.account_id,
            "locale": outgoing.recipient.locale,
            "to": outgoing.recipient.email or outgoing.recipient.phone,
            "subject": outgoing.message.subject,
            "body": outgoing.message.body,
        }
        if self.target == "console":
            sink_log.info("notification %s", json.dumps(record, ensure_ascii=False))
            return
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            await asyncio.to_thread(_append, Path(self.target), line)
        except OSError as error:
            raise DeliveryFailed(f"cannot write to {self.target}: {error}") from error


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def configured_channels(settings: Settings) -> list[Channel]:
    """Channels in order of preference; the first that reaches the recipient is used.

    E-mail for accounts with an address (when SMTP is configured), then SMS for accounts
    with a mobile number (when a gateway is configured), then the sink for everyone else.
    """
    channels: list[Channel] = []
    if settings.smtp_url:
        channels.append(EmailChannel(settings.smtp_url, settings.mail_from))
    if settings.sms_gateway_url:
        channels.append(SmsChannel(HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token)))
    channels.append(SinkChannel(settings.notification_sink))
    return channels


def channel_for(channels: list[Channel], recipient: Recipient) -> Channel:
    return next(channel for channel in channels if channel.reaches(recipient))
