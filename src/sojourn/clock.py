"""The one source of "now". Services ask the clock, never ``datetime.now()``, so tests can move time."""

from __future__ import annotations

import datetime as dt

import arrow


class Clock:
    """Wall-clock time in UTC, optionally shifted (tests move it forward to expire holds)."""

    def __init__(self) -> None:
        self._offset = dt.timedelta()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._offset

    def today_in(self, time_zone: str) -> dt.date:
        """Today's date where the base is (arrival days are counted in the base's time zone)."""
        return arrow.get(self.now()).to(time_zone).date()

    def advance(self, **delta: float) -> None:
        self._offset += dt.timedelta(**delta)

    def set(self, instant: dt.datetime) -> None:
        """Make ``now()`` read ``instant`` (tests pin the clock to a known moment)."""
        self._offset = instant - dt.datetime.now(dt.UTC)

    def reset(self) -> None:
        self._offset = dt.timedelta()
