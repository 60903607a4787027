"""The front desk traveller by traveller: a week of arrivals and departures, check-in and no-show
per traveller (a warning when the health form is missing or not approved), check-out after a
page that asks to confirm it, and a same-day undo. The same services as the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, Parameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts.guards import operators
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.errors import DomainError, NotFound
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.operator import attendance, dashboard
from sojourn.operator.pages import Caller, choose_base, done, page, refused
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import read_form, safe_next

Start = Annotated[dt.date | None, Parameter(description="The first day of the week, YYYY-MM-DD")]
TRAVELLER = "/operator/bookings/{booking_id:int}/travellers/{traveller_id:int}"


class NextForm(msgspec.Struct):
    next: str = "/operator"


@get("/operator/bases/{base_id:int}/week", include_in_schema=False, guards=[operators])
async def week_page(
    request: Caller, base_id: FromPath[int], clock: NamedDependency[Clock], start: Start = None
) -> Template:
    bases, base = await choose_base(request.user, base_id)
    week = await dashboard.week_at_the_desk(request.user, base.id, start, now=clock.now())
    return page(
        "week.html",
        section="arrivals",
        bases=bases,
        base=base,
        week=week,
        previous_week=week.start - dt.timedelta(days=7),
        next_week=week.start + dt.timedelta(days=7),
    )


def _name_of(result: Any, traveller_id: int) -> str:
    return next((person.name for person in result.travellers if person.traveller_id == traveller_id), "")


MESSAGES = {
    "check_in": lambda name: _("%(name)s is checked in.", name=name),
    "check_out": lambda name: _("%(name)s is checked out.", name=name),
    "no_show": lambda name: _("%(name)s is marked as not come.", name=name),
}


def _step_handler(step: str, slug: str) -> Any:
    @post(f"{TRAVELLER}/{slug}", include_in_schema=False, guards=[operators], status_code=303, name=f"desk_{step}")
    async def handler(
        request: Caller, booking_id: FromPath[int], traveller_id: FromPath[int], clock: NamedDependency[Clock]
    ) -> Redirect:
        form = await read_form(request, NextForm)
        target = safe_next(form.next, "/operator")
        try:
            result = await attendance.record_attendance(
                request.user, booking_id, step, now=clock.now(), traveller_id=traveller_id, ip=client_ip(request)
            )
        except DomainError as error:
            return refused(request, error, target)
        for warning in result.warnings:
            flash(request, warning, "warn")
        return done(request, MESSAGES[step](_name_of(result, traveller_id)), target)

    return handler


check_in_traveller = _step_handler("check_in", "check-in")
no_show_traveller = _step_handler("no_show", "no-show")
check_out_traveller = _step_handler("check_out", "check-out")


@get(f"{TRAVELLER}/check-out", include_in_schema=False, guards=[operators])
async def confirm_check_out_page(
    request: Caller, booking_id: FromPath[int], traveller_id: FromPath[int], clock: NamedDependency[Clock]
) -> Template:
    """Check-out is asked for on a page of its own, never one click next to a check-in."""
    stay = await attendance.booking_at_the_desk(request.user, booking_id, now=clock.now())
    person = next((p for p in stay.travellers if p.traveller_id == traveller_id), None)
    if person is None:
        raise NotFound(_l("This traveller is not on this booking."))
    bases, base = await choose_base(request.user, stay.base_id)
    back = safe_next(request.query_params.get("next"), f"/operator/bases/{base.id}/arrivals")
    return page("check_out.html", section="arrivals", bases=bases, base=base, stay=stay, person=person, back_link=back)


@post(f"{TRAVELLER}/undo", include_in_schema=False, guards=[operators], status_code=303)
async def undo_step(
    request: Caller, booking_id: FromPath[int], traveller_id: FromPath[int], clock: NamedDependency[Clock]
) -> Redirect:
    form = await read_form(request, NextForm)
    target = safe_next(form.next, "/operator")
    try:
        result = await attendance.undo_attendance(
            request.user, booking_id, traveller_id, now=clock.now(), ip=client_ip(request)
        )
    except DomainError as error:
        return refused(request, error, target)
    return done(request, _("Undone for %(name)s.", name=_name_of(result, traveller_id)), target)


ROUTES = [
    week_page,
    check_in_traveller,
    no_show_traveller,
    check_out_traveller,
    confirm_check_out_page,
    undo_step,
]
