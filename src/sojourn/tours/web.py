"""Pages: the home page and search (``/``, ``/tours``), a tour's own page, and its price for chosen dates.

Every filter is a plain GET form, so search works without JavaScript; HTMX only swaps the
results in place. Scores always come with the number of reviews they rest on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.params import FromPath, Parameter, QueryParameter
from litestar.response import Template

from sojourn.alliance.regions import province_name
from sojourn.bases import services as bases
from sojourn.bases import travel
from sojourn.bases.pages import place_context
from sojourn.bookings.stays import today_at
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.feedback import reviews
from sojourn.feedback.scores import base_scores
from sojourn.hotline.booking_for import start_booking_for
from sojourn.i18n import current_locale
from sojourn.tours import month_calendar, services
from sojourn.tours.month_calendar import MonthChoice
from sojourn.tours.quotes import quote
from sojourn.tours.schemas import TourOut
from sojourn.tours.search_web import home_choices, stays_by_dates
from sojourn.tours.suitability import suitable_for
from sojourn.travellers import services as travellers
from sojourn.web.params import DateChoice, SearchText

PAGE_SIZE = 10

# Search parameters come from <select>s whose "any" choice is empty, so "" is allowed everywhere.
ModeChoice = Annotated[str | None, Parameter(pattern=r"^(|migratory|vacation|interactive)$")]
AreaChoice = Annotated[str | None, Parameter(pattern=r"^(|[1-9][0-9]{5})$")]
PriceChoice = Annotated[str | None, Parameter(pattern=r"^[0-9]{0,6}$", description="Highest price in yuan")]
MedicalChoice = Annotated[str | None, Parameter(pattern=r"^(|hospital|doctor|staff)$")]
AccessChoice = Annotated[list[str] | None, Parameter(max_items=10)]
FlagChoice = Annotated[str | None, Parameter(pattern=r"^(|1|on)$")]
PageNumber = Annotated[int, Parameter(ge=1, le=10_000)]
PartySize = Annotated[int, Parameter(ge=1, le=10)]
SortChoice = Annotated[str | None, Parameter(pattern=r"^(|price|rating|distance)$")]
ForSenior = Annotated[int | None, QueryParameter(name="for", ge=1, le=2**31 - 1)]

MEDICAL_CHOICES = {
    "hospital": ("hospital_on_site",),
    "doctor": ("hospital_on_site", "clinic_on_site"),
    "staff": ("hospital_on_site", "clinic_on_site", "nurse_on_call"),
}
ACCESSIBILITY = (
    "step_free",
    "lift",
    "grab_rails",
    "accessible_bathroom",
    "wheelchair_loan",
    "hearing_loop",
    "large_print",
)
PRICE_CHOICES = (2000, 3000, 4000, 6000, 10000)


class SearchForm(msgspec.Struct):
    """What the visitor asked for, echoed back into the form."""

    mode: str = ""
    destination: str = ""
    month: str = ""
    max_price: str = ""
    medical: str = ""
    access: list[str] = []
    suitable: bool = False
    q: str = ""
    arrival: str = ""  # search by dates (tours.search): both days, the party, the order
    departure: str = ""
    party: int = 1
    sort: str = ""
    home: str = ""

    def query(self, page: int | None = None) -> list[tuple[str, str]]:
        pairs = [
            (k, v)
            for k, v in (
                ("mode", self.mode),
                ("destination", self.destination),
                ("month", self.month),
                ("max_price", self.max_price),
                ("medical", self.medical),
                ("q", self.q),
                ("arrival", self.arrival),
                ("departure", self.departure),
                ("party", str(self.party) if self.party > 1 else ""),
                ("sort", self.sort),
                ("home", self.home),
            )
            if v
        ]
        pairs += [("access", value) for value in self.access]
        if self.suitable:
            pairs.append(("suitable", "1"))
        if page and page > 1:
            pairs.append(("page", str(page)))
        return pairs


def _filters(form: SearchForm) -> services.TourFilter:
    price = int(form.max_price) * 100 if form.max_price else None
    return services.TourFilter(
        mode=form.mode or None,
        destination=form.destination or None,
        month=dt.date.fromisoformat(f"{form.month}-01") if form.month else None,
        q=form.q or None,
        max_monthly_price_fen=price,
        max_package_price_fen=price,
        medical_levels=MEDICAL_CHOICES.get(form.medical, ()),
        accessibility=tuple(form.access),
    )


def _months_ahead(today: dt.date, count: int = 12) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append((first.strftime("%Y-%m"), month_calendar.month_label(first)))
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


async def _destinations() -> list[tuple[str, str]]:
    codes = sorted({base.province_code for base in await bases.list_bases()})
    return [(code, province_name(code, current_locale())) for code in codes]


@get(["/", "/tours"], include_in_schema=False)
async def search_page(
    request: Request[Any, Any, Any],
    clock: NamedDependency[Clock],
    mode: ModeChoice = None,
    destination: AreaChoice = None,
    month: MonthChoice = None,
    max_price: PriceChoice = None,
    medical: MedicalChoice = None,
    access: AccessChoice = None,
    suitable: FlagChoice = None,
    q: SearchText = None,
    arrival: DateChoice = None,
    departure: DateChoice = None,
    party: PartySize = 1,
    sort: SortChoice = None,
    home: AreaChoice = None,
    page: PageNumber = 1,
    for_senior: ForSenior = None,
) -> Template:
    now = clock.now()
    if for_senior is not None:  # the hotline opens the search "for" a senior: kept in view from here on
        await start_booking_for(request, for_senior)
    form = SearchForm(
        arrival=arrival or "",
        departure=departure or "",
        party=party,
        sort=sort or "",
        home=home or "",
        mode=mode or "",
        destination=destination or "",
        month=month or "",
        max_price=max_price or "",
        medical=medical or "",
        access=[a for a in (access or []) if a in ACCESSIBILITY],
        suitable=bool(suitable),
        q=(q or "").strip(),
    )
    filters = _filters(form)
    user = request.scope.get("user")
    suitability = None
    if user is not None and user.role.value == "traveller":
        people, _ = await travellers.list_travellers(user, clock.today_in(bases.ALLIANCE_TIME_ZONE))
        suitability = suitable_for(people)
        if form.suitable and suitability is not None:
            filters = suitability.narrow(filters)
    if form.suitable and suitability is None:
        form = msgspec.structs.replace(form, suitable=False)
    dated = await stays_by_dates(request, form, filters, now, page, PAGE_SIZE)
    tours: Sequence[TourOut]
    if dated.searched:
        tours, total = dated.items, dated.total
    else:
        tours, total = await services.find_tours(filters, now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    scores = await base_scores({tour.base_id for tour in tours}) if tours else {}
    context = {
        "form": form,
        "tours": tours,
        "total": total,
        "page": page,
        "pages": max(math.ceil(total / PAGE_SIZE), 1),
        "scores": scores,
        "suitability": suitability,
        "is_home": request.url.path == "/",
        "destinations": await _destinations(),
        "months": _months_ahead(clock.today_in(bases.ALLIANCE_TIME_ZONE)),
        "price_choices": PRICE_CHOICES,
        "accessibility": ACCESSIBILITY,
        "dated": dated,
        "home_choices": home_choices(),
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return Template("tours/_results.html", context=context)
    return Template("tours/search.html", context=context)


@get("/tours/{tour_id:int}", include_in_schema=False)
async def tour_page(
    request: Request[Any, Any, Any],
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    arrival: DateChoice = None,
    departure: DateChoice = None,
    party: PartySize = 1,
    month: MonthChoice = None,
) -> Template:
    now = clock.now()
    tour = await services.get_tour(tour_id, now)
    base = await bases.get_base(tour.base_id)
    today = today_at(tour.time_zone, now)
    base_reviews = await reviews.base_reviews(tour.base_id, limit=5)
    # The calendar opens on the month of the chosen arrival, unless a month was asked for.
    opening_month = month or (arrival[:7] if arrival else None)
    calendar = await month_calendar.month_calendar(tour, tour.time_zone, opening_month, now)
    return Template(
        "tours/tour.html",
        context={
            "tour": tour,
            "base": base,
            "reviews": base_reviews,
            "quote": quote(tour, arrival, departure, party, today),
            "calendar": calendar,
            "live": month_calendar.live_updates(),
            "today": today,
            "province": province_name(base.province_code, current_locale()),
            "exchange_outsiders": await _exchange_outsiders(request, tour, today),
            **place_context(await travel.place_of(tour.base_id)),
        },
    )


async def _exchange_outsiders(request: Request[Any, Any, Any], tour: TourOut, today: dt.date) -> list[str]:
    """The signed-in traveller's people who cannot join this exchange (they live elsewhere): told
    here, on the tour page, not at the booking's third step."""
    user = request.scope.get("user")
    if tour.mode != "interactive" or user is None or user.role.value != "traveller":
        return []
    provinces = {quota.province_code for quota in tour.quotas}
    people, _ = await travellers.list_travellers(user, today)
    return [person.name for person in people if person.home_province_code not in provinces]


@get("/tours/{tour_id:int}/price", include_in_schema=False)
async def price_fragment(
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    arrival: DateChoice = None,
    departure: DateChoice = None,
    party: PartySize = 1,
) -> Template:
    """The nights and total for the dates typed so far (HTMX swaps it in; the page has it too)."""
    now = clock.now()
    tour = await services.get_tour(tour_id, now)
    return Template(
        "tours/_price.html",
        context={"tour": tour, "quote": quote(tour, arrival, departure, party, today_at(tour.time_zone, now))},
    )


ROUTES = [search_page, tour_page, price_fragment]
