"""The booking steps after the beds are held: health forms, check everything, confirm; and
"more time" for the hold (WCAG 2.2.1: warned before it runs out, extendable with one press).

When a hold has run out the pages say so in words and offer to start again with the same
people and dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.bookings import lifecycle, queries
from sojourn.bookings.pages import (
    booker_page,
    full_refund_window,
    hold_context,
    local_time,
    start_again_url,
    steps_for,
    window_ends,
)
from sojourn.bookings.schemas import BookingOut
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import Conflict
from sojourn.health.progress import declaration_progress
from sojourn.health.review_thread import open_questions
from sojourn.i18n import gettext as _
from sojourn.tours import services as tours
from sojourn.web.forms import read_form, safe_next
from sojourn.web.sign_in import after_sign_in


class NextForm(msgspec.Struct):
    next: str = ""


async def _back_after_sign_in(request: Request[Any, Any, Any]) -> str:
    """Where a small form on a booking's pages goes back to (its ``next`` field)."""
    form = await read_form(request, NextForm)
    return safe_next(form.next, f"/trips/{request.path_params['booking_id']}/review")


def _expired_page(booking: BookingOut, status: int = 200) -> Template:
    return Template(
        "bookings/expired.html",
        context={"booking": booking, "start_again": start_again_url(booking)},
        status_code=status,
    )


async def _booking(
    request: Request[Any, Any, Any], booking_id: int, settings: Settings, now: dt.datetime
) -> BookingOut:
    return await queries.get_booking(request.user, booking_id, now=now, settings=settings)


@get("/trips/{booking_id:int}/health", include_in_schema=False, guards=[booker_page])
async def health_step(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    booking = await _booking(request, booking_id, settings, now)
    if booking.status == "expired":
        return _expired_page(booking)
    progress = (await declaration_progress(principal, [booking.id])).get(booking.id, [])
    return Template(
        "bookings/health.html",
        context={
            **hold_context(booking, now, f"/trips/{booking.id}/health"),
            "progress": progress,
            "questions": await open_questions(principal, booking.id, keyring),
            "steps": steps_for(booking.mode),
            "step": "health",
        },
    )


@get("/trips/{booking_id:int}/review", include_in_schema=False, guards=[booker_page])
async def review_step(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    booking = await _booking(request, booking_id, settings, now)
    if booking.status == "expired":
        return _expired_page(booking)
    if booking.status != "held":
        return Redirect(f"/trips/{booking.id}", status_code=303)
    tour = await tours.get_tour(booking.tour_id, now, include_unpublished=True)
    progress = (await declaration_progress(principal, [booking.id])).get(booking.id, [])
    return Template(
        "bookings/review.html",
        context={
            **hold_context(booking, now, f"/trips/{booking.id}/review"),
            "tour": tour,
            "progress": progress,
            "steps": steps_for(booking.mode),
            "step": "review",
        },
    )


@post(
    "/trips/{booking_id:int}/confirm",
    include_in_schema=False,
    status_code=303,
    guards=[booker_page],
    opt=after_sign_in("/trips/{booking_id}/review"),
)
async def confirm(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    try:
        await lifecycle.confirm_booking(principal, booking_id, settings=settings, now=now)
    except Conflict as refused:
        booking = await _booking(request, booking_id, settings, now)
        if refused.code == "hold_expired" or booking.status == "expired":
            return _expired_page(booking, 409)
        if refused.code == "payment_required":  # paying is what confirms: the pay page, amounts and refunds first
            return Redirect(f"/trips/{booking_id}/pay", status_code=303)
        flash(request, str(refused.message), "error")
        return Redirect(f"/trips/{booking_id}", status_code=303)
    return Redirect(f"/trips/{booking_id}/confirmed", status_code=303)


@get("/trips/{booking_id:int}/confirmed", include_in_schema=False, guards=[booker_page])
async def confirmed_step(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    booking = await _booking(request, booking_id, settings, now)
    if booking.status != "confirmed":
        return Redirect(f"/trips/{booking.id}", status_code=303)
    progress = (await declaration_progress(principal, [booking.id])).get(booking.id, [])
    return Template(
        "bookings/confirmed.html",
        context={
            "booking": booking,
            "progress": progress,
            "steps": steps_for(booking.mode),
            "step": "confirmed",
            "full_refund": full_refund_window(booking, now),
            "window_ends": window_ends(booking),
        },
    )


@post(
    "/trips/{booking_id:int}/extend-hold",
    include_in_schema=False,
    status_code=303,
    guards=[booker_page],
    opt=after_sign_in(_back_after_sign_in),
)
async def extend_hold(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    back = await _back_after_sign_in(request)
    principal = request.user
    now = clock.now()
    htmx = bool(request.headers.get("hx-request"))
    try:
        booking = await lifecycle.extend_hold(principal, booking_id, settings=settings, now=now)
    except Conflict as refused:
        booking = await _booking(request, booking_id, settings, now)
        if htmx:
            return Template(
                "bookings/_countdown.html",
                status_code=200,
                context={**hold_context(booking, now, back), "problem": str(refused.message)},
            )
        if booking.status == "expired":
            return _expired_page(booking, 409)
        flash(request, str(refused.message), "error")
        return Redirect(back, status_code=303)
    if htmx:
        return Template(
            "bookings/_countdown.html", status_code=200, context={**hold_context(booking, now, back), "extended": True}
        )
    flash(
        request,
        _(
            "More time: your beds are now held until %(time)s.",
            time=local_time(booking.hold_expires_at, booking.time_zone),
        ),
        "ok",
    )
    return Redirect(back, status_code=303)


ROUTES = [health_step, review_step, confirm, confirmed_step, extend_hold]
