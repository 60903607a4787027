"""The search page's dates and people (``/tours?arrival=&departure=&party=&sort=&home=``): the
same search as the API (``tours.search``), its refusals shown next to the fields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from sojourn.alliance.regions import PROVINCES, province_name
from sojourn.bases.geo import PROVINCE_SEATS, province_seat
from sojourn.errors import InvalidInput
from sojourn.i18n import current_locale
from sojourn.tours import search
from sojourn.tours.schemas import StayOut
from sojourn.tours.search_api import home_of
from sojourn.tours.services import TourFilter


@dataclass
class DatedResults:
    searched: bool = False
    items: list[StayOut] = field(default_factory=list)
    total: int = 0
    more_than_total: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    home_known: bool = False


def home_choices() -> list[tuple[str, str]]:
    return [(code, province_name(code, current_locale())) for code in PROVINCES if code in PROVINCE_SEATS]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def stays_by_dates(
    request: Request[Any, Any, Any], form: Any, filters: TourFilter, now: dt.datetime, page: int, page_size: int
) -> DatedResults:
    """The dated search when the form has dates; nothing (``searched`` False) otherwise."""
    if not form.arrival and not form.departure:
        return DatedResults()
    arrival, departure = _date(form.arrival), _date(form.departure)
    home = province_seat(form.home) if form.home else await home_of(request, None, now.date())
    sort = form.sort or "price"
    try:
        search.check_search(arrival, departure, form.party, sort, home)
    except InvalidInput as wrong:
        return DatedResults(errors={key: str(value) for key, value in wrong.field_errors.items()})
    assert arrival is not None and departure is not None
    query = search.StaySearch(arrival=arrival, departure=departure, party=form.party, sort=sort, home=home)  # type: ignore[arg-type]
    found = await search.search_stays(filters, query, now, limit=page_size, offset=(page - 1) * page_size)
    return DatedResults(
        searched=True,
        items=found.items,
        total=found.total,
        more_than_total=found.total_is_lower_bound,
        home_known=home is not None,
    )
