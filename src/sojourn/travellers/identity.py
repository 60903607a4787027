"""Mainland resident identity numbers (GB 11643): shape, checksum, birth date, masking; ages."""

from __future__ import annotations

import datetime as dt
import re

_SHAPE = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalise(text: str) -> str:
    return re.sub(r"\s", "", text or "").upper()


def is_valid(number: str) -> bool:
    if not _SHAPE.match(number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != number[17]:
        return False
    return birth_date(number) is not None


def birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def mask(number: str) -> str:
    """1101**********1234: enough to recognise one's own card, not enough to use it."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (a stay's arrival, a declaration's date)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
