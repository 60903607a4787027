"""Booking-specific answers: sold out (with the nights that are short) and database races."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import asyncpg

from sojourn.bookings.calendar import ShortNight
from sojourn.errors import Busy, Conflict
from sojourn.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)


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
