"""Pages: the home page and search (``/``, ``/tours``), a tour's own page, and its price for chosen dates.

Every filter is a plain GET form, so search works without JavaScript; HTMX only swaps the
results in place. Scores always come with the number of reviews they rest on.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Optional

import msgspec
from litestar import Request, get
from litestar.params import FromPath, Parameter
from litestar.response import Template

from sojourn.alliance.regions import province_name
from sojourn.bases import services as bases
from sojourn.bases import travel
from sojourn.bases.place_web import place_context
from sojourn.bookings.stays import stay_for, today_at
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.errors import DomainError, InvalidInput
from sojourn.feedback import reviews
from sojourn.feedback.scores import base_scores
from sojourn.i18n import current_locale
from sojourn.tours import calendar_web, services
from sojourn.tours.calendar_web import MonthChoice
from sojourn.tours.pricing import traveller_price_fen
from sojourn.tours.search_web import home_choices, stays_by_dates
from sojourn.tours.schemas import TourOut
from sojourn.tours.suitability import suitable_for
from sojourn.travellers import services as travellers
from sojourn.web.params import SearchText

PAGE_SIZE = 10
SHANGHAI = "Asia/Shanghai"

# Search parameters come from <select>s whose "any" choice is empty, so "" is allowed everywhere.
ModeChoice = Annotated[Optional[str], Parameter(pattern=r"^(|migratory|vacation|interactive)$")]
AreaChoice = Annotated[Optional[str], Parameter(pattern=r"^(|[1-9][0-9]{5})$")]
PriceChoice = Annotated[Optional[str], Parameter(pattern=r"^[0-9]{0,6}$", description="Highest price in yuan")]
MedicalChoice = Annotated[Optional[str], Parameter(pattern=r"^(|hospital|doctor|staff)$")]
AccessChoice = Annotated[Optional[list[str]], Parameter(max_items=10)]
FlagChoice = Annotated[Optional[str], Parameter(pattern=r"^(|1|on)$")]
PageNumber = Annotated[int, Parameter(ge=1, le=10_000)]
DateChoice = Annotated[Optional[str], Parameter(pattern=r"^(|[0-9]{4}-[0-9]{2}-[0-9]{2})$")]
PartySize = Annotated[int, Parameter(ge=1, le=10)]
SortChoice = Annotated[Optional[str], Parameter(pattern=r"^(|price|rating|distance)$")]

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
        months.append((first.strftime("%Y-%m"), calendar_web.month_label(first)))
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
) -> Template:
    now = clock.now()
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
        people, _ = await travellers.list_travellers(user, clock.today_in(SHANGHAI))
        suitability = suitable_for(people)
        if form.suitable and suitability is not None:
            filters = suitability.narrow(filters)
    if form.suitable and suitability is None:
        form = msgspec.structs.replace(form, suitable=False)
    dated = await stays_by_dates(request, form, filters, now, page, PAGE_SIZE)
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
        "months": _months_ahead(clock.today_in(SHANGHAI)),
        "price_choices": PRICE_CHOICES,
        "accessibility": ACCESSIBILITY,
        "dated": dated,
        "home_choices": home_choices(),
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return Template("tours/_results.html", context=context)
    return Template("tours/search.html", context=context)


def _as_mapping(tour: TourOut) -> dict[str, Any]:
    return msgspec.structs.asdict(tour)


def quote(tour: TourOut, arrival: str | None, departure: str | None, party: int, today: dt.date) -> dict[str, Any]:
    """Nights and price for the chosen dates, with the engine's own checks and rounding."""
    result: dict[str, Any] = {"arrival": arrival or "", "departure": departure or "", "party": party, "errors": {}}
    if tour.mode != "migratory":
        nights = (tour.ends_on - tour.starts_on).days
        per_person = traveller_price_fen(_as_mapping(tour), nights)
        return {
            **result,
            "nights": nights,
            "per_person_fen": per_person,
            "total_fen": per_person * party,
            "arrival_date": tour.starts_on,
            "departure_date": tour.ends_on,
        }
    if not arrival and not departure:
        return result
    try:
        first = dt.date.fromisoformat(arrival) if arrival else None
        last = dt.date.fromisoformat(departure) if departure else None
    except ValueError:
        return {**result, "errors": {"arrival": _date_hint()}}
    try:
        stay = stay_for(_as_mapping(tour), first, last, today)
    except DomainError as wrong:
        errors = {key: str(value) for key, value in wrong.field_errors.items()} or {"arrival": str(wrong.message)}
        return {**result, "errors": errors}
    per_person = traveller_price_fen(_as_mapping(tour), stay.nights)
    return {
        **result,
        "nights": stay.nights,
        "per_person_fen": per_person,
        "total_fen": per_person * party,
        "arrival_date": stay.arrival,
        "departure_date": stay.departure,
    }


def _date_hint() -> str:
    from sojourn.i18n import gettext as _

    return _("Use a date like 2027-01-15.")


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
    today = today_at(base.time_zone, now)
    base_reviews = await reviews.base_reviews(tour.base_id, limit=5)
    calendar = await calendar_web.month_calendar(tour, base.time_zone, month or None, now)
    return Template(
        "tours/tour.html",
        context={
            "tour": tour,
            "base": base,
            "reviews": base_reviews,
            "quote": quote(tour, arrival, departure, party, today),
            "calendar": calendar,
            "live": calendar_web.live_updates(),
            "today": today,
            "province": province_name(base.province_code, current_locale()),
            **place_context(await travel.place_of(tour.base_id)),
        },
    )


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
    base = await bases.get_base(tour.base_id)
    return Template(
        "tours/_price.html",
        context={"tour": tour, "quote": quote(tour, arrival, departure, party, today_at(base.time_zone, now))},
    )


def check_dates(tour: TourOut, arrival: str | None, departure: str | None, today: dt.date) -> None:
    """Raise the engine's own InvalidInput for dates that do not fit (used by the booking steps)."""
    errors = quote(tour, arrival, departure, 1, today)["errors"]
    if errors:
        raise InvalidInput(next(iter(errors.values())), field_errors=errors)


ROUTES = [search_page, tour_page, price_fragment]
