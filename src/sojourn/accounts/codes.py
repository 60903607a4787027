"""One-time codes: made from an unambiguous alphabet, compared by keyed digest only."""

from __future__ import annotations

import re
import secrets

from sojourn.crypto import KeyRing

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by seniors


def new_code(groups: int = 3, size: int = 4) -> str:
    """``XXXX-XXXX-XXXX`` (about 59 bits): for invitations, where a link is not wanted."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))


def new_digits(count: int = 6) -> str:
    """A short numeric code for text messages; guarded by expiry and a few tries."""
    return "".join(secrets.choice("0123456789") for _ in range(count))


def normalise(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper())[:32]


def code_digest(keyring: KeyRing, purpose: str, code: str) -> str:
    """Keyed: a database dump alone does not let anyone try codes offline."""
    return keyring.digest(f"one-time-code:{purpose}:{normalise(code)}")
