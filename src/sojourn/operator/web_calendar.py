"""The beds calendar of a base: a month of nights (beds, taken, held, in colour and in words)
and one form to set beds, or close nights, over a date range and chosen weekdays.

Changes go through ``bookings.capacity.change_capacity`` like the API: under the base's lock,
never below what is taken. A refusal shows the nights and the bookings in the way.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, Parameter
from litestar.response import Redirect, Template

from sojourn import db
from sojourn.accounts.guards import operators
from sojourn.bookings import capacity
from sojourn.bookings.stays import today_at
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.errors import Conflict, DomainError
from sojourn.i18n import gettext as _
from sojourn.operator import occupancy
from sojourn.operator.pages import Caller, choose_base, done, errors_of, page
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form
from sojourn.web.params import Month

BaseId = Annotated[int | None, Parameter(ge=1, description="Which of your bases")]
WEEKDAY_NUMBERS = (1, 2, 3, 4, 5, 6, 7)


class CapacityForm(msgspec.Struct):
    first_night: dt.date
    last_night: dt.date
    beds: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | None = None
    weekdays: list[Annotated[int, msgspec.Meta(ge=1, le=7)]] = msgspec.field(default_factory=list)
    action: str = "set"  # "close": no beds on these nights


def _month_start(month: str | None, today: dt.date) -> dt.date:
    return dt.date.fromisoformat(f"{month}-01") if month else today.replace(day=1)


def _weeks(first: dt.date, nights: list[Any]) -> list[list[Any]]:
    """Monday-first rows of seven cells; None outside the month."""
    cells: list[Any] = [None] * first.weekday()
    cells += [{"night": night, "level": occupancy.level(night)} for night in nights]
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


async def _calendar_page(
    request: Caller,
    base_id: int,
    month: str | None,
    now: dt.datetime,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    refusal: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    bases, base = await choose_base(request.user, base_id)
    today = today_at(base.time_zone, now)
    first = _month_start(month, today)
    days = month_calendar.monthrange(first.year, first.month)[1]
    end = first + dt.timedelta(days=days)
    async with db.connection() as conn:
        nights = await occupancy.nights(conn, base.id, first, end, now)
    previous_month = (first - dt.timedelta(days=1)).replace(day=1)
    return page(
        "calendar.html",
        status_code=status_code,
        section="calendar",
        bases=bases,
        base=base,
        month=first,
        previous_month=previous_month,
        next_month=end,
        weeks=_weeks(first, nights),
        weekday_names=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        weekday_numbers=WEEKDAY_NUMBERS,
        errors=errors or {},
        values=values or {"first_night": first.isoformat(), "last_night": (end - dt.timedelta(days=1)).isoformat()},
        refusal=refusal,
    )


@get("/operator/calendar", include_in_schema=False, guards=[operators])
async def calendar_for_base(request: Caller, base_id: BaseId = None, month: Month = None) -> Redirect:
    """The base picker's target: on to that base's calendar."""
    _bases, base = await choose_base(request.user, base_id)
    if base is None:
        return Redirect("/operator", status_code=303)
    return Redirect(f"/operator/bases/{base.id}/calendar" + (f"?month={month}" if month else ""), status_code=303)


@get("/operator/bases/{base_id:int}/calendar", include_in_schema=False, guards=[operators])
async def calendar_page(
    request: Caller, base_id: FromPath[int], clock: NamedDependency[Clock], month: Month = None
) -> Template:
    return await _calendar_page(request, base_id, month, clock.now())


FIELD_OF = {"start": "first_night", "end": "last_night", "weekdays": "weekdays", "beds": "beds"}


@post("/operator/bases/{base_id:int}/calendar", include_in_schema=False, guards=[operators], status_code=303)
async def change_beds(
    request: Caller,
    base_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    now = clock.now()
    try:
        form = await read_form(request, CapacityForm, lists=("weekdays",))
    except FormErrors as invalid:
        return await _calendar_page(
            request, base_id, None, now, errors=invalid.errors, values=invalid.values, status_code=400
        )
    values = {
        **msgspec.structs.asdict(form),
        "first_night": form.first_night.isoformat(),
        "last_night": form.last_night.isoformat(),
    }
    month = form.first_night.strftime("%Y-%m")
    closing = form.action == "close"
    if form.beds is None and not closing:
        return await _calendar_page(
            request,
            base_id,
            month,
            now,
            errors={"beds": _("Enter how many beds to offer.")},
            values=values,
            status_code=400,
        )
    beds = 0 if closing else int(form.beds or 0)
    change = capacity.CapacityIn(
        start=form.first_night,
        end=form.last_night + dt.timedelta(days=1),
        beds=beds,
        weekdays=sorted(set(form.weekdays)) or None,
    )
    try:
        result = await capacity.change_capacity(
            request.user, base_id, change, settings=settings, now=now, ip=client_ip(request)
        )
    except Conflict as refused:
        refusal = {"message": str(refused.message), **refused.extra}
        return await _calendar_page(
            request,
            base_id,
            month,
            now,
            values=values,
            refusal=refusal,
            status_code=409,
            errors={"first_night": str(refused.message)},
        )
    except DomainError as refused:
        if refused.status == 404:
            raise
        errors = {FIELD_OF.get(key, key): value for key, value in errors_of(refused, "first_night").items()}
        return await _calendar_page(request, base_id, month, now, errors=errors, values=values, status_code=422)
    message = (
        _("%(n)s nights are closed.", n=result.nights_changed)
        if closing
        else _("%(n)s nights now have %(beds)s beds.", n=result.nights_changed, beds=beds)
    )
    return done(request, message, f"/operator/bases/{base_id}/calendar?month={month}")


ROUTES = [calendar_for_base, calendar_page, change_beds]
