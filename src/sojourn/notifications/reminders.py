"""Departure reminders: one message to the booking's account some days before arrival.

``settings.departure_reminder_days`` before the arrival day (in the base's time zone), or at
once for a stay confirmed later than that. The outbox's dedupe key makes it one message per
booking however often the job runs; it is delivered in the daytime at the base.
"""

from __future__ import annotations

import datetime as dt

import arrow

from sojourn import db
from sojourn.bookings import states
from sojourn.config import Settings
from sojourn.db import rows
from sojourn.notifications import outbox
from sojourn.notifications.rows import StayStartingSoon

KIND = "departure_reminder"
SEND_FROM_HOUR = 9
SEND_UNTIL_HOUR = 20

CANDIDATES_SQL = f"""
SELECT b.id, b.reference, b.account, b.arrival, b.base, bs.name_zh, bs.name_en, bs.time_zone
FROM booking b
JOIN base bs ON bs.id = b.base
CROSS JOIN LATERAL (SELECT ($1::timestamptz AT TIME ZONE bs.time_zone)::date AS today) d
WHERE b.status = '{states.CONFIRMED}'
  AND b.arrival BETWEEN $2::date AND $3::date
  AND b.arrival >= d.today
  AND b.arrival <= d.today + $4::int
  AND NOT EXISTS (SELECT 1 FROM outbox_message o WHERE o.dedupe_key = 'departure_reminder:' || b.id)
ORDER BY b.id
"""


def dedupe_key(booking_id: int) -> str:
    return f"{KIND}:{booking_id}"


def in_daytime(now: dt.datetime, time_zone: str) -> dt.datetime:
    """``now`` if it is daytime at the base, otherwise the next morning there."""
    local = arrow.get(now).to(time_zone)
    if SEND_FROM_HOUR <= local.hour < SEND_UNTIL_HOUR:
        return now
    morning = local.replace(hour=SEND_FROM_HOUR, minute=0, second=0, microsecond=0)
    if morning < local:
        morning = morning.shift(days=1)
    return morning.to("UTC").datetime


async def send_departure_reminders(now: dt.datetime, settings: Settings) -> int:
    """Enqueue a reminder for every confirmed stay starting soon that has none; returns how many."""
    days = settings.departure_reminder_days
    # Bases are at most a day away from UTC: these bounds only let the arrival index help.
    earliest, latest = now.date() - dt.timedelta(days=1), now.date() + dt.timedelta(days=days + 1)
    async with db.connection() as conn, conn.transaction():
        starting = rows.rows(StayStartingSoon, await conn.fetch(CANDIDATES_SQL, now, earliest, latest, days))
        for row in starting:
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
                    "arrival": row.arrival.isoformat(),
                },
                dedupe_key=dedupe_key(row.id),
                deliver_after=in_daytime(now, row.time_zone),
            )
    return len(starting)
