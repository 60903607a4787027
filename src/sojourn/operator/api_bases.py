"""``/api/v1/operator/bases/...`` and ``/api/v1/operator/bookings/...``: the base's day (dashboard,
occupancy, arrivals manifest, a week of arrivals and departures) and the front desk (check-in,
check-out, no-show, for a whole booking or one traveller, and a same-day undo)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery

from sojourn.accounts.guards import operators
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.operator import attendance, dashboard, manifest
from sojourn.operator.bases import operated_bases
from sojourn.operator.responses import manifest_response, wants_csv
from sojourn.operator.schemas import AttendanceOut, BaseRef, DashboardOut, ManifestOut, OccupancyOut, WeekOut
from sojourn.web.client_ip import client_ip

Caller = Request[Principal, Any, Any]
TAGS = ["Operators"]


@get("/api/v1/operator/bases", tags=TAGS, summary="The bases you operate", guards=[operators])
async def list_bases(request: Caller) -> list[BaseRef]:
    return await operated_bases(request.user)


@get(
    "/api/v1/operator/bases/{base_id:int}/dashboard",
    tags=TAGS,
    summary="Today's arrivals and departures, declarations to review, holds running out, 90 nights of occupancy",
    guards=[operators],
)
async def base_dashboard(request: Caller, base_id: FromPath[int], clock: NamedDependency[Clock]) -> DashboardOut:
    return await dashboard.dashboard(request.user, base_id, now=clock.now())


@get(
    "/api/v1/operator/bases/{base_id:int}/occupancy",
    tags=TAGS,
    summary="Beds, taken and held per night in [start, end)",
    guards=[operators],
)
async def base_occupancy(
    request: Caller,
    base_id: FromPath[int],
    start: FromQuery[dt.date],
    end: FromQuery[dt.date],
    clock: NamedDependency[Clock],
) -> OccupancyOut:
    return await dashboard.base_occupancy(request.user, base_id, start, end, now=clock.now())


@get(
    "/api/v1/operator/bases/{base_id:int}/manifest",
    tags=TAGS,
    summary="Everyone arriving on a day (JSON, or CSV with Accept: text/csv); every export is logged",
    guards=[operators],
)
async def arrivals_manifest(
    request: Caller,
    base_id: FromPath[int],
    date: FromQuery[dt.date],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Response[ManifestOut]:
    data = await manifest.arrivals_manifest(
        request.user,
        base_id,
        date,
        keyring=keyring,
        now=clock.now(),
        export_format="csv" if wants_csv(request) else "json",
        ip=client_ip(request),
    )
    return manifest_response(request, data)


@get(
    "/api/v1/operator/bases/{base_id:int}/week",
    tags=TAGS,
    summary="Arrivals and departures for seven days from start (default: today at the base), traveller by traveller",
    guards=[operators],
)
async def base_week(
    request: Caller, base_id: FromPath[int], clock: NamedDependency[Clock], start: FromQuery[dt.date | None] = None
) -> WeekOut:
    return await dashboard.week_at_the_desk(request.user, base_id, start, now=clock.now())


async def _attendance(
    request: Caller, booking_id: int, step: str, clock: Clock, traveller_id: int | None = None
) -> AttendanceOut:
    return await attendance.record_attendance(
        request.user, booking_id, step, now=clock.now(), traveller_id=traveller_id, ip=client_ip(request)
    )


def _traveller_step(step: str, slug: str, summary: str) -> Any:
    @post(
        f"/api/v1/operator/bookings/{{booking_id:int}}/travellers/{{traveller_id:int}}/{slug}",
        tags=TAGS,
        summary=summary,
        guards=[operators],
        status_code=200,
        name=f"api_traveller_{step}",
    )
    async def handler(
        request: Caller, booking_id: FromPath[int], traveller_id: FromPath[int], clock: NamedDependency[Clock]
    ) -> AttendanceOut:
        return await _attendance(request, booking_id, step, clock, traveller_id)

    return handler


check_in_traveller = _traveller_step(
    "check_in",
    "check-in",
    "Check in one traveller, from the arrival day (warnings: health form missing or not approved)",
)
check_out_traveller = _traveller_step("check_out", "check-out", "Check out one traveller who is checked in")
no_show_traveller = _traveller_step(
    "no_show", "no-show", "Mark one traveller as not come, once the arrival day is over"
)


@post(
    "/api/v1/operator/bookings/{booking_id:int}/travellers/{traveller_id:int}/undo",
    tags=TAGS,
    summary="Take back a traveller's last check-in, check-out or no-show, on the day it was done",
    guards=[operators],
    status_code=200,
)
async def undo_traveller_step(
    request: Caller, booking_id: FromPath[int], traveller_id: FromPath[int], clock: NamedDependency[Clock]
) -> AttendanceOut:
    return await attendance.undo_attendance(
        request.user, booking_id, traveller_id, now=clock.now(), ip=client_ip(request)
    )


@post(
    "/api/v1/operator/bookings/{booking_id:int}/check-in",
    tags=TAGS,
    summary="Check in a confirmed booking, from its arrival day",
    guards=[operators],
    status_code=200,
)
async def check_in(request: Caller, booking_id: FromPath[int], clock: NamedDependency[Clock]) -> AttendanceOut:
    return await _attendance(request, booking_id, "check_in", clock)


@post(
    "/api/v1/operator/bookings/{booking_id:int}/check-out",
    tags=TAGS,
    summary="Check out a booking that is checked in",
    guards=[operators],
    status_code=200,
)
async def check_out(request: Caller, booking_id: FromPath[int], clock: NamedDependency[Clock]) -> AttendanceOut:
    return await _attendance(request, booking_id, "check_out", clock)


@post(
    "/api/v1/operator/bookings/{booking_id:int}/no-show",
    tags=TAGS,
    summary="Mark a confirmed booking as not come, once its arrival day is over",
    guards=[operators],
    status_code=200,
)
async def no_show(request: Caller, booking_id: FromPath[int], clock: NamedDependency[Clock]) -> AttendanceOut:
    return await _attendance(request, booking_id, "no_show", clock)


ROUTES = [
    list_bases,
    base_dashboard,
    base_occupancy,
    arrivals_manifest,
    base_week,
    check_in,
    check_out,
    no_show,
    check_in_traveller,
    check_out_traveller,
    no_show_traveller,
    undo_traveller_step,
]
