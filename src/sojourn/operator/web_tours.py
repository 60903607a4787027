"""Console pages for tours: the list, a new tour, one tour with its actions, changing it,
publishing and closing it, and cancelling its departure after a confirmation page."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, Parameter
from litestar.response import Redirect, Template

from sojourn.accounts.guards import operators
from sojourn.alliance import services as alliance
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.formatting import yuan
from sojourn.i18n import gettext as _
from sojourn.operator import tour_forms
from sojourn.operator.pages import Caller, choose_base, done, errors_of, page, refused
from sojourn.tours import cancellation, management, publishing
from sojourn.tours.management_schemas import TourIn, TourPatch
from sojourn.tours.tables import TourStatus
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form

BaseId = Annotated[int | None, Parameter(ge=1, description="Which of your bases")]
StatusFilter = Annotated[TourStatus | None, Parameter(description="Only tours in this status")]
PastFilter = Annotated[bool, Parameter(description="Also tours that are over")]


class CancelForm(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


@get("/operator/tours", include_in_schema=False, guards=[operators])
async def tours_page(
    request: Caller,
    clock: NamedDependency[Clock],
    base_id: BaseId = None,
    status: StatusFilter = None,
    include_past: PastFilter = False,
) -> Template:
    bases, base = await choose_base(request.user, base_id)
    tours, total = (
        await management.list_tours(
            request.user,
            now=clock.now(),
            base_id=base.id,
            status=status.value if status else None,
            include_past=include_past,
            limit=200,
        )
        if base
        else ([], 0)
    )
    return page(
        "tours.html",
        section="tours",
        bases=bases,
        base=base,
        tours=tours,
        total=total,
        status=status.value if status else "",
        include_past=include_past,
    )


async def _form_page(
    request: Caller,
    *,
    base_id: int | None,
    values: dict[str, Any],
    errors: dict[str, str],
    tour: Any = None,
    status_code: int = 200,
) -> Template:
    bases, base = await choose_base(request.user, base_id)
    return page(
        "tour_form.html",
        status_code=status_code,
        section="tours",
        bases=bases,
        base=base,
        tour=tour,
        values=values,
        errors=errors,
        members=await alliance.list_members(),
        policy_rows=range(1, tour_forms.POLICY_ROWS + 1),
    )


@get("/operator/tours/new", include_in_schema=False, guards=[operators])
async def new_tour_page(request: Caller, base_id: BaseId = None) -> Template:
    values = {
        "mode": "vacation",
        "declaration_due_days": 7,
        "policy_days_1": 30,
        "policy_percent_1": 100,
        "policy_days_2": 7,
        "policy_percent_2": 50,
    }
    return await _form_page(request, base_id=base_id, values=values, errors={})


@post("/operator/tours/new", include_in_schema=False, guards=[operators], status_code=303)
async def create_tour(request: Caller, clock: NamedDependency[Clock]) -> Template | Redirect:
    values: dict[str, Any] = {}
    base_id = None
    try:
        form = await read_form(request, tour_forms.TourForm, lists=("health_requirements",))
        values, base_id = tour_forms.values_from(form), form.base_id
        _bases, base = await choose_base(request.user, form.base_id)
        if base is None:
            raise FormErrors({"base_id": _("Choose a base.")}, values)
        body = tour_forms.body_from_form(form, organiser_member_id=base.member_id)
        body["base_id"] = base.id
        created = await management.create_tour(
            request.user, tour_forms.convert(body, TourIn), now=clock.now(), ip=client_ip(request)
        )
    except FormErrors as invalid:
        return await _form_page(
            request, base_id=base_id, values=values or invalid.values, errors=invalid.errors, status_code=400
        )
    except DomainError as error:
        if error.status == 404:
            raise
        return await _form_page(
            request,
            base_id=base_id,
            values=values,
            errors=tour_forms.form_errors(errors_of(error)),
            status_code=error.status,
        )
    return done(
        request, _("The tour is saved as a draft. Publish it when it is ready."), f"/operator/tours/{created.id}"
    )


@get("/operator/tours/{tour_id:int}", include_in_schema=False, guards=[operators])
async def tour_page(request: Caller, tour_id: FromPath[int], clock: NamedDependency[Clock]) -> Template:
    tour = await management.get_tour(request.user, tour_id, now=clock.now())
    bases, base = await choose_base(request.user, tour.base_id)
    members = {member.id: member.name for member in await alliance.list_members()}
    return page("tour.html", section="tours", bases=bases, base=base, tour=tour, members=members)


@get("/operator/tours/{tour_id:int}/edit", include_in_schema=False, guards=[operators])
async def edit_tour_page(request: Caller, tour_id: FromPath[int], clock: NamedDependency[Clock]) -> Template:
    tour = await management.get_tour(request.user, tour_id, now=clock.now())
    return await _form_page(request, base_id=tour.base_id, values=tour_forms.values_of(tour), errors={}, tour=tour)


@post("/operator/tours/{tour_id:int}/edit", include_in_schema=False, guards=[operators], status_code=303)
async def update_tour(
    request: Caller, tour_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Template | Redirect:
    tour = await management.get_tour(request.user, tour_id, now=clock.now())
    values: dict[str, Any] = {}
    try:
        form = await read_form(request, tour_forms.TourForm, lists=("health_requirements",))
        form.mode, form.base_id = tour.mode, None  # neither changes on this page
        values = tour_forms.values_from(form)
        body = tour_forms.body_from_form(form, organiser_member_id=tour.organiser_member_id)
        await management.update_tour(
            request.user,
            tour_id,
            tour_forms.convert(body, TourPatch),
            settings=settings,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FormErrors as invalid:
        return await _form_page(
            request,
            base_id=tour.base_id,
            values=values or invalid.values,
            errors=invalid.errors,
            tour=tour,
            status_code=400,
        )
    except DomainError as error:
        if error.status == 404:
            raise
        return await _form_page(
            request,
            base_id=tour.base_id,
            values=values,
            errors=tour_forms.form_errors(errors_of(error)),
            tour=tour,
            status_code=error.status,
        )
    return done(request, _("The changes are saved."), f"/operator/tours/{tour_id}")


@post("/operator/tours/{tour_id:int}/publish", include_in_schema=False, guards=[operators], status_code=303)
async def publish_tour(
    request: Caller, tour_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Redirect:
    target = f"/operator/tours/{tour_id}"
    try:
        await publishing.publish_tour(request.user, tour_id, settings=settings, now=clock.now(), ip=client_ip(request))
    except DomainError as error:
        if error.status == 404:
            raise
        return refused(request, error, target)
    return done(request, _("The tour is open for booking."), target)


@post("/operator/tours/{tour_id:int}/close", include_in_schema=False, guards=[operators], status_code=303)
async def close_tour(
    request: Caller, tour_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Redirect:
    target = f"/operator/tours/{tour_id}"
    try:
        await publishing.close_tour(request.user, tour_id, settings=settings, now=clock.now(), ip=client_ip(request))
    except DomainError as error:
        if error.status == 404:
            raise
        return refused(request, error, target)
    return done(request, _("The tour takes no new bookings. The bookings made stand."), target)


async def _cancel_page(
    request: Caller, tour_id: int, now: Any, *, errors: dict[str, str], reason: str = "", status_code: int = 200
) -> Template:
    tour = await management.get_tour(request.user, tour_id, now=now)
    preview = await cancellation.preview_cancellation(request.user, tour_id, now=now)
    bases, base = await choose_base(request.user, tour.base_id)
    return page(
        "tour_cancel.html",
        status_code=status_code,
        section="tours",
        bases=bases,
        base=base,
        tour=tour,
        preview=preview,
        errors=errors,
        reason=reason,
    )


@get("/operator/tours/{tour_id:int}/cancel", include_in_schema=False, guards=[operators])
async def cancel_page(request: Caller, tour_id: FromPath[int], clock: NamedDependency[Clock]) -> Template:
    return await _cancel_page(request, tour_id, clock.now(), errors={})


@post("/operator/tours/{tour_id:int}/cancel", include_in_schema=False, guards=[operators], status_code=303)
async def cancel_departure(
    request: Caller, tour_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Template | Redirect:
    form = await read_form(request, CancelForm)
    if not form.reason.strip():
        errors = {"reason": _("Write why the departure is cancelled. The travellers will read it.")}
        return await _cancel_page(request, tour_id, clock.now(), errors=errors, status_code=400)
    try:
        result = await cancellation.cancel_departure(
            request.user, tour_id, form.reason, settings=settings, now=clock.now(), ip=client_ip(request)
        )
    except DomainError as error:
        if error.status == 404:
            raise
        return await _cancel_page(
            request,
            tour_id,
            clock.now(),
            errors=errors_of(error, "reason"),
            reason=form.reason,
            status_code=error.status,
        )
    message = _(
        "The departure is cancelled. %(n)s bookings were cancelled and %(amount)s will be refunded.",
        n=result.bookings_cancelled,
        amount=yuan(result.refunded_fen),
    )
    return done(request, message, f"/operator/tours/{tour_id}")


ROUTES = [
    tours_page,
    new_tour_page,
    create_tour,
    tour_page,
    edit_tour_page,
    update_tour,
    publish_tour,
    close_tour,
    cancel_page,
    cancel_departure,
]
