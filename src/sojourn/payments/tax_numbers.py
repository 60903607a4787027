"""The unified social credit code (统一社会信用代码, GB 32100-2015): the tax number on a company's
fapiao. Eighteen characters from 31 (digits and capitals without I, O, Z, S, V); the last is a
check character over the first seventeen, weighted 3^i mod 31."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def normalise(value: str) -> str:
    """As people type it: spaces and hyphens dropped, letters in capitals."""
    return "".join(value.split()).replace("-", "").upper()


def check_character(first_seventeen: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first_seventeen, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` (normalised) is not a unified social credit code: ``length``, ``characters`` or
    ``check``; None when it is one."""
    if len(code) != LENGTH:
        return "length"
    if any(char not in ALPHABET for char in code):
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None
