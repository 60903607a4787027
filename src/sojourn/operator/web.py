"""Console pages: today at the base, arrivals and departures (check-in, check-out, no-show),
and the feedback on the base (public replies, abuse flags). The same services as the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, Parameter
from litestar.response import Redirect, Template

from sojourn.accounts.guards import operators
from sojourn.bookings.stays import today_at
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.feedback import moderation
from sojourn.i18n import gettext as _
from sojourn.operator import attendance, dashboard
from sojourn.operator.occupancy import level
from sojourn.operator.pages import Caller, choose_base, done, page, refused
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form, safe_next

BaseId = Annotated[int | None, Parameter(ge=1, description="Which of your bases")]
Day = Annotated[dt.date | None, Parameter(description="A day, YYYY-MM-DD")]
Flagged = Annotated[bool | None, Parameter(description="Only flagged feedback")]


class NextForm(msgspec.Struct):
    next: str = "/operator"


class ReplyForm(msgspec.Struct):
    reply: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    next: str = "/operator/feedback"


class FlagForm(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""
    next: str = "/operator/feedback"


@get("/operator", include_in_schema=False, guards=[operators])
async def dashboard_page(request: Caller, clock: NamedDependency[Clock], base_id: BaseId = None) -> Template:
    bases, base = await choose_base(request.user, base_id)
    board = await dashboard.dashboard(request.user, base.id, now=clock.now()) if base else None
    levels = {night.date: level(night) for night in board.occupancy} if board else {}
    return page("dashboard.html", section="dashboard", bases=bases, base=base, board=board, levels=levels)


@get("/operator/arrivals", include_in_schema=False, guards=[operators])
async def arrivals_for_base(request: Caller, base_id: BaseId = None, date: Day = None) -> Redirect:
    """The base picker's target: on to that base's arrivals page."""
    _bases, base = await choose_base(request.user, base_id)
    target = f"/operator/bases/{base.id}/arrivals" if base else "/operator"
    return Redirect(target + (f"?date={date.isoformat()}" if date else ""), status_code=303)


@get("/operator/bases/{base_id:int}/arrivals", include_in_schema=False, guards=[operators])
async def arrivals_page(
    request: Caller, base_id: FromPath[int], clock: NamedDependency[Clock], date: Day = None
) -> Template:
    bases, base = await choose_base(request.user, base_id)
    today = today_at(base.time_zone, clock.now())
    day = date or today
    lists: dict[str, Any] = dict(await dashboard.front_desk(request.user, base.id, day, now=clock.now()))
    return page(
        "arrivals.html",
        section="arrivals",
        bases=bases,
        base=base,
        day=day,
        today=today,
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        **lists,
    )


def _attendance_handler(step: str, path: str, message: Any) -> Any:
    @post(path, include_in_schema=False, guards=[operators], status_code=303, name=f"operator_{step}")
    async def handler(request: Caller, booking_id: FromPath[int], clock: NamedDependency[Clock]) -> Redirect:
        form = await read_form(request, NextForm)
        target = safe_next(form.next, "/operator")
        try:
            result = await attendance.record_attendance(
                request.user, booking_id, step, now=clock.now(), ip=client_ip(request)
            )
        except DomainError as error:
            return refused(request, error, target)
        return done(request, message(result.reference), target)

    return handler


check_in = _attendance_handler(
    "check_in",
    "/operator/bookings/{booking_id:int}/check-in",
    lambda reference: _("%(reference)s is checked in.", reference=reference),
)
check_out = _attendance_handler(
    "check_out",
    "/operator/bookings/{booking_id:int}/check-out",
    lambda reference: _("%(reference)s is checked out.", reference=reference),
)
no_show = _attendance_handler(
    "no_show",
    "/operator/bookings/{booking_id:int}/no-show",
    lambda reference: _("%(reference)s is marked as not come.", reference=reference),
)


@get("/operator/feedback", include_in_schema=False, guards=[operators])
async def feedback_page(request: Caller, base_id: BaseId = None, flagged: Flagged = None) -> Template:
    bases, base = await choose_base(request.user, base_id)
    items, total = (
        await moderation.list_for_operators(request.user, base_id=base.id, flagged=flagged, limit=100)
        if base
        else ([], 0)
    )
    return page(
        "feedback.html",
        section="feedback",
        bases=bases,
        base=base,
        items=items,
        total=total,
        flagged=flagged,
        errors={},
    )


@post("/operator/feedback/{feedback_id:int}/reply", include_in_schema=False, guards=[operators], status_code=303)
async def reply_to_feedback(request: Caller, feedback_id: FromPath[int], clock: NamedDependency[Clock]) -> Redirect:
    try:
        form = await read_form(request, ReplyForm)
    except FormErrors as invalid:
        target = safe_next(invalid.values.get("next"), "/operator/feedback")
        return refused(request, invalid, target)
    target = safe_next(form.next, "/operator/feedback")
    try:
        await moderation.reply_to_feedback(
            request.user, feedback_id, form.reply, now=clock.now(), ip=client_ip(request)
        )
    except DomainError as error:
        return refused(request, error, target)
    return done(request, _("Your reply is published under the comment."), target)


@post("/operator/feedback/{feedback_id:int}/flag", include_in_schema=False, guards=[operators], status_code=303)
async def flag_feedback(request: Caller, feedback_id: FromPath[int]) -> Redirect:
    form = await read_form(request, FlagForm)
    target = safe_next(form.next, "/operator/feedback")
    try:
        await moderation.flag_feedback(request.user, feedback_id, form.reason, ip=client_ip(request))
    except DomainError as error:
        return refused(request, error, target)
    return done(request, _("Thank you. An administrator will look at this feedback."), target)


ROUTES = [
    dashboard_page,
    arrivals_for_base,
    arrivals_page,
    check_in,
    check_out,
    no_show,
    feedback_page,
    reply_to_feedback,
    flag_feedback,
]
