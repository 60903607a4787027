"""After a stay: ask the booking's account for feedback, once per booking (a scheduled job).

A stay has ended on its departure day, or on the day of checking out when that came
earlier. The request goes out from the day after; ``dedupe_key`` makes "once" a
constraint, so a retried or doubled run sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

import arrow

from sojourn import db
from sojourn.bookings import states
from sojourn.config import Settings
from sojourn.db import rows
from sojourn.feedback.rows import FeedbackRequestCandidate
from sojourn.notifications import outbox

log = logging.getLogger(__name__)

KIND = "feedback_request"
# Only stays that ended this recently are asked about: the first run after launch (or
# after an outage) must not message everyone who ever travelled.
LOOKBACK_DAYS = 30
# Seniors are not woken up: a request due at night waits for the morning at the base.
SEND_FROM_HOUR = 9
SEND_UNTIL_HOUR = 20
JOB_LOCK = (0x4642, 1)  # "FB": one run at a time; a second concurrent run does nothing

CANDIDATES_SQL = f"""
SELECT b.id, b.reference, b.account, b.base, bs.name_zh, bs.name_en, bs.time_zone, d.ended_on
FROM booking b
JOIN base bs ON bs.id = b.base
CROSS JOIN LATERAL (
    SELECT CASE WHEN b.status = '{states.CHECKED_OUT}' AND b.checked_out_at IS NOT NULL
                THEN least(b.departure, (b.checked_out_at AT TIME ZONE bs.time_zone)::date)
                ELSE b.departure END AS ended_on,
           ($1::timestamptz AT TIME ZONE bs.time_zone)::date AS today
) d
WHERE {states.status_in_sql("b", states.GOING_AHEAD)}
  AND b.departure >= $2::date
  AND d.ended_on < d.today
  AND d.ended_on >= d.today - $3::int
  AND NOT EXISTS (SELECT 1 FROM outbox_message o WHERE o.dedupe_key = 'feedback_request:' || b.id)
  AND EXISTS (SELECT 1 FROM booking_traveller bt WHERE bt.booking = b.id
              AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.booking = b.id AND f.traveller = bt.traveller))
ORDER BY b.id
"""


def dedupe_key(booking_id: int) -> str:
    return f"{KIND}:{booking_id}"


def deliver_after(now: dt.datetime, time_zone: str) -> dt.datetime:
    """``now`` in the daytime at the base; otherwise the next morning's first hour."""
    local = arrow.get(now).to(time_zone)
    if SEND_FROM_HOUR <= local.hour < SEND_UNTIL_HOUR:
        return now
    morning = local.replace(hour=SEND_FROM_HOUR, minute=0, second=0, microsecond=0)
    if morning < local:
        morning = morning.shift(days=1)
    return morning.to("UTC").datetime


async def request_feedback(now: dt.datetime, settings: Settings) -> int:
    """Enqueue one ``feedback_request`` per ended stay that has none yet; returns how many."""
    # Bases are at most a day away from UTC: this bound only lets an index on departure help.
    earliest_departure = now.date() - dt.timedelta(days=LOOKBACK_DAYS + 2)
    async with db.connection() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1, $2)", *JOB_LOCK):
            log.info("feedback requests: another run is in progress")
            return 0
        ended = rows.rows(
            FeedbackRequestCandidate, await conn.fetch(CANDIDATES_SQL, now, earliest_departure, LOOKBACK_DAYS)
        )
        for row in ended:
            await outbox.enqueue(
                conn,
                KIND,
                row.account,
                {
                    "booking_id": row.id,
                    "reference": row.reference,
                    "base_id": row.base,
                    "base_name_zh": row.name_zh,
                    "base_name_en": row.name_en,
                    "ended_on": row.ended_on.isoformat(),
                },
                dedupe_key=dedupe_key(row.id),
                deliver_after=deliver_after(now, row.time_zone),
            )
    return len(ended)
