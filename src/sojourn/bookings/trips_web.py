"""My trips: every booking with what is due next, cancelling (the refund shown before the
click, on a page of its own, never a pop-up), undoing within ten minutes, and the waiting list.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, Parameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.bases import travel
from sojourn.bookings import lifecycle, queries, states, waitlist
from sojourn.bookings.pages import (
    booker_page,
    full_refund_window,
    local_time,
    trip_place_context,
    undo_open,
    window_ends,
)
from sojourn.bookings.schemas import BookingOut, CancelIn
from sojourn.bookings.stays import today_at
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import Conflict
from sojourn.feedback.entries import feedback_refusal
from sojourn.formatting import yuan
from sojourn.health.progress import DeclarationProgress, declaration_progress
from sojourn.health.review_thread import open_questions
from sojourn.i18n import gettext as _
from sojourn.payments import invoices
from sojourn.tours import services as tours
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form
from sojourn.web.sign_in import after_sign_in

PAGE_SIZE = 20
PageNumber = Annotated[int, Parameter(ge=1, le=10_000)]


def trip_state(booking: BookingOut, progress: list[DeclarationProgress], now: dt.datetime) -> dict[str, Any]:
    """What the booker should know or do next about one booking, for the page to put in words."""
    today = today_at(booking.time_zone, now)
    outstanding = [item for item in progress if not item.sent]
    refusal = feedback_refusal(booking.status, booking.departure, today)
    return {
        "booking": booking,
        "progress": progress,
        "outstanding": outstanding,
        "next_due": min((item.due_on for item in outstanding), default=None),
        "days_to_arrival": (booking.arrival - today).days,
        "upcoming": booking.status in states.CANCELLABLE and booking.departure > today,
        "can_cancel": booking.can_cancel,
        "full_refund": full_refund_window(booking, now),
        "undo": undo_open(booking, now),
        "window_ends": window_ends(booking),
        "held_until": local_time(booking.hold_expires_at, booking.time_zone),
        "feedback_open": refusal is None,
    }


@get("/trips", include_in_schema=False, guards=[booker_page])
async def my_trips(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    page: PageNumber = 1,
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    bookings, total = await queries.list_bookings(
        principal, now=now, settings=settings, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    progress = await declaration_progress(principal, [b.id for b in bookings if b.status in states.CANCELLABLE])
    entries, _count = await waitlist.list_entries(principal, limit=50)
    waiting = []
    for entry in entries:
        if entry.status not in ("waiting", "offered"):
            continue
        tour = await tours.get_tour(entry.tour_id, now, include_unpublished=True)
        offer = None
        if entry.status == "offered" and entry.offered_booking_id:
            offer = await queries.get_booking(principal, entry.offered_booking_id, now=now, settings=settings)
            if offer.status != states.HELD:
                offer = None
        waiting.append(
            {
                "entry": entry,
                "tour": tour,
                "offer": offer,
                "offer_until": local_time(offer.hold_expires_at, offer.time_zone) if offer else "",
                "offer_until_date": offer.hold_expires_at if offer else None,
            }
        )
    return Template(
        "bookings/trips.html",
        context={
            "trips": [trip_state(b, progress.get(b.id, []), now) for b in bookings],
            "waiting": waiting,
            "page": page,
            "pages": max(math.ceil(total / PAGE_SIZE), 1),
        },
    )


async def _booking(principal: Any, booking_id: int, settings: Settings, now: dt.datetime) -> BookingOut:
    return await queries.get_booking(principal, booking_id, now=now, settings=settings)


@get("/trips/{booking_id:int}", include_in_schema=False, guards=[booker_page])
async def trip_page(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    booking = await _booking(principal, booking_id, settings, now)
    progress = (await declaration_progress(principal, [booking.id])).get(booking.id, [])
    place = await travel.place_of(booking.base_id, include_pending=True)
    return Template(
        "bookings/trip.html",
        context={
            **trip_state(booking, progress, now),
            **trip_place_context(booking, place),
            "questions": await open_questions(principal, booking.id, keyring),
            "fapiao": await invoices.booking_fapiao(principal, booking.id) if booking.paid_fen else None,
        },
    )


class CancelForm(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


@get("/trips/{booking_id:int}/cancel", include_in_schema=False, guards=[booker_page])
async def cancel_page(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    booking = await _booking(principal, booking_id, settings, now)
    tour = await tours.get_tour(booking.tour_id, now, include_unpublished=True)
    state = trip_state(booking, [], now)
    if not state["can_cancel"]:
        flash(request, _("This booking cannot be cancelled any more."), "error")
        return Redirect(f"/trips/{booking.id}", status_code=303)
    return Template("bookings/cancel.html", context={**state, "tour": tour, "errors": {}, "reason": ""})


@post(
    "/trips/{booking_id:int}/cancel",
    include_in_schema=False,
    status_code=303,
    guards=[booker_page],
    opt=after_sign_in("/trips/{booking_id}/cancel"),
)
async def cancel(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    try:
        form = await read_form(request, CancelForm)
        cancelled = await lifecycle.cancel_booking(
            principal,
            booking_id,
            reason=CancelIn(reason=form.reason).reason,
            settings=settings,
            now=now,
            ip=client_ip(request),
        )
    except FormErrors as invalid:
        booking = await _booking(principal, booking_id, settings, now)
        tour = await tours.get_tour(booking.tour_id, now, include_unpublished=True)
        return Template(
            "bookings/cancel.html",
            status_code=400,
            context={
                **trip_state(booking, [], now),
                "tour": tour,
                "errors": invalid.errors,
                "reason": invalid.values.get("reason", ""),
            },
        )
    except Conflict as refused:
        flash(request, str(refused.message), "error")
        return Redirect(f"/trips/{booking_id}", status_code=303)
    if cancelled.confirmed_at is None:
        flash(request, _("The booking is cancelled and the beds are released. Nothing was paid."), "ok")
    elif cancelled.refund_fen:
        flash(
            request,
            _(
                "The booking is cancelled. %(refund)s will be paid back to you today.",
                refund=yuan(cancelled.refund_fen),
            ),
            "ok",
        )
    else:
        flash(request, _("The booking is cancelled. By the cancellation terms nothing is paid back."), "ok")
    return Redirect(f"/trips/{booking_id}", status_code=303)


@post(
    "/trips/{booking_id:int}/undo-cancel",
    include_in_schema=False,
    status_code=303,
    guards=[booker_page],
    opt=after_sign_in("/trips/{booking_id}"),
)
async def undo_cancel(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Redirect:
    principal = request.user
    try:
        await lifecycle.undo_cancel(principal, booking_id, settings=settings, now=clock.now())
    except Conflict as refused:
        flash(request, str(refused.message), "error")
        return Redirect(f"/trips/{booking_id}", status_code=303)
    flash(request, _("Your booking is back, as it was. Nothing was refunded."), "ok")
    return Redirect(f"/trips/{booking_id}", status_code=303)


@post(
    "/waitlist/{entry_id:int}/withdraw",
    include_in_schema=False,
    status_code=303,
    guards=[booker_page],
    opt=after_sign_in("/trips#waiting"),
)
async def withdraw(request: Request[Any, Any, Any], entry_id: FromPath[int]) -> Redirect:
    principal = request.user
    try:
        await waitlist.withdraw_entry(principal, entry_id)
    except Conflict as refused:
        flash(request, str(refused.message), "error")
        return Redirect("/trips#waiting", status_code=303)
    flash(request, _("You have left the waiting list."), "ok")
    return Redirect("/trips#waiting", status_code=303)


ROUTES = [my_trips, trip_page, cancel_page, cancel, undo_cancel, withdraw]
