"""Is this stay bookable on this tour? Pure rules over rows already read; no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import arrow

from sojourn.bookings.rows import TourToBook, TravellerToBook
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.travellers.identity import age_on


def today_at(time_zone: str, now: dt.datetime) -> dt.date:
    """Today's date at the base: arrival days and refund days count in its time zone."""
    return arrow.get(now).to(time_zone).date()


@dataclass(frozen=True)
class Stay:
    arrival: dt.date
    departure: dt.date

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days


class TourDates(Protocol):
    """What the stay rules need of a tour (a row struct, or ``TourOut`` on the pages)."""

    @property
    def mode(self) -> str: ...
    @property
    def starts_on(self) -> dt.date: ...
    @property
    def ends_on(self) -> dt.date: ...
    @property
    def min_nights(self) -> int | None: ...
    @property
    def max_nights(self) -> int | None: ...


def stay_for(tour: TourDates, arrival: dt.date | None, departure: dt.date | None, today: dt.date) -> Stay:
    """The nights a booking asks for, checked against the tour's dates and rules.

    ``today`` is today's date in the base's time zone: nobody may arrive in the past.
    """
    if tour.mode != "migratory":
        fixed = Stay(tour.starts_on, tour.ends_on)
        if (arrival and arrival != fixed.arrival) or (departure and departure != fixed.departure):
            message = _l("This tour has fixed dates. Leave arrival and departure out, or use the tour's dates.")
            raise InvalidInput(message, field_errors={"arrival": message})
        if fixed.arrival <= today:
            raise Conflict(_l("This tour has already started. Please choose another tour."), code="tour_started")
        return fixed

    errors: dict[str, Any] = {}
    if arrival is None:
        errors["arrival"] = _l("Choose the day you arrive.")
    if departure is None:
        errors["departure"] = _l("Choose the day you leave.")
    if errors:
        raise InvalidInput(_l("A seasonal stay needs an arrival and a departure day."), field_errors=errors)
    assert arrival is not None and departure is not None
    stay = Stay(arrival, departure)
    window = (tour.starts_on, tour.ends_on)
    if arrival >= departure:
        errors["departure"] = _l("The departure day must be after the arrival day.")
    elif arrival < window[0] or departure > window[1]:
        errors["arrival"] = _l(
            "Arrive and leave within the season, from %(first)s to %(last)s.",
            first=window[0].isoformat(),
            last=window[1].isoformat(),
        )
    elif arrival <= today:
        errors["arrival"] = _l("Choose an arrival day after today.")
    elif stay.nights < (tour.min_nights or 1):
        errors["departure"] = _l("This stay needs at least %(n)s nights.", n=tour.min_nights)
    elif tour.max_nights and stay.nights > tour.max_nights:
        errors["departure"] = _l("This stay allows at most %(n)s nights.", n=tour.max_nights)
    if errors:
        raise InvalidInput(_l("These dates do not fit this tour."), field_errors=errors)
    return stay


def check_tour_open(tour: TourToBook | None) -> TourToBook:
    if tour is None or tour.status not in ("published", "closed", "cancelled"):
        raise NotFound(_l("There is no tour with this number, or it is no longer offered."))
    if tour.status != "published" or tour.base_status != "admitted":
        raise Conflict(_l("This tour is not taking bookings any more."), code="tour_closed")
    return tour


def check_travellers(
    requested: Sequence[int], rows: Sequence[TravellerToBook], arrival: dt.date
) -> tuple[int, list[tuple[int, str, int]]]:
    """All requested travellers were found (visible to the booker) and share one account.

    Returns the owning account and (traveller id, home province, age at arrival) per traveller.
    """
    if len(set(requested)) != len(requested):
        message = _l("Each traveller can be on a booking only once.")
        raise InvalidInput(message, field_errors={"traveller_ids": message})
    found = {row.id: row for row in rows}
    missing = [traveller for traveller in requested if traveller not in found]
    if missing:
        message = _l("Some travellers are not in your account: %(ids)s.", ids=", ".join(map(str, missing)))
        raise InvalidInput(message, field_errors={"traveller_ids": message})
    accounts = {row.account for row in rows}
    if len(accounts) != 1:
        message = _l("Travellers from different accounts must be booked separately.")
        raise InvalidInput(message, field_errors={"traveller_ids": message})
    details = [
        (row.id, row.home_province_code, age_on(row.birth_date, arrival)) for row in sorted(rows, key=lambda r: r.id)
    ]
    return accounts.pop(), details
