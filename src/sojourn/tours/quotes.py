"""The nights and price of a tour for the dates someone typed, checked by the engine's own rules
(``bookings.stays.stay_for``) and rounded as a booking would be: the tour page and the booking
steps show the same numbers the booking will have."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sojourn.bookings.stays import stay_for
from sojourn.errors import DomainError
from sojourn.i18n import gettext as _
from sojourn.tours.pricing import traveller_price_fen
from sojourn.tours.schemas import TourOut


def quote(tour: TourOut, arrival: str | None, departure: str | None, party: int, today: dt.date) -> dict[str, Any]:
    """Nights and price for the chosen dates, with the engine's own checks and rounding."""
    result: dict[str, Any] = {"arrival": arrival or "", "departure": departure or "", "party": party, "errors": {}}
    if tour.mode != "migratory":
        nights = (tour.ends_on - tour.starts_on).days
        per_person = traveller_price_fen(tour, nights)
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
        stay = stay_for(tour, first, last, today)
    except DomainError as wrong:
        errors = {key: str(value) for key, value in wrong.field_errors.items()} or {"arrival": str(wrong.message)}
        return {**result, "errors": errors}
    per_person = traveller_price_fen(tour, stay.nights)
    return {
        **result,
        "nights": stay.nights,
        "per_person_fen": per_person,
        "total_fen": per_person * party,
        "arrival_date": stay.arrival,
        "departure_date": stay.departure,
    }


def _date_hint() -> str:
    return _("Use a date like 2027-01-15.")
