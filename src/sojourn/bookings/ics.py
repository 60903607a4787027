"""A calendar file (.ics, RFC 5545) for a stay: one all-day event from the arrival day to the
departure day, both included.

All-day events carry dates, not times (``VALUE=DATE``), so they are "floating": the stay's
dates are the base's own dates (arrival and departure are counted in its time zone) and stay
those dates in any calendar. The check-in time goes into the description, in the base's time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PRODUCT_ID = "-//Sojourn//Sojourn trips 1.0//ZH"
MAX_LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space (§3.1),
    never cutting a UTF-8 character in two."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        limit = MAX_LINE_OCTETS if not out else MAX_LINE_OCTETS - 1  # continuation lines start with a space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


@dataclass(frozen=True)
class StayEvent:
    uid: str
    arrival: dt.date
    departure: dt.date
    summary: str
    location: str
    description: str
    url: str
    cancelled: bool
    stamp: dt.datetime  # when the file was made (UTC)


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def calendar_file(event: StayEvent) -> bytes:
    stamp = event.stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_date(event.arrival)}",
        f"DTEND;VALUE=DATE:{_date(event.departure + dt.timedelta(days=1))}",  # DTEND is exclusive
        f"SUMMARY:{escape_text(event.summary)}",
        f"LOCATION:{escape_text(event.location)}",
        f"DESCRIPTION:{escape_text(event.description)}",
        f"URL:{event.url}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
        f"SEQUENCE:{1 if event.cancelled else 0}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
