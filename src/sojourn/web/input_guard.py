"""Input no handler should ever see: NUL bytes, absurdly deep JSON and dates in a query outside
the one window every date must lie in (``sojourn.dates``), refused up front.

PostgreSQL cannot store a NUL character in text, and msgspec recurses once per level of
JSON nesting: either used to become a 500 deep inside a handler. This middleware looks at
the path, the query string and (for JSON and urlencoded forms, which are bounded in size)
the body before any handler parses them, and answers 400 with a clear message instead.
Multipart bodies (files) are left alone: a NUL byte is normal in a file.

Dates in bodies are checked by the input structs (``dates.BoundedDates``); dates in a query
string (``start``, ``arrival``, ``month`` ...) are checked here, by their ISO shape, so no
handler computes with year 1 or 9999 (one took minutes, another overflowed). Free text
(``q``) is not read as a date.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from sojourn.dates import EARLIEST, LATEST
from sojourn.errors import DomainError, InvalidInput
from sojourn.i18n import lazy_gettext as _l

MAX_JSON_DEPTH = 32
# Bodies up to this size are checked; larger ones are refused (413) by Litestar as they are read.
MAX_CHECKED_BODY = 256 * 1024

_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_NUL_ENCODED = re.compile(rb"%00", re.IGNORECASE)
_NUL_JSON = re.compile(rb"\\u0000", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(-\d{2})?$")
FREE_TEXT_PARAMETERS = frozenset({"q"})


class BadInput(DomainError):
    status = 400
    code = "bad_input"


def _control_character() -> BadInput:
    return BadInput(
        _l(
            "Some of what you sent contains an invisible control character (NUL). "
            "Type the text again without it, or paste it as plain text."
        )
    )


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # cannot be deeper than the number of openers
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def check_query_dates(query_string: bytes) -> None:
    """A date-shaped value outside EARLIEST..LATEST, in any parameter but free text, is refused."""
    if not query_string:
        return
    bad = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=False):
        match = _ISO_DATE.match(value.strip())
        if match and name not in FREE_TEXT_PARAMETERS and not EARLIEST.year <= int(match[1]) <= LATEST.year:
            bad[name] = _l(
                "Use a date between %(earliest)s and %(latest)s.", earliest=str(EARLIEST), latest=str(LATEST)
            )
    if bad:
        raise InvalidInput(_l("Please check the dates."), field_errors=bad)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1").lower()
    return ""


def check_body(content_type: str, body: bytes) -> None:
    if "json" in content_type:
        if b"\x00" in body or _NUL_JSON.search(body):
            raise _control_character()
        if json_depth(body) > MAX_JSON_DEPTH:
            raise BadInput(_l("The JSON sent is nested too deeply. Send a flatter document."))
    elif "application/x-www-form-urlencoded" in content_type and (b"\x00" in body or _NUL_ENCODED.search(body)):
        raise _control_character()


class InputGuardMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        target = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if b"\x00" in target or _NUL_ENCODED.search(target):
            raise _control_character()
        check_query_dates(scope.get("query_string", b""))
        content_type = _header(scope, b"content-type")
        if "json" not in content_type and "application/x-www-form-urlencoded" not in content_type:
            await next_app(scope, receive, send)
            return
        messages: list[Any] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > MAX_CHECKED_BODY or not message.get("more_body", False):
                break
        if size <= MAX_CHECKED_BODY:
            check_body(content_type, b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request"))

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        await next_app(scope, replay, send)
