"""What the booking pages share: who may book (``booker_page``), the steps, times at the base.

Pages never show a bare 401: a visitor who is not signed in is sent to the sign-in page,
which brings them back to the same step (``next``) with what they had chosen
(``web.sign_in``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import arrow
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from sojourn.accounts.tables import Role
from sojourn.bases import travel
from sojourn.bookings import states
from sojourn.bookings.queries import UNDO_WINDOW
from sojourn.bookings.schemas import BookingOut
from sojourn.errors import NotAllowed
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.web.sign_in import signed_in_page

BOOKERS = (Role.traveller, Role.agent, Role.admin)


async def booker_page(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The guard of the booking pages: a visitor signs in first; staff accounts get a 403."""
    await signed_in_page(connection, handler)
    if connection.user.role not in BOOKERS:
        raise NotAllowed(_l("Staff accounts cannot book trips. Sign in with a traveller's account."))


def trip_place_context(booking: BookingOut, place: travel.Place) -> dict[str, Any]:
    """What ``bookings/_trip_place.html`` needs (the trip page and the confirmation share it)."""
    return {"place": place, "standard_bring": [str(item) for item in travel.STANDARD_BRING], "trip": booking}


def stay_query(traveller_ids: list[int], arrival: str | None = None, departure: str | None = None) -> str:
    pairs: list[tuple[str, Any]] = [("traveller_ids", t) for t in traveller_ids]
    if arrival:
        pairs.append(("arrival", arrival))
    if departure:
        pairs.append(("departure", departure))
    return urlencode(pairs)


@dataclass(frozen=True)
class Step:
    key: str
    label: str


def steps_for(mode: str) -> list[Step]:
    steps = [Step("travellers", _("Who is travelling"))]
    if mode == "migratory":
        steps.append(Step("dates", _("Dates")))
    steps += [
        Step("hold", _("Hold the beds")),
        Step("health", _("Health forms")),
        Step("review", _("Check")),
        Step("confirmed", _("Confirmed")),
    ]
    return steps


def local_time(instant: dt.datetime | None, time_zone: str) -> str:
    """The time of day at the base (``BookingOut.time_zone``)."""
    return arrow.get(instant).to(time_zone).strftime("%H:%M") if instant else ""


def undo_open(booking: BookingOut, now: dt.datetime) -> bool:
    """A cancelled confirmed booking can be taken back for ten minutes (lifecycle.undo_cancel)."""
    return (
        booking.status == states.CANCELLED
        and booking.confirmed_at is not None
        and booking.cancelled_at is not None
        and now - booking.cancelled_at <= UNDO_WINDOW
    )


def full_refund_window(booking: BookingOut, now: dt.datetime) -> bool:
    """Just confirmed: cancelling now gives everything back (queries.refund_if_cancelled)."""
    return (
        booking.status == states.CONFIRMED
        and booking.confirmed_at is not None
        and now - booking.confirmed_at <= UNDO_WINDOW
    )


def window_ends(booking: BookingOut) -> str:
    """When the ten minutes after confirming or cancelling end, at the base."""
    start = booking.cancelled_at if booking.status == states.CANCELLED else booking.confirmed_at
    return local_time(start + UNDO_WINDOW, booking.time_zone) if start else ""


def start_again_url(booking: BookingOut) -> str:
    people = [traveller.id for traveller in booking.travellers]
    if booking.mode == "migratory":
        return f"/book/{booking.tour_id}/hold?{stay_query(people, booking.arrival.isoformat(), booking.departure.isoformat())}"
    return f"/book/{booking.tour_id}/hold?{stay_query(people)}"


def hold_context(booking: BookingOut, now: dt.datetime, here: str) -> dict[str, Any]:
    """What the countdown needs (bookings/_countdown.html)."""
    return {
        "booking": booking,
        "now": now,
        "held_until": local_time(booking.hold_expires_at, booking.time_zone),
        "start_again": start_again_url(booking),
        "here": here,
    }
