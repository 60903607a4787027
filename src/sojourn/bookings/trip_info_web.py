"""Pages: what a trip needs before leaving — the printable confirmation with its check-in QR
code, the stay as a calendar file — and, on the base's side, the page the QR code opens.

The trip page itself (``trips_web.trip_page``) shows the same place facts through
``bases/_place.html``'s sibling ``bookings/_trip_place.html``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.tables import Role
from sojourn.bases import travel
from sojourn.bookings import confirmation, ics, queries
from sojourn.bookings.pages import booker_page, trip_place_context
from sojourn.bookings.schemas import BookingOut
from sojourn.bookings.stays import today_at
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.errors import NotFound
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.operator import labels
from sojourn.web.sign_in import current_target, signed_in_page

# A check-in code opens a booking that will be, or is being, stayed.
PASS_STATUSES = ("confirmed", "checked_in")


def site_url(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


def check_in_code(request: Request[Any, Any, Any], settings: Settings, booking: BookingOut) -> dict[str, str] | None:
    """The QR code for a booking that can be checked in; None for holds and ended bookings."""
    if booking.status not in PASS_STATUSES:
        return None
    token = confirmation.pass_for(settings.secret_key, booking.id, booking.departure)
    url = site_url(request) + confirmation.PASS_PATH + token
    return {"url": url, "svg": confirmation.qr_svg(url)}


@get("/trips/{booking_id:int}/confirmation", include_in_schema=False, guards=[booker_page])
async def confirmation_page(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template:
    principal = request.user
    booking = await queries.get_booking(principal, booking_id, now=clock.now(), settings=settings)
    place = await travel.place_of(booking.base_id, include_pending=True)
    return Template(
        "bookings/confirmation.html",
        context={
            "booking": booking,
            "code": check_in_code(request, settings, booking),
            **trip_place_context(booking, place),
        },
    )


@get("/trips/{booking_id:int}/stay.ics", include_in_schema=False, guards=[booker_page])
async def calendar_file(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Response[bytes]:
    principal = request.user
    now = clock.now()
    booking = await queries.get_booking(principal, booking_id, now=now, settings=settings)
    place = await travel.place_of(booking.base_id, include_pending=True)
    lines = [
        _("Booking %(reference)s", reference=booking.reference),
        _(
            "Check in from %(start)s, check out by %(end)s (local time).",
            start=place.check_in.strftime("%H:%M"),
            end=place.check_out.strftime("%H:%M"),
        ),
    ]
    if place.phone:
        lines.append(_("Telephone: %(phone)s", phone=place.phone))
    lines.append(", ".join(person.name for person in booking.travellers))
    event = ics.StayEvent(
        uid=f"booking-{booking.id}-{booking.reference}@sojourn",
        arrival=booking.arrival,
        departure=booking.departure,
        summary=f"{booking.tour_title} · {booking.base_name}",
        location=f"{place.name}, {place.address}",
        description="\n".join(lines),
        url=f"{site_url(request)}/trips/{booking.id}",
        cancelled=booking.status in ("cancelled", "expired"),
        stamp=now,
    )
    return Response(
        ics.calendar_file(event),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="sojourn-{booking.reference}.ics"',
            "Cache-Control": "private, no-store",
        },
    )


@get("/operator/pass/{token:str}", include_in_schema=False, guards=[signed_in_page])
async def pass_page(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template:
    """What the base's screen shows when it scans a guest's code: that booking, with check-in.
    Anyone but a signed-in operator of the booking's base (or an admin) is told it is not found."""
    user = request.user
    missing = NotFound(_l("This check-in code is not valid here, or it has expired."))
    found = confirmation.read_pass(settings.secret_key, token)
    if found is None or user.role not in (Role.operator, Role.admin):
        raise missing
    now = clock.now()
    async with db.connection() as conn:
        try:
            row = await queries.fetch_booking(conn, user, found.booking_id, policy.bookings_operated)
        except NotFound:
            raise missing from None
    booking = queries.booking_out(row, now, settings)
    today = today_at(row.time_zone, now)
    if not confirmation.still_valid(found, today):
        raise missing
    return Template(
        "operator/pass.html",
        context={
            "booking": booking,
            "today": today,
            "labels": labels.everything(),
            "can_check_in": booking.status == "confirmed" and booking.arrival <= today < booking.departure,
            "back_here": current_target(request),
        },
    )


ROUTES = [confirmation_page, calendar_file, pass_page]
