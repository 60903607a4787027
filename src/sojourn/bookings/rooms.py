"""The room calendar as the booking engine counts it: room types with what is left for a stay,
nights short of the rooms wanted, and the rooms a booking holds.

Counting that decides runs under the base's lock (``locking.lock_base``) after expired holds are
released; what is shown to people (``rooms_for_display``) gives back expired-but-unreleased holds
in the query itself, as the bed availability does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from sojourn.bookings import states
from sojourn.bookings.arrangement import RoomChoice, RoomLine


def beds_held_sql(alias: str) -> str:
    """SQL for the beds booking ``alias`` holds on each of its nights: its rooms times their beds (a
    single in a double room holds two). A booking written without room lines (bulk loads) holds a
    bed per traveller, as every booking did before room types."""
    return (
        "coalesce((SELECT sum(r.rooms * t.beds_per_room) FROM booking_room r JOIN room_type t ON t.id = r.room_type"
        f" WHERE r.booking = {alias}.id), {alias}.party_size)"
    )


ROOM_COLUMNS = (
    "t.id, t.code, t.name_zh, t.name_en, t.beds_per_room, t.accessible, t.price_fen, t.price_per, t.price_period,"
    " t.sort_order"
)

# Rooms left of each type on every night of [$2, $3): a night without a row has none.
ROOMS_LEFT_SQL = f"""
SELECT {ROOM_COLUMNS},
       CASE WHEN count(n.night) = $3::date - $2::date THEN greatest(min(n.rooms - n.taken_rooms), 0) ELSE 0 END
           AS rooms_left
FROM room_type t
LEFT JOIN room_night n ON n.room_type = t.id AND n.night >= $2 AND n.night < $3
WHERE t.base = $1
GROUP BY t.id
ORDER BY t.sort_order, t.id
"""

# The same for people to look at: rooms of holds that ran out but are not released yet are free.
ROOMS_SHOWN_SQL = f"""
SELECT {ROOM_COLUMNS},
       CASE WHEN count(n.night) = $3::date - $2::date
            THEN greatest(min(n.rooms - n.taken_rooms + coalesce(x.rooms, 0)), 0) ELSE 0 END AS rooms_left
FROM room_type t
LEFT JOIN room_night n ON n.room_type = t.id AND n.night >= $2 AND n.night < $3
LEFT JOIN LATERAL (
    SELECT sum(r.rooms)::int AS rooms FROM booking b JOIN booking_room r ON r.booking = b.id
    WHERE r.room_type = t.id AND b.base = $1 AND b.arrival <= n.night AND b.departure > n.night
      AND {states.releasable_hold_sql("b", "$4")}
) x ON true
WHERE t.base = $1
GROUP BY t.id
ORDER BY t.sort_order, t.id
"""

SHORT_NIGHTS_SQL = """
SELECT w.room_type, t.code, t.name_zh, t.name_en, t.beds_per_room, d::date AS night,
       coalesce(n.rooms - n.taken_rooms, 0) AS rooms_left
FROM unnest($4::int[], $5::int[]) AS w(room_type, rooms)
JOIN room_type t ON t.id = w.room_type
CROSS JOIN generate_series($2::date, $3::date - 1, interval '1 day') AS d
LEFT JOIN room_night n ON n.room_type = w.room_type AND n.night = d::date
WHERE t.base = $1 AND coalesce(n.rooms - n.taken_rooms, 0) < w.rooms
ORDER BY 6, t.sort_order, t.id
"""

# rooms_left -1: not counted (``taking.check_room`` counts them).
BOOKING_ROOMS_SQL = f"""
SELECT {ROOM_COLUMNS}, -1 AS rooms_left, r.rooms AS count
FROM booking_room r JOIN room_type t ON t.id = r.room_type
WHERE r.booking = $1
ORDER BY t.sort_order, t.id
"""


@dataclass(frozen=True)
class RoomsShort:
    """A night without the rooms wanted of one type."""

    night: dt.date
    room_type_id: int
    code: str
    name_zh: str
    name_en: str
    rooms_left: int
    beds_left: int


def _choice(record: asyncpg.Record) -> RoomChoice:
    return RoomChoice(**{key: record[key] for key in RoomChoice.__dataclass_fields__})


async def rooms_left(conn: asyncpg.Connection, base_id: int, arrival: dt.date, departure: dt.date) -> list[RoomChoice]:
    """Every room type of the base with the rooms left on each night of the stay (under the lock)."""
    return [_choice(r) for r in await conn.fetch(ROOMS_LEFT_SQL, base_id, arrival, departure)]


async def rooms_for_display(
    conn: asyncpg.Connection, base_id: int, arrival: dt.date, departure: dt.date, now: dt.datetime
) -> list[RoomChoice]:
    return [_choice(r) for r in await conn.fetch(ROOMS_SHOWN_SQL, base_id, arrival, departure, now)]


async def short_nights(
    conn: asyncpg.Connection, base_id: int, arrival: dt.date, departure: dt.date, lines: Sequence[RoomLine]
) -> list[RoomsShort]:
    """Nights in [arrival, departure) without the rooms each line wants (no calendar row: no rooms)."""
    records = await conn.fetch(
        SHORT_NIGHTS_SQL,
        base_id,
        arrival,
        departure,
        [line.room.id for line in lines],
        [line.count for line in lines],
    )
    return [
        RoomsShort(
            night=r["night"],
            room_type_id=r["room_type"],
            code=r["code"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            rooms_left=max(r["rooms_left"], 0),
            beds_left=max(r["rooms_left"], 0) * r["beds_per_room"],
        )
        for r in records
    ]


async def booking_rooms(conn: asyncpg.Connection, booking_id: int) -> list[RoomLine]:
    """The rooms a booking holds (or held), a line per type."""
    return [RoomLine(_choice(r), r["count"]) for r in await conn.fetch(BOOKING_ROOMS_SQL, booking_id)]
