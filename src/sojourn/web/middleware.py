"""Request-wide concerns: the reader's language and the security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from sojourn import i18n
from sojourn.web.api_docs import API_DOCS_CSP

LANGUAGE_COOKIE = "sojourn_lang"

# No inline script anywhere in the product; pages load only their own assets.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def request_locale(scope: Scope) -> str:
    """Cookie choice first (the language switch), then Accept-Language, then Chinese."""
    cookie_header = ""
    accept_language = None
    for name, raw in scope.get("headers", []):
        if name == b"cookie":
            cookie_header = raw.decode("latin-1")
        elif name == b"accept-language":
            accept_language = raw.decode("latin-1")
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == LANGUAGE_COOKIE and value in i18n.LOCALES:
            return value
    return i18n.negotiate(accept_language)


class LocaleMiddleware(ASGIMiddleware):
    """Sets the language for the handler of this request."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        locale = request_locale(scope)
        i18n.set_locale(locale)
        scope.setdefault("state", {})["locale"] = locale
        await next_app(scope, receive, send)


def security_headers_hook(hsts: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A ``before_send`` hook: it sees every response, 404s and errors included.

    CSP without inline script, no framing, no MIME sniffing, a careful referrer
    policy, ``no-store`` for anything shown to a signed-in caller, and which language the
    response is in.
    """

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        headers.setdefault(
            "Content-Security-Policy", API_DOCS_CSP if path == "/schema" or path.startswith("/schema/") else STRICT_CSP
        )
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, value)
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if scope.get("user") is not None and "cache-control" not in headers:
            # Whatever a signed-in person is shown may hold health data, identity numbers or
            # names: no browser or proxy cache keeps it (nor shows it again after signing out).
            headers["Cache-Control"] = "no-store"
        locale = scope.get("state", {}).get("locale") or request_locale(scope)
        headers.setdefault("Content-Language", i18n.language_tag(locale))
        headers.add("Vary", "Accept-Language, Cookie")

    return add_headers
