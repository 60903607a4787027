"""The booking steps before anything is held: who travels (adding a family member on the way),
the dates of a seasonal stay, and holding the beds (or joining the waiting list when full).

Steps 1 and 2 are GET forms: choices travel in the address, so Back, reload and sign-in
(``next``) keep them. Step 3 is the first POST: ``holds.hold_beds``. Everything after the hold
lives in ``hold_web`` (health forms, check, confirm).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts import rate_limits
from sojourn.accounts.tables import Role
from sojourn.bookings import holds, waitlist
from sojourn.bookings.pages import booker_page, stay_query, steps_for
from sojourn.bookings.schemas import BookingIn
from sojourn.bookings.stays import today_at
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.errors import Busy, Conflict, DomainError, InvalidInput
from sojourn.hotline.booking_for import SeniorGroup, booking_for, group_by_senior
from sojourn.i18n import gettext as _
from sojourn.tours import services as tours
from sojourn.tours.quotes import quote
from sojourn.tours.schemas import TourOut
from sojourn.travellers import services as travellers
from sojourn.web.forms import read_form
from sojourn.web.params import DateChoice, TravellerChoice
from sojourn.web.sign_in import after_sign_in


class StayForm(msgspec.Struct):
    traveller_ids: list[int] = []
    arrival: str | None = None
    departure: str | None = None
    request_key: Annotated[str, msgspec.Meta(max_length=64)] | None = None


async def _people(request: Request[Any, Any, Any], today: dt.date) -> list[Any]:
    """Who may be booked: the account's people; for an agent booking for a senior, only hers."""
    people, _total = await travellers.list_travellers(request.user, today)
    senior = booking_for(request)
    if senior is None:
        return people
    groups = await group_by_senior(request.user, people, senior["account_id"])
    return [person for group in groups for person in group.people]


async def _groups(request: Request[Any, Any, Any], people: list[Any]) -> list[SeniorGroup] | None:
    """An agent's choices per senior (never one flat list of everyone's people)."""
    if request.user.role != Role.agent:
        return None
    senior = booking_for(request)
    return await group_by_senior(request.user, people, senior["account_id"] if senior else None)


def _context(tour: TourOut, step: str, **extra: Any) -> dict[str, Any]:
    return {"tour": tour, "steps": steps_for(tour.mode), "step": step, "errors": {}, **extra}


async def _travellers_page(
    request: Request[Any, Any, Any],
    tour: TourOut,
    people: list[Any],
    chosen: list[int],
    arrival: str | None,
    departure: str | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    next_step = f"/book/{tour.id}/dates" if tour.mode == "migratory" else f"/book/{tour.id}/hold"
    return Template(
        "bookings/travellers.html",
        context=_context(
            tour,
            "travellers",
            people=people,
            groups=await _groups(request, people),
            chosen=chosen,
            arrival=arrival or "",
            departure=departure or "",
            next_step=next_step,
            errors=errors or {},
        ),
        status_code=status,
    )


def _no_one_chosen() -> dict[str, str]:
    return {"traveller_ids": _("Choose at least one person who travels.")}


@get("/book/{tour_id:int}", include_in_schema=False, guards=[booker_page])
async def choose_travellers(
    request: Request[Any, Any, Any],
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    traveller_ids: TravellerChoice = None,
    arrival: DateChoice = None,
    departure: DateChoice = None,
) -> Template | Redirect:
    tour = await tours.get_tour(tour_id, clock.now())
    people = await _people(request, clock.today_in(tour.time_zone))
    chosen = traveller_ids or ([people[0].id] if len(people) == 1 else [])
    return await _travellers_page(request, tour, people, chosen, arrival, departure)


def _dates_page(tour: TourOut, chosen: list[int], offer: dict[str, Any], status: int = 200) -> Template:
    return Template(
        "bookings/dates.html",
        context=_context(tour, "dates", chosen=chosen, quote=offer, errors=offer["errors"]),
        status_code=status,
    )


@get("/book/{tour_id:int}/dates", include_in_schema=False, guards=[booker_page])
async def choose_dates(
    request: Request[Any, Any, Any],
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    traveller_ids: TravellerChoice = None,
    arrival: DateChoice = None,
    departure: DateChoice = None,
) -> Template | Redirect:
    now = clock.now()
    tour = await tours.get_tour(tour_id, now)
    if tour.mode != "migratory":
        return Redirect(f"/book/{tour.id}/hold?{stay_query(traveller_ids or [])}", status_code=303)
    if not traveller_ids:
        people = await _people(request, clock.today_in(tour.time_zone))
        return await _travellers_page(request, tour, people, [], arrival, departure, _no_one_chosen(), 400)
    offer = quote(tour, arrival, departure, len(traveller_ids), today_at(tour.time_zone, now))
    return _dates_page(tour, traveller_ids, offer)


def _hold_page(
    tour: TourOut,
    people: list[Any],
    chosen: list[int],
    offer: dict[str, Any],
    *,
    problem: DomainError | None = None,
    status: int = 200,
) -> Template:
    names = [person for person in people if person.id in chosen]
    extra = dict(problem.extra) if problem else {}
    return Template(
        "bookings/hold.html",
        context=_context(
            tour,
            "hold",
            chosen=chosen,
            names=names,
            quote=offer,
            request_key=secrets.token_urlsafe(16),
            problem=str(problem.message) if problem else None,
            problem_code=problem.code if problem else None,
            nights_short=[
                {"date": dt.date.fromisoformat(night["date"]), "beds_left": night["beds_left"]}
                for night in extra.get("nights_short", [])
            ],
            can_wait=bool(problem and problem.code in ("sold_out", "seats_short", "quota_short")),
        ),
        status_code=status,
    )


@get("/book/{tour_id:int}/hold", include_in_schema=False, guards=[booker_page])
async def review_before_hold(
    request: Request[Any, Any, Any],
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    traveller_ids: TravellerChoice = None,
    arrival: DateChoice = None,
    departure: DateChoice = None,
) -> Template | Redirect:
    now = clock.now()
    tour = await tours.get_tour(tour_id, now)
    people = await _people(request, clock.today_in(tour.time_zone))
    if not traveller_ids:
        return await _travellers_page(request, tour, people, [], arrival, departure, _no_one_chosen(), 400)
    offer = quote(tour, arrival, departure, len(traveller_ids), today_at(tour.time_zone, now))
    if tour.mode == "migratory" and (offer["errors"] or not offer.get("nights")):
        if not offer["errors"]:
            offer["errors"] = {"arrival": _("Choose the day you arrive."), "departure": _("Choose the day you leave.")}
        return _dates_page(tour, traveller_ids, offer, 400)
    return _hold_page(tour, people, traveller_ids, offer)


async def _stay_form(request: Request[Any, Any, Any]) -> StayForm:
    return await read_form(request, StayForm, lists=("traveller_ids",))


async def _hold_step_after_sign_in(request: Request[Any, Any, Any]) -> str:
    """Back to the hold step, with the people and dates the form carried."""
    form = await _stay_form(request)
    choices = stay_query(form.traveller_ids, form.arrival, form.departure)
    return f"/book/{request.path_params['tour_id']}/hold?{choices}"


def _booking_in(tour_id: int, form: StayForm) -> BookingIn:
    try:
        arrival = dt.date.fromisoformat(form.arrival) if form.arrival else None
        departure = dt.date.fromisoformat(form.departure) if form.departure else None
    except ValueError:
        message = _("Use a date like 2027-01-15.")
        raise InvalidInput(message, field_errors={"arrival": message}) from None
    if not form.traveller_ids:
        raise InvalidInput(_("Choose at least one person who travels."), field_errors=_no_one_chosen())
    return BookingIn(tour_id=tour_id, traveller_ids=form.traveller_ids, arrival=arrival, departure=departure)


async def _refused(
    request: Request[Any, Any, Any], tour: TourOut, form: StayForm, problem: DomainError, now: dt.datetime
) -> Template:
    """Show the engine's answer on the step it concerns: people, dates, or the hold itself."""
    people = await _people(request, today_at(tour.time_zone, now))
    fields = {key: str(value) for key, value in problem.field_errors.items()}
    if "traveller_ids" in fields:
        return await _travellers_page(
            request, tour, people, form.traveller_ids, form.arrival, form.departure, fields, problem.status
        )
    offer = quote(tour, form.arrival, form.departure, max(len(form.traveller_ids), 1), today_at(tour.time_zone, now))
    if fields and tour.mode == "migratory":
        offer["errors"] = fields
        return _dates_page(tour, form.traveller_ids, offer, problem.status)
    return _hold_page(tour, people, form.traveller_ids, offer, problem=problem, status=problem.status)


@post(
    "/book/{tour_id:int}/hold",
    include_in_schema=False,
    status_code=303,
    middleware=[rate_limits.booking_creation.middleware],
    guards=[booker_page],
    opt=after_sign_in(_hold_step_after_sign_in),
)
async def hold(
    request: Request[Any, Any, Any],
    tour_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    form = await _stay_form(request)
    principal = request.user
    now = clock.now()
    tour = await tours.get_tour(tour_id, now)
    try:
        result = await holds.hold_beds(
            principal, _booking_in(tour_id, form), settings=settings, now=now, idempotency_key=form.request_key
        )
    except (InvalidInput, Conflict, Busy) as problem:
        return await _refused(request, tour, form, problem, now)
    return Redirect(f"/trips/{result.booking.id}/health", status_code=303)


@post(
    "/book/{tour_id:int}/waitlist",
    include_in_schema=False,
    status_code=303,
    middleware=[rate_limits.booking_creation.middleware],
    guards=[booker_page],
    opt=after_sign_in(_hold_step_after_sign_in),
)
async def join_waitlist(
    request: Request[Any, Any, Any],
    tour_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    form = await _stay_form(request)
    principal = request.user
    now = clock.now()
    tour = await tours.get_tour(tour_id, now)
    try:
        entry, _replayed = await waitlist.join_waitlist(
            principal,
            tour_id,
            _booking_in(tour_id, form),
            settings=settings,
            now=now,
            idempotency_key=f"wait-{form.request_key}" if form.request_key else None,
        )
    except (InvalidInput, Conflict, Busy) as problem:
        return await _refused(request, tour, form, problem, now)
    flash(
        request,
        _(
            "You are on the waiting list, number %(n)s. We will offer you the beds as soon as they are free.",
            n=entry.position or 1,
        ),
        "ok",
    )
    return Redirect("/trips#waiting", status_code=303)


ROUTES = [choose_travellers, choose_dates, review_before_hold, hold, join_waitlist]
