"""Booking-specific answers: sold out (with the nights that are short) and database races."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import asyncpg

from sojourn.bookings.calendar import ShortNight
from sojourn.bookings.rooms import RoomsShort
from sojourn.errors import Busy, Conflict
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick

log = logging.getLogger(__name__)


def rooms_sold_out(short: Sequence[RoomsShort]) -> Conflict:
    """Not enough rooms of a type on some nights: each night names the type and what is left of it."""
    names = list(dict.fromkeys(pick(night, "name") for night in short if night.code != "bed"))
    if not names:  # a base that sells beds only says it as it always did
        return sold_out([ShortNight(night.night, night.beds_left) for night in short])
    return Conflict(
        _l(
            "There are not enough free rooms (%(rooms)s) on some nights. Choose other rooms or dates, "
            "or join the waiting list and we will offer you the rooms if they free up.",
            rooms="、".join(names),
        ),
        code="sold_out",
        nights_short=[_night(night) for night in short],
    )


def _night(night: RoomsShort) -> dict[str, object]:
    return {
        "date": night.night.isoformat(),
        "beds_left": night.beds_left,
        "room_type_id": night.room_type_id,
        "room_type": night.code,
        "room_type_name": pick(night, "name"),
        "rooms_left": night.rooms_left,
    }


def sold_out(short: Sequence[ShortNight]) -> Conflict:
    return Conflict(
        _l(
            "There are not enough free beds on some nights. Choose other dates, "
            "or join the waiting list and we will offer you the beds if they free up."
        ),
        code="sold_out",
        nights_short=[{"date": night.night.isoformat(), "beds_left": night.beds_left} for night in short],
    )


@contextmanager
def map_database_errors() -> Iterator[None]:
    """Lock waits that ran out and other contention become a retryable 503; a CHECK that
    fires means the lock discipline was bypassed: refused as sold out, and logged loudly."""
    try:
        yield
    except (asyncpg.LockNotAvailableError, asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
        raise Busy(
            _l("Many people are booking this place right now. Nothing was changed; please try again."),
            retry_after=2,
        ) from None
    except asyncpg.CheckViolationError as error:
        log.error("capacity CHECK fired (%s): the lock discipline was bypassed", error.constraint_name)
        raise sold_out([]) from None
