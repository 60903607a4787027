"""The search-by-dates parameters of ``GET /api/v1/tours`` (api.md, December additions) and
where "home" is for sorting by distance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Request
from litestar.params import Parameter

from sojourn.bases.geo import Point, province_seat
from sojourn.clock import Clock
from sojourn.tours import search
from sojourn.tours.services import TourFilter

StayDate = Annotated[dt.date | None, Parameter(description="A night's date, YYYY-MM-DD: arrival, or departure")]
Party = Annotated[int | None, Parameter(ge=1, le=10, description="How many people travel (default 1)")]
MaxPrice = Annotated[int | None, Parameter(ge=0, le=100_000_000, description="Highest total for the party, fen")]
SortChoice = Annotated[
    Literal["price", "rating", "distance"] | None,
    Parameter(description="price (total, lowest first), rating (best first) or distance (from origin, nearest first)"),
]


async def home_of(request: Request[Any, Any, Any], origin: str | None, today: dt.date) -> Point | None:
    """Where the traveller lives: ``origin`` if given, else the home province all the signed-in
    account's travellers share."""
    if origin:
        return province_seat(origin)
    user = request.scope.get("user")
    if user is None or user.role.value != "traveller":
        return None
    from sojourn.travellers import services as travellers

    people, _total = await travellers.list_travellers(user, today)
    provinces = {person.home_province_code for person in people}
    return province_seat(provinces.pop()) if len(provinces) == 1 else None


async def find_stays(
    request: Request[Any, Any, Any],
    filters: TourFilter,
    arrival: dt.date | None,
    departure: dt.date | None,
    party: int | None,
    max_price_fen: int | None,
    sort: str | None,
    clock: Clock,
    limit: int,
    offset: int,
) -> search.StayResults:
    now = clock.now()
    home = await home_of(request, filters.origin, clock.today_in("Asia/Shanghai"))
    chosen_sort = sort or "price"
    search.check_search(arrival, departure, party or 1, chosen_sort, home)
    assert arrival is not None and departure is not None
    query = search.StaySearch(
        arrival=arrival,
        departure=departure,
        party=party or 1,
        max_price_fen=max_price_fen,
        sort=chosen_sort,  # type: ignore[arg-type]
        home=home,
    )
    return await search.search_stays(filters, query, now, limit=limit, offset=offset)
