"""Delivering the outbox: claim due messages, hand them to a channel, record the outcome.

The guarantee is *at least once, at most ``notification_max_attempts`` times, normally once*:

1. Claim, in one short transaction: due rows (``pending``, or ``sending`` whose lease ran
   out) are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent runs on any host never take
   the same row, and become ``sending`` with ``deliver_after`` = the lease's end and one more
   attempt counted. No lock or transaction is held while talking to the outside world.
2. Send, with the message's idempotency key (``sojourn-outbox-<id>``).
3. Record: ``sent`` (only if this run still holds the claim), or back to ``pending`` with an
   exponential backoff, or ``failed`` after the last attempt (logged).

Exactly once is impossible with an external channel that cannot be part of our transaction:
a process that dies after the gateway accepted a message and before step 3 leaves the row
``sending``; when its lease ends the message is sent again, with the same idempotency key,
which a gateway that honours keys drops. Marking ``sent`` before sending would turn that
into *at most once*: a crash would then lose a message. Losing a waiting-list offer is worse
than a rare duplicate, so we chose at least once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import dataclass

import asyncpg

from sojourn import db
from sojourn.config import Settings
from sojourn.db import rows
from sojourn.notifications.channels import (
    Channel,
    DeliveryFailed,
    Outgoing,
    PermanentFailure,
    Recipient,
    channel_for,
    configured_channels,
)
from sojourn.notifications.messages import render
from sojourn.notifications.rows import ClaimedMessage

log = logging.getLogger(__name__)

BATCH = 20
PARALLEL_SENDS = 10
# Longer than the slowest channel's timeout (30 s) times the sends one run makes in sequence.
LEASE = dt.timedelta(minutes=5)
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(hours=6)
# One run stops claiming after this long, so a scheduled run ends before the next one is due.
RUN_BUDGET_SECONDS = 45

CLAIM_SQL = """
WITH due AS (
    SELECT id FROM outbox_message
    WHERE status IN ('pending', 'sending') AND deliver_after <= $1
    ORDER BY deliver_after, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox_message m
SET status = 'sending', attempts = m.attempts + 1, deliver_after = $2
FROM due, account a
WHERE m.id = due.id AND a.id = m.account
RETURNING m.id, m.kind, m.payload, m.attempts, a.id AS account_id, a.locale, a.display_name,
          a.email, a.phone, a.status AS account_status
"""

SENT_SQL = """
UPDATE outbox_message SET status = 'sent', sent_at = $3, last_error = ''
WHERE id = $1 AND status = 'sending' AND attempts = $2
"""

RETRY_SQL = """
UPDATE outbox_message SET status = 'pending', deliver_after = $3, last_error = $4
WHERE id = $1 AND status = 'sending' AND attempts = $2
"""

FAILED_SQL = """
UPDATE outbox_message SET status = 'failed', last_error = $3
WHERE id = $1 AND status = 'sending' AND attempts = $2
"""


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __iadd__(self, other: DeliveryReport) -> DeliveryReport:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        return self


def idempotency_key(message_id: int) -> str:
    return f"sojourn-outbox-{message_id}"


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min ... at most 6 h: a short outage costs little, a long one no flood."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


async def claim(conn: asyncpg.Connection, now: dt.datetime, limit: int = BATCH) -> list[ClaimedMessage]:
    async with conn.transaction():
        return rows.rows(ClaimedMessage, await conn.fetch(CLAIM_SQL, now, now + LEASE, limit))


async def deliver_outbox(now: dt.datetime, settings: Settings, channels: list[Channel] | None = None) -> int:
    """Send every message that is due; returns how many were sent (a scheduled job)."""
    channels = channels if channels is not None else configured_channels(settings)
    report = DeliveryReport()
    started = asyncio.get_running_loop().time()
    while asyncio.get_running_loop().time() - started < RUN_BUDGET_SECONDS:
        async with db.connection() as conn:
            claimed = await claim(conn, now)
        if not claimed:
            break
        report += await _deliver_batch(claimed, now, settings, channels)
    if report.sent or report.retried or report.failed:
        log.info("outbox: %s sent, %s to retry, %s failed", report.sent, report.retried, report.failed)
    return report.sent


async def _deliver_batch(
    claimed: list[ClaimedMessage], now: dt.datetime, settings: Settings, channels: list[Channel]
) -> DeliveryReport:
    gate = asyncio.Semaphore(PARALLEL_SENDS)

    async def one(row: ClaimedMessage) -> DeliveryReport:
        async with gate:
            return await _deliver_one(row, now, settings, channels)

    report = DeliveryReport()
    for outcome in await asyncio.gather(*(one(row) for row in claimed)):
        report += outcome
    return report


async def _deliver_one(
    row: ClaimedMessage, now: dt.datetime, settings: Settings, channels: list[Channel]
) -> DeliveryReport:
    attempts = row.attempts
    if row.account_status != "active":
        await _record(FAILED_SQL, row.id, attempts, "the account is disabled")
        return DeliveryReport(failed=1)
    if attempts > settings.notification_max_attempts:
        # Claimed again after a crash on its last attempt: give up rather than loop.
        await _record(FAILED_SQL, row.id, attempts, "no attempts left")
        log.error("outbox message %s (%s) failed: no attempts left", row.id, row.kind)
        return DeliveryReport(failed=1)
    recipient = Recipient(
        account_id=row.account_id,
        locale=row.locale,
        display_name=row.display_name,
        email=row.email,
        phone=row.phone,
    )
    payload = row.payload
    if isinstance(payload, str):
        payload = json.loads(payload)
    channel = channel_for(channels, recipient)
    outgoing = Outgoing(
        idempotency_key(row.id),
        row.kind,
        recipient,
        render(row.kind, payload, row.locale, settings.public_url),
    )
    try:
        await asyncio.wait_for(channel.send(outgoing), timeout=LEASE.total_seconds() / 4)
    except Exception as error:  # noqa: BLE001 - any failure of a channel is a failed attempt
        reason = f"{channel.name}: {error!r}"[:500]
        permanent = isinstance(error, PermanentFailure)
        if not isinstance(error, (DeliveryFailed, TimeoutError)):
            log.exception("outbox message %s: unexpected error from %s", row.id, channel.name)
        if permanent or attempts >= settings.notification_max_attempts:
            await _record(FAILED_SQL, row.id, attempts, reason)
            log.error("outbox message %s (%s) failed after %s attempts: %s", row.id, row.kind, attempts, reason)
            return DeliveryReport(failed=1)
        await _record(RETRY_SQL, row.id, attempts, now + retry_delay(attempts), reason)
        log.warning("outbox message %s: attempt %s failed, retrying: %s", row.id, attempts, reason)
        return DeliveryReport(retried=1)
    if not await _record(SENT_SQL, row.id, attempts, now):
        log.warning("outbox message %s was sent after its lease ran out; it may arrive twice", row.id)
    return DeliveryReport(sent=1)


async def _record(sql: str, message_id: int, attempts: int, *values: object) -> bool:
    """Write an outcome if this run still holds the claim; returns whether it did."""
    async with db.connection() as conn:
        status = await conn.execute(sql, message_id, attempts, *values)
    return status.endswith(" 1")
