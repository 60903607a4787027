"""Beds, taken and held per night at a base: what the calendar and the dashboard show.

Read-only and outside the base's lock: for display, never for deciding whether a booking
fits (the booking engine counts that live under the lock). Holds that ran out but were not
released yet still sit in ``capacity_night.taken``; they are left out here, as they block
nobody.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from sojourn.bookings import rooms, states
from sojourn.operator.schemas import NightOut

OCCUPANCY_SQL = f"""
WITH holds AS (
    SELECT n::date AS night,
           coalesce(sum({rooms.beds_held_sql("k")}) FILTER (WHERE k.hold_expires_at > $4), 0)::int AS active,
           coalesce(sum({rooms.beds_held_sql("k")}) FILTER (WHERE k.hold_expires_at <= $4), 0)::int AS lapsed
    FROM booking k,
         generate_series(greatest(k.arrival, $2::date), least(k.departure, $3::date) - 1, interval '1 day') AS n
    WHERE k.base = $1 AND k.status = '{states.HELD}' AND k.arrival < $3 AND k.departure > $2
    GROUP BY 1
)
SELECT d::date AS night, c.beds, coalesce(c.taken, 0) AS taken,
       coalesce(h.active, 0) AS held, coalesce(h.lapsed, 0) AS lapsed
FROM generate_series($2::date, $3::date - 1, interval '1 day') AS d
LEFT JOIN capacity_night c ON c.base = $1 AND c.night = d::date
LEFT JOIN holds h ON h.night = d::date
ORDER BY 1
"""


def night_out(row: Any) -> NightOut:
    beds = row["beds"] or 0
    taken = max(row["taken"] - row["held"] - row["lapsed"], 0)
    held = row["held"]
    return NightOut(
        date=row["night"],
        beds=beds,
        taken=taken,
        held=held,
        free=max(beds - taken - held, 0),
        open=row["beds"] is not None,
    )


async def nights(
    conn: asyncpg.Connection, base_id: int, start: dt.date, end: dt.date, now: dt.datetime
) -> list[NightOut]:
    """Every night in [start, end), including nights without beds set."""
    rows = await conn.fetch(OCCUPANCY_SQL, base_id, start, end, now)
    return [night_out(row) for row in rows]


def level(night: NightOut) -> str:
    """A name for how full a night is; the page shows it as colour and always as words."""
    if not night.open:
        return "unset"
    if night.beds == 0:
        return "closed"
    used = (night.taken + night.held) / night.beds
    if used >= 1:
        return "full"
    if used >= 0.9:
        return "almost"
    if used >= 0.5:
        return "busy"
    return "free"
