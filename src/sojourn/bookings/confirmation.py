"""The check-in code on a booking's confirmation: a QR code the base scans at arrival to open
that booking on the operator's screen.

The code is a URL holding a signed token: ``<booking id>.<valid until>.<signature>``, the
signature an HMAC-SHA256 (truncated to 128 bits) keyed from the app's secret key. It cannot be
forged or moved to another booking, it stops working the day after departure, and changing
the secret key revokes every code at once. It grants nothing by itself: the page it opens
answers only to a signed-in operator of the booking's base (everyone else: not found), who
could open that booking from the console anyway — the code only saves the search.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

import qrcode
import qrcode.image.svg

PASS_PATH = "/operator/pass/"
_CONTEXT = b"sojourn check-in pass v1"
DAYS_VALID_AFTER_DEPARTURE = 1


@dataclass(frozen=True)
class CheckInPass:
    booking_id: int
    valid_until: dt.date  # the last day (at the base) the code opens the booking


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), _CONTEXT, hashlib.sha256).digest()


def _signature(secret_key: str, booking_id: int, valid_until: dt.date) -> str:
    message = f"{booking_id}.{valid_until:%Y%m%d}".encode()
    digest = hmac.new(_key(secret_key), message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def pass_for(secret_key: str, booking_id: int, departure: dt.date) -> str:
    valid_until = departure + dt.timedelta(days=DAYS_VALID_AFTER_DEPARTURE)
    return f"{booking_id}.{valid_until:%Y%m%d}.{_signature(secret_key, booking_id, valid_until)}"


def read_pass(secret_key: str, token: str) -> CheckInPass | None:
    """The pass if the token is well formed and its signature right; None otherwise.
    (Whether it is still valid depends on today at the base: ``still_valid``.)"""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12 or len(parts[1]) != 8:
        return None
    try:
        booking_id, valid_until = int(parts[0]), dt.datetime.strptime(parts[1], "%Y%m%d").date()
    except ValueError:
        return None
    if not hmac.compare_digest(parts[2], _signature(secret_key, booking_id, valid_until)):
        return None
    return CheckInPass(booking_id, valid_until)


def still_valid(check_in_pass: CheckInPass, today_at_base: dt.date) -> bool:
    return today_at_base <= check_in_pass.valid_until


def qr_svg(text: str) -> str:
    """The QR code as inline SVG markup: paths only, no style attributes (the CSP forbids them)."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    # Sized by the stylesheet; hidden from screen readers (the element around it is labelled).
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg aria-hidden="true" focusable="false"', svg)
