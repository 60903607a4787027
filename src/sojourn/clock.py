"""The one source of "now". Services ask the clock, never ``datetime.now()``, so tests can move time.

A clock may start at another instant than the wall clock's (``SOJOURN_CLOCK_START``, `sojourn
demo --today`): time then flows from that instant at the wall clock's pace, so a demo, a
training session or a rehearsal runs as if it were that moment.
"""

from __future__ import annotations

import datetime as dt

import arrow


def _wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Clock:
    """Time in UTC: the wall clock's, or flowing from ``start``; tests may also shift it."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._offset = dt.timedelta()
        if start is not None:
            self.set(start)

    def now(self) -> dt.datetime:
        return _wall_clock() + self._offset

    def today_in(self, time_zone: str) -> dt.date:
        """Today's date where the base is (arrival days are counted in the base's time zone)."""
        return arrow.get(self.now()).to(time_zone).date()

    def advance(self, **delta: float) -> None:
        self._offset += dt.timedelta(**delta)

    def set(self, instant: dt.datetime) -> None:
        """Make ``now()`` read ``instant`` (time flows on from there)."""
        if instant.tzinfo is None:
            raise ValueError("the clock needs an instant with its time zone")
        self._offset = instant - _wall_clock()

    def reset(self) -> None:
        self._offset = dt.timedelta()
