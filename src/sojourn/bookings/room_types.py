"""Room types: what a tour's base sells for a stay (with the price and rooms left), and the
operator's list of room types (add, change, remove one that was never sold).

Beds per room cannot change once a type is on the calendar or booked (a trigger guards it too:
the base's bed figure would drift); rooms per night are set through ``capacity.change_capacity``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import rooms, taking
from sojourn.bookings.rows import TourToBook
from sojourn.bookings.stays import stay_for, today_at
from sojourn.db import rows
from sojourn.errors import Conflict, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.tours.pricing import rooms_price_fen

Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_-]{0,19}$")]
NameZh = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
NameEn = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
BedsPerRoom = Annotated[int, msgspec.Meta(ge=1, le=8)]
Price = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
SortOrder = Annotated[int, msgspec.Meta(ge=0, le=999)]


class TourRoomTypeOut(msgspec.Struct):
    id: int
    code: str
    name: str
    beds_per_room: int
    accessible: bool
    price_fen: int  # one room, full, for the whole stay asked about
    rooms_left: int


class RoomTypeIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name_zh: NameZh
    name_en: NameEn
    beds_per_room: BedsPerRoom = 1
    accessible: bool = False
    price_fen: Price | None = None  # None: the tour's price per traveller
    price_per: Literal["person", "room"] = "room"
    price_period: Literal["night", "month"] = "night"
    sort_order: SortOrder = 0


class RoomTypePatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name_zh: NameZh | msgspec.UnsetType = msgspec.UNSET
    name_en: NameEn | msgspec.UnsetType = msgspec.UNSET
    beds_per_room: BedsPerRoom | msgspec.UnsetType = msgspec.UNSET
    accessible: bool | msgspec.UnsetType = msgspec.UNSET
    price_fen: Price | None | msgspec.UnsetType = msgspec.UNSET
    price_per: Literal["person", "room"] | msgspec.UnsetType = msgspec.UNSET
    price_period: Literal["night", "month"] | msgspec.UnsetType = msgspec.UNSET
    sort_order: SortOrder | msgspec.UnsetType = msgspec.UNSET


class RoomTypeOut(msgspec.Struct):
    id: int
    base_id: int
    code: str
    name_zh: str
    name_en: str
    beds_per_room: int
    accessible: bool
    price_fen: int | None
    price_per: str
    price_period: str
    sort_order: int


SELECT = """
SELECT id, base AS base_id, code, name_zh, name_en, beds_per_room, accessible, price_fen, price_per, price_period,
       sort_order
FROM room_type
"""


async def tour_room_types(
    tour_id: int, arrival: dt.date | None, departure: dt.date | None, *, now: dt.datetime
) -> list[TourRoomTypeOut]:
    """The room types of the tour's base for the stay, with the price of one full room and what is left
    (holds that ran out give their rooms back, as everywhere people look)."""
    async with db.connection() as conn:
        tour = rows.row_or_none(TourToBook, await conn.fetchrow(taking.TOUR_SQL, tour_id))
        if tour is None or tour.status != "published":
            raise NotFound(_l("There is no tour with this number, or it is no longer offered."))
        stay = stay_for(tour, arrival, departure, today_at(tour.time_zone, now))
        choices = await rooms.rooms_for_display(conn, tour.base, stay.arrival, stay.departure, now)
    return [
        TourRoomTypeOut(
            id=room.id,
            code=room.code,
            name=pick(room, "name"),
            beds_per_room=room.beds_per_room,
            accessible=room.accessible,
            price_fen=rooms_price_fen(tour, room, rooms=1, travellers=room.beds_per_room, nights=stay.nights),
            rooms_left=room.rooms_left,
        )
        for room in choices
    ]


def _operated(principal: Principal, base_id: int) -> None:
    if not policy.operates_base(principal, base_id):
        raise NotFound(_l("There is no base with this number among the bases you operate."))


async def _own_type(conn: asyncpg.Connection, principal: Principal, room_type_id: int) -> RoomTypeOut:
    record = await conn.fetchrow(f"{SELECT} WHERE id = $1", room_type_id)
    if record is None or not policy.operates_base(principal, record["base_id"]):
        raise NotFound(_l("There is no room type with this number at the bases you operate."))
    return rows.row(RoomTypeOut, record)


async def base_room_types(principal: Principal, base_id: int) -> list[RoomTypeOut]:
    _operated(principal, base_id)
    async with db.connection() as conn:
        return rows.rows(RoomTypeOut, await conn.fetch(f"{SELECT} WHERE base = $1 ORDER BY sort_order, id", base_id))


async def create_room_type(principal: Principal, base_id: int, data: RoomTypeIn, *, ip: str = "") -> RoomTypeOut:
    _operated(principal, base_id)
    async with db.connection() as conn, conn.transaction():
        if await conn.fetchval("SELECT 1 FROM base WHERE id = $1", base_id) is None:
            raise NotFound(_l("There is no base with this number among the bases you operate."))
        record = await conn.fetchrow(
            "INSERT INTO room_type (base, code, name_zh, name_en, beds_per_room, accessible, price_fen, price_per,"
            " price_period, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (base, code) DO NOTHING"
            " RETURNING id, base AS base_id, code, name_zh, name_en, beds_per_room, accessible, price_fen,"
            " price_per, price_period, sort_order",
            base_id,
            data.code,
            data.name_zh,
            data.name_en,
            data.beds_per_room,
            data.accessible,
            data.price_fen,
            data.price_per,
            data.price_period,
            data.sort_order,
        )
        if record is None:
            message = _l("This place already has a room type with this code.")
            raise Conflict(message, code="room_type_exists", field_errors={"code": message})
        created = rows.row(RoomTypeOut, record)
        await audit.record(
            "room_type_created",
            actor=principal,
            object_type="base",
            object_id=base_id,
            ip=ip,
            detail=msgspec.to_builtins(data),
            conn=conn,
        )
    return created


async def update_room_type(
    principal: Principal, room_type_id: int, data: RoomTypePatch, *, ip: str = ""
) -> RoomTypeOut:
    changes = msgspec.to_builtins(data)
    async with db.connection() as conn, conn.transaction():
        current = await _own_type(conn, principal, room_type_id)
        if not changes:
            return current
        if (
            "beds_per_room" in changes
            and changes["beds_per_room"] != current.beds_per_room
            and await _in_use(conn, room_type_id)
        ):
            message = _l(
                "Rooms of this type are on the calendar or booked, so their beds cannot change. Add a new type."
            )
            raise Conflict(message, code="room_type_in_use", field_errors={"beds_per_room": message})
        columns = list(changes)
        assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(columns, start=2))
        record = await conn.fetchrow(
            f"UPDATE room_type SET {assignments} WHERE id = $1"
            " RETURNING id, base AS base_id, code, name_zh, name_en, beds_per_room, accessible, price_fen,"
            " price_per, price_period, sort_order",
            room_type_id,
            *(changes[column] for column in columns),
        )
        await audit.record(
            "room_type_changed",
            actor=principal,
            object_type="base",
            object_id=current.base_id,
            ip=ip,
            detail={"room_type_id": room_type_id, **changes},
            conn=conn,
        )
    return rows.row(RoomTypeOut, record)


async def delete_room_type(principal: Principal, room_type_id: int, *, ip: str = "") -> None:
    """Remove a type that was never sold and has no rooms on the calendar (set them to 0 first)."""
    async with db.connection() as conn, conn.transaction():
        current = await _own_type(conn, principal, room_type_id)
        if await _in_use(conn, room_type_id):
            raise Conflict(
                _l("Rooms of this type are on the calendar or booked. Set its rooms to 0 instead."),
                code="room_type_in_use",
            )
        await conn.execute("DELETE FROM room_night WHERE room_type = $1", room_type_id)
        await conn.execute("DELETE FROM room_type WHERE id = $1", room_type_id)
        await audit.record(
            "room_type_removed",
            actor=principal,
            object_type="base",
            object_id=current.base_id,
            ip=ip,
            detail={"room_type_id": room_type_id, "code": current.code},
            conn=conn,
        )


async def _in_use(conn: asyncpg.Connection, room_type_id: int) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM room_night WHERE room_type = $1 AND rooms > 0)"
            " OR EXISTS (SELECT 1 FROM booking_room WHERE room_type = $1)",
            room_type_id,
        )
    )
