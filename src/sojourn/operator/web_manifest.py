"""Console pages for passenger lists: a printable page and a CSV file, per departure and per
arrival day. Every one of them is an export and is audited by the manifest service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Response, get
from litestar.params import FromPath, Parameter
from litestar.response import Template

from sojourn.accounts.guards import operators
from sojourn.bookings.stays import today_at
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.operator import manifest
from sojourn.operator.pages import Caller, choose_base, page
from sojourn.web.client_ip import client_ip

Day = Annotated[dt.date | None, Parameter(description="A day, YYYY-MM-DD")]


def _csv(data: Any) -> Response[bytes]:
    return Response(
        manifest.to_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{manifest.csv_filename(data)}"'},
    )


def _page(data: Any, bases: Any, base: Any, csv_link: str, back_link: str) -> Template:
    return page(
        "manifest.html",
        section="tours" if data.kind == "tour" else "arrivals",
        bases=bases,
        base=base,
        manifest=data,
        csv_link=csv_link,
        back_link=back_link,
        companion_text=manifest.companion_text,
        emergency_text=manifest.emergency_text,
        diet_text=manifest.diet_text,
        mobility_text=manifest.mobility_text,
    )


@get("/operator/tours/{tour_id:int}/manifest", include_in_schema=False, guards=[operators])
async def tour_manifest_page(
    request: Caller, tour_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template:
    data = await manifest.tour_manifest(
        request.user, tour_id, keyring=keyring, now=clock.now(), export_format="html", ip=client_ip(request)
    )
    bases, base = await choose_base(request.user, data.base_id)
    return _page(data, bases, base, f"/operator/tours/{tour_id}/manifest.csv", f"/operator/tours/{tour_id}")


@get("/operator/tours/{tour_id:int}/manifest.csv", include_in_schema=False, guards=[operators])
async def tour_manifest_csv(
    request: Caller, tour_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Response[bytes]:
    data = await manifest.tour_manifest(
        request.user, tour_id, keyring=keyring, now=clock.now(), export_format="csv", ip=client_ip(request)
    )
    return _csv(data)


async def _day(request: Caller, base_id: int, date: dt.date | None, now: dt.datetime) -> tuple[Any, Any, dt.date]:
    bases, base = await choose_base(request.user, base_id)
    return bases, base, date or today_at(base.time_zone, now)


@get("/operator/bases/{base_id:int}/manifest", include_in_schema=False, guards=[operators])
async def arrivals_manifest_page(
    request: Caller,
    base_id: FromPath[int],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
    date: Day = None,
) -> Template:
    bases, base, day = await _day(request, base_id, date, clock.now())
    data = await manifest.arrivals_manifest(
        request.user, base_id, day, keyring=keyring, now=clock.now(), export_format="html", ip=client_ip(request)
    )
    return _page(
        data,
        bases,
        base,
        f"/operator/bases/{base_id}/manifest.csv?date={day.isoformat()}",
        f"/operator/bases/{base_id}/arrivals?date={day.isoformat()}",
    )


@get("/operator/bases/{base_id:int}/manifest.csv", include_in_schema=False, guards=[operators])
async def arrivals_manifest_csv(
    request: Caller,
    base_id: FromPath[int],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
    date: Day = None,
) -> Response[bytes]:
    _bases, _base, day = await _day(request, base_id, date, clock.now())
    data = await manifest.arrivals_manifest(
        request.user, base_id, day, keyring=keyring, now=clock.now(), export_format="csv", ip=client_ip(request)
    )
    return _csv(data)


ROUTES = [tour_manifest_page, tour_manifest_csv, arrivals_manifest_page, arrivals_manifest_csv]
