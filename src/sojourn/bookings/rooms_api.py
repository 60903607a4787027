"""Room types over the API: what a tour's base sells for a stay, and the operator's room types."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from sojourn.accounts.guards import operators
from sojourn.accounts.principal import Principal
from sojourn.bookings import room_types
from sojourn.bookings.room_types import RoomTypeIn, RoomTypeOut, RoomTypePatch, TourRoomTypeOut
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.web.client_ip import client_ip

Caller = Request[Principal, Any, Any]
OPERATORS = ["Operators"]


@get("/api/v1/tours/{tour_id:int}/room-types", tags=["Catalogue"], summary="Room types for a stay, with rooms left")
async def tour_room_types(
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    arrival: FromQuery[dt.date | None] = None,
    departure: FromQuery[dt.date | None] = None,
) -> list[TourRoomTypeOut]:
    """Fixed-date tours use their own dates; seasonal stays need ``arrival`` and ``departure``."""
    return await room_types.tour_room_types(tour_id, arrival, departure, now=clock.now())


@get(
    "/api/v1/operator/bases/{base_id:int}/room-types", tags=OPERATORS, summary="A base's room types", guards=[operators]
)
async def list_room_types(request: Caller, base_id: FromPath[int]) -> list[RoomTypeOut]:
    return await room_types.base_room_types(request.user, base_id)


@post("/api/v1/operator/bases/{base_id:int}/room-types", tags=OPERATORS, summary="Add a room type", guards=[operators])
async def add_room_type(request: Caller, base_id: FromPath[int], data: JSONBody[RoomTypeIn]) -> RoomTypeOut:
    return await room_types.create_room_type(request.user, base_id, data, ip=client_ip(request))


@patch(
    "/api/v1/operator/room-types/{room_type_id:int}", tags=OPERATORS, summary="Change a room type", guards=[operators]
)
async def change_room_type(request: Caller, room_type_id: FromPath[int], data: JSONBody[RoomTypePatch]) -> RoomTypeOut:
    return await room_types.update_room_type(request.user, room_type_id, data, ip=client_ip(request))


@delete(
    "/api/v1/operator/room-types/{room_type_id:int}",
    tags=OPERATORS,
    summary="Remove a room type never sold",
    guards=[operators],
)
async def remove_room_type(request: Caller, room_type_id: FromPath[int]) -> None:
    await room_types.delete_room_type(request.user, room_type_id, ip=client_ip(request))


ROUTES = [tour_room_types, list_room_types, add_room_type, change_room_type, remove_room_type]
