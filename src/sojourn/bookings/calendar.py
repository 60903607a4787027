"""The capacity calendar under the base's lock: giving back, expiring, taking again, resizing.

What is sold is rooms per type and night (``room_night``); a base's beds per night
(``capacity_night``) follow by trigger in the same statement (migration "room types").

Every function here expects the caller to hold the base's advisory lock in the
current transaction (``locking.lock_base``). The CHECK constraints on
``capacity_night``, ``tour`` and ``tour_quota`` stay as the last line of defence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from sojourn.bookings import states
from sojourn.bookings.rows import BookingRow

# Statements run once per hold: asyncpg prepares and caches them per connection.

RELEASE_EXPIRED_SQL = f"""
WITH expired AS (
    UPDATE booking SET status = '{states.EXPIRED}'
    WHERE base = $1 AND {states.releasable_hold_sql("booking", "$2")}
    RETURNING id, tour, arrival, departure, party_size, origin_member
), per_night AS (
    SELECT r.room_type, n.night::date AS night, sum(r.rooms)::int AS k
    FROM expired e JOIN booking_room r ON r.booking = e.id,
         generate_series(e.arrival, e.departure - 1, interval '1 day') AS n(night)
    GROUP BY 1, 2
), calendar AS (
    UPDATE room_night c SET taken_rooms = c.taken_rooms - p.k
    FROM per_night p WHERE c.room_type = p.room_type AND c.night = p.night
    RETURNING 1
), seats AS (
    UPDATE tour t SET seats_taken = t.seats_taken - x.k
    FROM (SELECT tour, sum(party_size)::int AS k FROM expired GROUP BY tour) x
    WHERE t.id = x.tour AND t.seats IS NOT NULL
    RETURNING 1
), quotas AS (
    UPDATE tour_quota q SET taken = q.taken - x.k
    FROM (SELECT tour, origin_member, sum(party_size)::int AS k FROM expired
          WHERE origin_member IS NOT NULL GROUP BY 1, 2) x
    WHERE q.tour = x.tour AND q.member = x.origin_member
    RETURNING 1
), lapsed AS (
    UPDATE waitlist_entry w SET status = 'lapsed'
    FROM expired e WHERE w.offered_booking = e.id AND w.status = 'offered'
    RETURNING 1
)
SELECT count(*)::int FROM expired
"""

# $4: travellers (seats, quota), $7: +1 to take the booking's rooms again, -1 to give them back.
ADJUST_SQL = """
WITH calendar AS (
    UPDATE room_night n SET taken_rooms = n.taken_rooms + $7 * r.rooms
    FROM booking_room r
    WHERE r.booking = $8 AND n.base = $1 AND n.room_type = r.room_type AND n.night >= $2 AND n.night < $3
    RETURNING 1
), seats AS (
    UPDATE tour SET seats_taken = seats_taken + $4 WHERE id = $5 AND seats IS NOT NULL RETURNING 1
), quota AS (
    UPDATE tour_quota SET taken = taken + $4 WHERE tour = $5 AND member = $6 RETURNING 1
)
SELECT (SELECT count(*) FROM calendar)::int
"""

SHORT_NIGHTS_SQL = """
SELECT d::date AS night, coalesce(c.beds - c.taken, 0) AS beds_left
FROM generate_series($2::date, $3::date - 1, interval '1 day') AS d
LEFT JOIN capacity_night c ON c.base = $1 AND c.night = d::date
WHERE coalesce(c.beds - c.taken, 0) < $4
ORDER BY 1
"""


@dataclass(frozen=True)
class ShortNight:
    night: dt.date
    beds_left: int


async def release_expired_holds(conn: asyncpg.Connection, base_id: int, now: dt.datetime) -> int:
    """Give back the beds of every hold at this base that has run out; return how many."""
    return await conn.fetchval(RELEASE_EXPIRED_SQL, base_id, now)


async def short_nights(
    conn: asyncpg.Connection, base_id: int, arrival: dt.date, departure: dt.date, party_size: int
) -> list[ShortNight]:
    """Nights in [arrival, departure) without ``party_size`` free beds (no calendar row: no beds)."""
    rows = await conn.fetch(SHORT_NIGHTS_SQL, base_id, arrival, departure, party_size)
    return [ShortNight(night=row["night"], beds_left=max(row["beds_left"], 0)) for row in rows]


async def adjust_taken(conn: asyncpg.Connection, booking: BookingRow, delta: int) -> None:
    """Add ``delta`` travellers of an existing booking to its seats and quota, and its rooms to its
    nights: minus its party to give everything back (cancelling), plus to take it again (undo)."""
    await conn.fetchval(
        ADJUST_SQL,
        booking.base,
        booking.arrival,
        booking.departure,
        delta,
        booking.tour,
        booking.origin_member,
        1 if delta > 0 else -1,
        booking.id,
    )


SET_ROOMS_SQL = """
INSERT INTO room_night (base, room_type, night, rooms, taken_rooms)
SELECT $1, $2, d::date, $5, 0
FROM generate_series($3::date, $4::date - 1, interval '1 day') AS d
WHERE $6::int[] IS NULL OR extract(isodow FROM d)::int = ANY($6::int[])
ON CONFLICT (room_type, night) DO UPDATE SET rooms = EXCLUDED.rooms
RETURNING night
"""

BELOW_TAKEN_SQL = """
SELECT n.night, n.taken_rooms FROM room_night n
WHERE n.room_type = $1 AND n.night >= $2 AND n.night < $3 AND n.taken_rooms > $4
  AND ($5::int[] IS NULL OR extract(isodow FROM n.night)::int = ANY($5::int[]))
ORDER BY n.night
"""

ROOMS_BEFORE_SQL = """
SELECT coalesce(bool_or(coalesce(n.rooms, 0) < $4), false)
FROM generate_series($2::date, $3::date - 1, interval '1 day') AS d
LEFT JOIN room_night n ON n.room_type = $1 AND n.night = d::date
WHERE $5::int[] IS NULL OR extract(isodow FROM d)::int = ANY($5::int[])
"""


async def nights_below_taken(
    conn: asyncpg.Connection, room_type: int, start: dt.date, end: dt.date, rooms: int, weekdays: list[int] | None
) -> list[tuple[dt.date, int]]:
    """Nights on which more rooms of this type are taken than ``rooms``, with the rooms taken."""
    rows = await conn.fetch(BELOW_TAKEN_SQL, room_type, start, end, rooms, weekdays)
    return [(row["night"], row["taken_rooms"]) for row in rows]


async def set_rooms(
    conn: asyncpg.Connection,
    base_id: int,
    room_type: int,
    start: dt.date,
    end: dt.date,
    rooms: int,
    weekdays: list[int] | None,
) -> tuple[int, bool]:
    """Set rooms of one type on every night in [start, end) (optionally only ISO weekdays 1-7); the
    base's beds follow by trigger.

    Returns how many nights changed and whether any night gained rooms (then the
    waiting list may be served).
    """
    grew = await conn.fetchval(ROOMS_BEFORE_SQL, room_type, start, end, rooms, weekdays)
    rows = await conn.fetch(SET_ROOMS_SQL, base_id, room_type, start, end, rooms, weekdays)
    return len(rows), bool(grew)
