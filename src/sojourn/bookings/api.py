"""``/api/v1/bookings``, waiting lists and operators' capacity: parse, call one service, answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post, put
from litestar.params import FromPath, JSONBody, Parameter

from sojourn.accounts import rate_limits
from sojourn.accounts.guards import bookers, operators, signed_in
from sojourn.accounts.principal import Principal
from sojourn.bookings import capacity, holds, lifecycle, queries, waitlist
from sojourn.bookings.schemas import BookingIn, BookingOut, CancelIn, WaitlistOut
from sojourn.bookings.tables import BookingStatus
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.web.client_ip import client_ip
from sojourn.web.pagination import Page
from sojourn.web.params import IdempotencyKey, Limit, Offset

StatusFilter = Annotated[BookingStatus | None, Parameter(description="Only bookings in this status")]

Caller = Request[Principal, Any, Any]


@post(
    "/api/v1/bookings",
    tags=["Bookings"],
    summary="Hold beds (a booking on hold)",
    guards=[bookers],
    middleware=[rate_limits.booking_creation.middleware],
)
async def create_booking(
    request: Caller,
    data: JSONBody[BookingIn],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    idempotency_key: IdempotencyKey = None,
) -> Response[BookingOut]:
    result = await holds.hold_beds(
        request.user, data, settings=settings, now=clock.now(), idempotency_key=idempotency_key
    )
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return Response(result.booking, status_code=201, headers=headers)


@get("/api/v1/bookings", tags=["Bookings"], summary="Your bookings", guards=[signed_in])
async def list_bookings(
    request: Caller,
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    status: StatusFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[BookingOut]:
    items, total = await queries.list_bookings(
        request.user,
        now=clock.now(),
        settings=settings,
        status=status.value if status else None,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total)


@get("/api/v1/bookings/{booking_id:int}", tags=["Bookings"], summary="One booking", guards=[signed_in])
async def get_booking(
    request: Caller, booking_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> BookingOut:
    return await queries.get_booking(request.user, booking_id, now=clock.now(), settings=settings)


@post(
    "/api/v1/bookings/{booking_id:int}/extend-hold",
    tags=["Bookings"],
    summary="More time before the hold runs out",
    guards=[bookers],
    status_code=200,
)
async def extend_hold(
    request: Caller, booking_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> BookingOut:
    return await lifecycle.extend_hold(request.user, booking_id, settings=settings, now=clock.now())


@post(
    "/api/v1/bookings/{booking_id:int}/confirm",
    tags=["Bookings"],
    summary="Confirm a booking on hold",
    guards=[bookers],
    status_code=200,
)
async def confirm_booking(
    request: Caller, booking_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> BookingOut:
    return await lifecycle.confirm_booking(request.user, booking_id, settings=settings, now=clock.now())


@post(
    "/api/v1/bookings/{booking_id:int}/cancel",
    tags=["Bookings"],
    summary="Cancel; the refund follows the tour's policy",
    guards=[bookers],
    status_code=200,
)
async def cancel_booking(
    request: Caller,
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    data: JSONBody[CancelIn | None] = None,
) -> BookingOut:
    return await lifecycle.cancel_booking(
        request.user,
        booking_id,
        reason=data.reason if data else "",
        settings=settings,
        now=clock.now(),
        ip=client_ip(request),
    )


@post(
    "/api/v1/bookings/{booking_id:int}/undo-cancel",
    tags=["Bookings"],
    summary="Take back a cancellation made less than 10 minutes ago",
    guards=[bookers],
    status_code=200,
)
async def undo_cancel(
    request: Caller, booking_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> BookingOut:
    return await lifecycle.undo_cancel(request.user, booking_id, settings=settings, now=clock.now())


@post(
    "/api/v1/tours/{tour_id:int}/waitlist",
    tags=["Waiting list"],
    summary="Join the waiting list of a sold-out stay",
    guards=[bookers],
    middleware=[rate_limits.booking_creation.middleware],
)
async def join_waitlist(
    request: Caller,
    tour_id: FromPath[int],
    data: JSONBody[BookingIn],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    idempotency_key: IdempotencyKey = None,
) -> Response[WaitlistOut]:
    entry, replayed = await waitlist.join_waitlist(
        request.user, tour_id, data, settings=settings, now=clock.now(), idempotency_key=idempotency_key
    )
    return Response(entry, status_code=201, headers={"Idempotent-Replayed": "true"} if replayed else {})


@get("/api/v1/waitlist", tags=["Waiting list"], summary="Your waiting-list entries", guards=[signed_in])
async def list_waitlist(request: Caller, limit: Limit = 50, offset: Offset = 0) -> Page[WaitlistOut]:
    items, total = await waitlist.list_entries(request.user, limit, offset)
    return Page(items=items, total=total)


@post(
    "/api/v1/waitlist/{entry_id:int}/withdraw",
    tags=["Waiting list"],
    summary="Leave the waiting list",
    guards=[bookers],
    status_code=200,
)
async def withdraw_waitlist(request: Caller, entry_id: FromPath[int]) -> WaitlistOut:
    return await waitlist.withdraw_entry(request.user, entry_id)


@put(
    "/api/v1/operator/bases/{base_id:int}/capacity",
    tags=["Operators"],
    summary="Set beds per night in [start, end)",
    guards=[operators],
)
async def set_capacity(
    request: Caller,
    base_id: FromPath[int],
    data: JSONBody[capacity.CapacityIn],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> capacity.CapacityOut:
    return await capacity.change_capacity(
        request.user, base_id, data, settings=settings, now=clock.now(), ip=client_ip(request)
    )


ROUTES = [
    create_booking,
    list_bookings,
    get_booking,
    extend_hold,
    confirm_booking,
    cancel_booking,
    undo_cancel,
    join_waitlist,
    list_waitlist,
    withdraw_waitlist,
    set_capacity,
]
