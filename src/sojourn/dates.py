"""One rule for every date a person or a client sends: it lies between 1900-01-01 and 2100-12-31.

Birth dates of living seniors, tour seasons, stays and agreements all fit; a tour dated
9999-12 does not, and its calendar arithmetic would run past the last date Python knows
(a 500 on its page, its calendar and every booking). Input structs that carry dates derive
from ``BoundedDates``: the check runs as msgspec builds them, for JSON and forms alike.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def within_range(value: dt.date) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST <= day <= LATEST


class BoundedDates(msgspec.Struct):
    """Every date field of the struct lies within ``EARLIEST`` .. ``LATEST``."""

    def __post_init__(self) -> None:
        bad = {
            name: _l("Use a date between %(earliest)s and %(latest)s.", earliest=str(EARLIEST), latest=str(LATEST))
            for name in self.__struct_fields__
            if isinstance(value := getattr(self, name), dt.date) and not within_range(value)
        }
        if bad:
            raise InvalidInput(_l("Please check the dates."), field_errors=bad)
