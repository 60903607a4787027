"""Public catalogue: tours and their availability."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import FromPath, FromQuery

from sojourn.alliance.params import Mode
from sojourn.bases import services as bases
from sojourn.bases.schemas import Availability
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours import search_api, services
from sojourn.tours.schemas import StayOut, StayPage, TourOut
from sojourn.tours.search_api import MaxPrice, Party, SortChoice, StayDate
from sojourn.web.params import AreaCode, Limit, Month, Offset, SearchText

MAX_AVAILABILITY_NIGHTS = 400


@get(
    "/api/v1/tours",
    tags=["Catalogue"],
    summary="Find tours (with arrival and departure: stays with room on every night)",
)
async def list_tours(
    request: Request[Any, Any, Any],
    clock: NamedDependency[Clock],
    mode: Mode = None,
    destination: AreaCode = None,
    origin: AreaCode = None,
    month: Month = None,
    q: SearchText = None,
    arrival: StayDate = None,
    departure: StayDate = None,
    party: Party = None,
    max_price_fen: MaxPrice = None,
    sort: SortChoice = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> StayPage:
    filters = services.TourFilter(
        mode=mode.value if mode else None,
        destination=destination,
        origin=origin,
        month=dt.date.fromisoformat(f"{month}-01") if month else None,
        q=q or None,
    )
    if arrival or departure or party or max_price_fen is not None or sort:
        stays = await search_api.find_stays(
            request, filters, arrival, departure, party, max_price_fen, sort, clock, limit, offset
        )
        return StayPage(items=stays.items, total=stays.total, total_is_lower_bound=stays.total_is_lower_bound)
    tours, total = await services.find_tours(filters, clock.now(), limit=limit, offset=offset)
    return StayPage(items=[StayOut(**msgspec.structs.asdict(tour)) for tour in tours], total=total)


@get("/api/v1/tours/{tour_id:int}", tags=["Catalogue"], summary="One tour")
async def get_tour(tour_id: FromPath[int], clock: NamedDependency[Clock]) -> TourOut:
    return await services.get_tour(tour_id, clock.now())


@get(
    "/api/v1/tours/{tour_id:int}/availability",
    tags=["Catalogue"],
    summary="Beds left per night",
)
async def tour_availability(
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    start: FromQuery[dt.date | None] = None,
    end: FromQuery[dt.date | None] = None,
) -> Availability:
    """Beds left on each night in [start, end), clipped to the tour's dates (default: all of them)."""
    tour = await services.get_tour(tour_id, clock.now())
    first = max(start or tour.starts_on, tour.starts_on)
    last = min(end or tour.ends_on, tour.ends_on)
    if start and end and end <= start:
        raise InvalidInput(
            _l("The end date must be after the start date."), field_errors={"end": _l("Must be after start.")}
        )
    if (last - first).days > MAX_AVAILABILITY_NIGHTS:
        raise InvalidInput(_l("Ask for at most 400 nights at a time."))
    nights = await bases.availability(tour.base_id, first, last, clock.now()) if last > first else []
    return Availability(nights=nights, seats_left=tour.seats_left)


ROUTES = [list_tours, get_tour, tour_availability]
