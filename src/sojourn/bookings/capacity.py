"""Operators set rooms of a type per night (``room_type_id`` and ``rooms``), or beds per night at a
base that sells beds (``beds``: its ``bed`` type). Never below what is taken: the answer names the
nights and the bookings in the way. More rooms serve the waiting list at once."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import calendar, live, states, waitlist_offers
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.locking import lock_base
from sojourn.config import Settings
from sojourn.dates import BoundedDates
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.ids import RowId

MAX_NIGHTS = 731  # two years at a time
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]


Count = Annotated[int, msgspec.Meta(ge=0, le=10_000)]


class CapacityIn(BoundedDates, forbid_unknown_fields=True):
    start: dt.date
    end: dt.date  # exclusive: the first night not changed
    beds: Count | None = None  # a base that sells beds: its bed type
    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)] | None = None  # ISO: 1 = Monday
    room_type_id: RowId | None = None  # with ``rooms``: rooms of that type
    rooms: Count | None = None


class CapacityOut(msgspec.Struct):
    base_id: int
    start: dt.date
    end: dt.date
    beds: int | None
    nights_changed: int
    offers_made: int
    room_type_id: int | None = None
    rooms: int | None = None


BED_TYPE_SQL = """
WITH made AS (
    INSERT INTO room_type (base, code, name_zh, name_en)
    SELECT $1, 'bed', '床位', 'Bed' WHERE NOT EXISTS (SELECT 1 FROM room_type WHERE base = $1)
    ON CONFLICT (base, code) DO NOTHING
    RETURNING id
)
SELECT id FROM made UNION ALL SELECT id FROM room_type WHERE base = $1 AND code = 'bed'
"""


async def _room_type_to_set(conn: asyncpg.Connection, base_id: int, data: CapacityIn) -> tuple[int, int]:
    """(room type, rooms per night) the change is about; beds at a base that sells beds are rooms of
    its ``bed`` type (made when the base has no room type yet)."""
    if data.room_type_id is not None:
        if data.rooms is None or data.beds is not None:
            message = _l("With a room type, give the number of rooms per night.")
            raise InvalidInput(message, field_errors={"rooms": message})
        if await conn.fetchval("SELECT base FROM room_type WHERE id = $1", data.room_type_id) != base_id:
            message = _l("This place has no such room type. Please choose one of its rooms.")
            raise InvalidInput(message, field_errors={"room_type_id": message})
        return data.room_type_id, data.rooms
    if data.beds is None or data.rooms is not None:
        message = _l("Give the number of beds per night, or a room type and its number of rooms.")
        raise InvalidInput(message, field_errors={"beds": message})
    bed_type = await conn.fetchval(BED_TYPE_SQL, base_id)
    if bed_type is None:
        message = _l("This place sells rooms, not beds: choose a room type and give its number of rooms.")
        raise InvalidInput(message, field_errors={"room_type_id": message})
    return bed_type, data.beds


BLOCKING_BOOKINGS_SQL = f"""
SELECT DISTINCT b.reference, b.arrival, b.departure, b.party_size, b.status FROM booking b
JOIN booking_room r ON r.booking = b.id AND r.room_type = $4
WHERE b.base = $1 AND {states.status_in_sql("b", states.STATUSES_HOLDING_BEDS)}
  AND b.arrival <= $3 AND b.departure > $2
ORDER BY b.arrival LIMIT 20
"""


async def change_capacity(
    principal: Principal, base_id: int, data: CapacityIn, *, settings: Settings, now: dt.datetime, ip: str = ""
) -> CapacityOut:
    if not policy.operates_base(principal, base_id):
        raise NotFound(_l("There is no base with this number among the bases you operate."))
    if data.end <= data.start:
        message = _l("The end date must be after the start date.")
        raise InvalidInput(message, field_errors={"end": message})
    if (data.end - data.start).days > MAX_NIGHTS:
        message = _l("Change at most two years of nights at a time.")
        raise InvalidInput(message, field_errors={"end": message})
    weekdays = sorted(set(data.weekdays)) if data.weekdays else None
    async with db.connection() as conn, conn.transaction():
        with map_database_errors():
            await lock_base(conn, base_id, settings.lock_timeout_ms)
            await calendar.release_expired_holds(conn, base_id, now)
            room_type, count = await _room_type_to_set(conn, base_id, data)
            below = await calendar.nights_below_taken(conn, room_type, data.start, data.end, count, weekdays)
            if below:
                blocking = await conn.fetch(BLOCKING_BOOKINGS_SQL, base_id, below[0][0], below[-1][0], room_type)
                raise Conflict(
                    _l("Some nights already have more beds taken than that. Lower them after those stays."),
                    code="below_taken",
                    nights_below_taken=[{"date": night.isoformat(), "taken": taken} for night, taken in below],
                    bookings_in_the_way=[
                        {
                            "reference": row["reference"],
                            "arrival": row["arrival"].isoformat(),
                            "departure": row["departure"].isoformat(),
                            "party_size": row["party_size"],
                            "status": row["status"],
                        }
                        for row in blocking
                    ],
                )
            changed, grew = await calendar.set_rooms(conn, base_id, room_type, data.start, data.end, count, weekdays)
            offers = await waitlist_offers.offer_freed_beds(conn, base_id, settings=settings, now=now) if grew else 0
            await audit.record(
                "capacity_changed",
                actor=principal,
                object_type="base",
                object_id=base_id,
                ip=ip,
                detail={
                    "start": data.start.isoformat(),
                    "end": data.end.isoformat(),
                    "beds": data.beds,
                    "room_type_id": room_type,
                    "rooms": count,
                    "weekdays": weekdays,
                    "nights": changed,
                },
                conn=conn,
            )
    await live.capacity_changed(base_id)
    return CapacityOut(
        base_id=base_id,
        start=data.start,
        end=data.end,
        beds=data.beds,
        nights_changed=changed,
        offers_made=offers,
        room_type_id=room_type,
        rooms=count,
    )
