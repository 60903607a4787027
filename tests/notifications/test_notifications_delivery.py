"""Outbox delivery: each message sent once in normal operation, retried with backoff, given up
after the last attempt, never taken by two runs at once, resent with the same key after a crash.

The SMS gateway is a real HTTP server on the loopback interface that records what it gets."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import replace

import pytest

from sojourn import db as database
from sojourn.notifications import outbox
from sojourn.notifications.channels import (
    EmailChannel,
    HttpSmsGateway,
    Outgoing,
    Recipient,
    SinkChannel,
    SmsChannel,
)
from sojourn.notifications.delivery import LEASE, deliver_outbox, idempotency_key, retry_delay
from sojourn.notifications.messages import RENDERERS, Message, render
from tests import factories

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)


class FakeGateway:
    """A loopback HTTP server answering POSTs with the next scripted status (then 200)."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay
        self.received: list[dict] = []
        self.server: asyncio.AbstractServer | None = None

    async def __aenter__(self) -> FakeGateway:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/sms"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            body = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))))
            if self.delay:
                await asyncio.sleep(self.delay)
            status = self.statuses.pop(0) if self.statuses else 200
            self.received.append({"headers": headers, "body": body, "status": status})
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".encode())
            await writer.drain()
        finally:
            writer.close()


async def traveller_account(login: str = "13800138000", locale: str = "zh_CN") -> int:
    account_id = await factories.account(login)
    async with database.connection() as conn:
        await conn.execute("UPDATE account SET locale = $2 WHERE id = $1", account_id, locale)
    return account_id


async def enqueue(account_id: int, kind: str = "booking_confirmed", key: str = "k1", **payload: object) -> int:
    body = {"booking_id": 1, "reference": "SJ-ABC234", "arrival": "2027-01-05", **payload}
    async with database.connection() as conn:
        await outbox.enqueue(conn, kind, account_id, body, dedupe_key=key, deliver_after=NOW - dt.timedelta(seconds=1))
        return await conn.fetchval("SELECT id FROM outbox_message WHERE dedupe_key = $1", key)


async def message_row(message_id: int) -> dict:
    async with database.connection() as conn:
        return dict(await conn.fetchrow("SELECT * FROM outbox_message WHERE id = $1", message_id))


def sms_settings(settings, url: str, **changes: object):
    return replace(settings, sms_gateway_url=url, sms_gateway_token="secret-token", **changes)


async def test_a_due_message_is_sent_once_in_the_accounts_language(db: None, settings, tmp_path):
    account_id = await traveller_account(locale="en")
    message_id = await enqueue(account_id)
    sink = tmp_path / "messages.jsonl"
    sink_settings = replace(settings, notification_sink=str(sink))
    assert await deliver_outbox(NOW, sink_settings) == 1
    assert await deliver_outbox(NOW + dt.timedelta(minutes=10), sink_settings) == 0
    lines = [json.loads(line) for line in sink.read_text().splitlines()]
    assert len(lines) == 1
    assert lines[0]["idempotency_key"] == f"sojourn-outbox-{message_id}"
    assert "SJ-ABC234" in lines[0]["body"] and "confirmed" in lines[0]["subject"]
    row = await message_row(message_id)
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] == NOW


async def test_a_message_not_yet_due_waits(db: None, settings, tmp_path):
    account_id = await traveller_account()
    async with database.connection() as conn:
        await outbox.enqueue(
            conn, "feedback_request", account_id, {}, dedupe_key="later", deliver_after=NOW + dt.timedelta(hours=1)
        )
    assert await deliver_outbox(NOW, replace(settings, notification_sink=str(tmp_path / "m"))) == 0


async def test_the_sms_gateway_gets_the_idempotency_key_the_token_and_chinese_text(db: None, settings):
    account_id = await traveller_account()
    message_id = await enqueue(account_id)
    async with FakeGateway() as gateway:
        assert await deliver_outbox(NOW, sms_settings(settings, gateway.url)) == 1
    [request] = gateway.received
    assert request["headers"]["idempotency-key"] == idempotency_key(message_id)
    assert request["headers"]["authorization"] == "Bearer secret-token"
    assert request["body"]["to"] == "13800138000"
    assert request["body"]["idempotency_key"] == idempotency_key(message_id)
    assert "SJ-ABC234" in request["body"]["text"] and request["body"]["text"].startswith("【旅居通 Sojourn】")


async def test_a_failing_gateway_is_retried_with_growing_delays_then_given_up(db: None, settings):
    account_id = await traveller_account()
    message_id = await enqueue(account_id)
    limited = sms_settings(settings, "", notification_max_attempts=3)
    async with FakeGateway(statuses=[503, 503, 503, 503]) as gateway:
        limited = replace(limited, sms_gateway_url=gateway.url)
        now = NOW
        assert await deliver_outbox(now, limited) == 0
        row = await message_row(message_id)
        assert row["status"] == "pending" and row["attempts"] == 1
        assert row["deliver_after"] == now + retry_delay(1) and "503" in row["last_error"]
        assert await deliver_outbox(now + dt.timedelta(seconds=10), limited) == 0  # not due yet
        now = row["deliver_after"]
        await deliver_outbox(now, limited)
        row = await message_row(message_id)
        assert row["attempts"] == 2 and row["deliver_after"] == now + retry_delay(2)
        assert retry_delay(2) == 2 * retry_delay(1)
        await deliver_outbox(row["deliver_after"], limited)
        row = await message_row(message_id)
        assert row["status"] == "failed" and row["attempts"] == 3
        await deliver_outbox(row["deliver_after"] + dt.timedelta(days=1), limited)
    assert len(gateway.received) == 3


async def test_a_refused_message_fails_at_once(db: None, settings):
    account_id = await traveller_account()
    message_id = await enqueue(account_id)
    async with FakeGateway(statuses=[400]) as gateway:
        await deliver_outbox(NOW, sms_settings(settings, gateway.url))
    row = await message_row(message_id)
    assert row["status"] == "failed" and row["attempts"] == 1 and len(gateway.received) == 1


async def test_concurrent_delivery_runs_never_send_a_message_twice(db: None, settings):
    account_id = await traveller_account()
    ids = [await enqueue(account_id, key=f"m{i}") for i in range(60)]
    async with FakeGateway(delay=0.01) as gateway:
        await asyncio.gather(*(deliver_outbox(NOW, sms_settings(settings, gateway.url)) for _ in range(4)))
    keys = [request["body"]["idempotency_key"] for request in gateway.received]
    assert sorted(keys) == sorted(idempotency_key(i) for i in ids)
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox_message WHERE status = 'sent'") == 60


async def test_a_message_left_sending_by_a_crashed_run_is_resent_with_the_same_key_after_its_lease(db: None, settings):
    account_id = await traveller_account()
    message_id = await enqueue(account_id)
    async with database.connection() as conn:  # what a run that died after claiming leaves behind
        await conn.execute(
            "UPDATE outbox_message SET status = 'sending', attempts = 1, deliver_after = $2 WHERE id = $1",
            message_id,
            NOW + LEASE,
        )
    async with FakeGateway() as gateway:
        assert await deliver_outbox(NOW + LEASE - dt.timedelta(seconds=1), sms_settings(settings, gateway.url)) == 0
        assert await deliver_outbox(NOW + LEASE, sms_settings(settings, gateway.url)) == 1
    assert [r["headers"]["idempotency-key"] for r in gateway.received] == [idempotency_key(message_id)]
    row = await message_row(message_id)
    assert row["status"] == "sent" and row["attempts"] == 2


async def test_disabled_accounts_get_nothing(db: None, settings, tmp_path):
    account_id = await traveller_account()
    message_id = await enqueue(account_id)
    async with database.connection() as conn:
        await conn.execute("UPDATE account SET status = 'disabled' WHERE id = $1", account_id)
    assert await deliver_outbox(NOW, replace(settings, notification_sink=str(tmp_path / "m"))) == 0
    assert (await message_row(message_id))["status"] == "failed"
    assert not (tmp_path / "m").exists()


async def test_email_goes_over_smtp_with_a_message_id_from_the_idempotency_key():
    received: list[bytes] = []

    async def smtp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 test ESMTP\r\n")
        while line := await reader.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                writer.write(b"250 test\r\n")
            elif command == "DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                received.append(await reader.readuntil(b"\r\n.\r\n"))
                writer.write(b"250 queued\r\n")
            elif command == "QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(smtp, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        channel = EmailChannel(f"smtp://127.0.0.1:{port}", "Sojourn <noreply@sojourn.example>", timeout=5)
        recipient = Recipient(1, "en", "Wang Xiulan", "wang@example.org", None)
        await channel.send(
            Outgoing("sojourn-outbox-7", "booking_confirmed", recipient, Message("Subject", "Body text"))
        )
    finally:
        server.close()
        await server.wait_closed()
    [mail] = received
    assert b"Message-ID: <sojourn-outbox-7@sojourn>" in mail and b"wang@example.org" in mail and b"Body text" in mail


def test_channels_are_chosen_by_what_the_account_has():
    from sojourn.notifications.channels import channel_for

    channels = [
        EmailChannel("smtp://mail.example", "x@example"),
        SmsChannel(HttpSmsGateway("http://sms.example")),
        SinkChannel("console"),
    ]
    assert channel_for(channels, Recipient(1, "zh_CN", "a", "a@example.org", "13800138000")).name == "email"
    assert channel_for(channels, Recipient(1, "zh_CN", "a", None, "13800138000")).name == "sms"
    email_and_sink = [channels[0], channels[2]]
    assert channel_for(email_and_sink, Recipient(1, "zh_CN", "a", None, "13800138000")).name == "sink"


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_every_kind_reads_in_english_and_names_the_booking(kind):
    payload = {
        "reference": "SJ-ABC234",
        "arrival": "2027-01-05",
        "departure": "2027-02-05",
        "due_on": "2026-12-29",
        "expires_at": "2026-12-02T04:00:00+00:00",
        "refund_fen": 125000,
        "travellers": [{"id": 1, "name": "王秀兰"}, {"id": 2, "name": "李建国"}],
        "traveller_name": "王秀兰",
        "title_zh": "三亚冬季候鸟康养",
        "title_en": "Sanya winter stay",
        "base_name_zh": "三亚候鸟康养基地",
        "base_name_en": "Sanya Migratory Care Base",
        "url": "https://sojourn.example/bookings/1",
        "stage": "soon",
    }
    english = render(kind, payload, "en", "https://sojourn.example")
    chinese = render(kind, payload, "zh_CN", "https://sojourn.example")
    assert english.subject and english.body and chinese.subject and chinese.body
    assert "%(" not in english.body and "%(" not in chinese.body
    if kind not in ("feedback_request",):
        assert "SJ-ABC234" in english.body and "SJ-ABC234" in chinese.body
    if "arrival" in english.body or kind in ("booking_confirmed", "departure_reminder"):
        assert "5 January 2027" in english.body and "2027年1月5日" in chinese.body
