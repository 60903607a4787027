"""What of a person may appear on a public page: a masked name, and comments without numbers
that could reach them (mobile, landline or identity numbers)."""

from __future__ import annotations

import re

# Seven or more digits in a row (phones, identity numbers; an ID may end in X).
_LONG_NUMBER = re.compile(r"\d{7,}[Xx]?")


def public_name(name: str) -> str:
    """ "王秀兰" → "王**"; "Mary Smith" → "Mary"; "Alice" → "A**". Never the full name.

    The stars are always two, so the mask does not tell how long the name is.
    """
    words = name.split()
    if not words:
        return "**"
    if len(words) > 1:
        return words[0][:20]
    return words[0][0] + "**"


def _mask(match: re.Match[str]) -> str:
    number = match.group(0)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def mask_numbers(text: str) -> str:
    """Masks long digit runs: "13800138000" → "138******00"."""
    return _LONG_NUMBER.sub(_mask, text)
