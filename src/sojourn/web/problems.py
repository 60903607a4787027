"""Errors become responses in one place.

For the JSON API every error is RFC 9457 problem details (Litestar's
``ProblemDetailsException``) with ``detail`` in the reader's language; pages get
an HTML error page instead. Validation messages from msgspec are rewritten into
plain words, per field, in the reader's language.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec
import redis.exceptions
from litestar import Litestar, MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware.csrf import generate_csrf_token
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from sojourn import i18n
from sojourn.errors import DomainError
from sojourn.i18n import gettext as _
from sojourn.web.middleware import request_locale

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be read"),
        401: _("Please sign in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("This cannot be done now"),
        413: _("Too large"),
        415: _("Unsupported format"),
        422: _("Please check what you entered"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("Busy, please try again"),
    }


def title_for(status: int) -> str:
    return _titles().get(status, _("Error"))


def _default_detail(status: int) -> str:
    return {
        400: _("Please check the request and try again."),
        401: _("Sign in, or send a valid access token, and try again."),
        403: _("Your account is not allowed to do this."),
        404: _("There is nothing here. Check the address."),
        405: _("This address does not accept that method."),
        413: _("What you sent is too large. Send less at a time, or shorten long texts."),
        429: _("Please wait a moment before trying again."),
        500: _("We could not finish this. Nothing was changed; please try again later."),
        503: _("The service is busy. Nothing was changed; please try again shortly."),
    }.get(status, _("Please try again."))


# msgspec's validation messages, reworded for people. Order matters: first match wins.
_VALIDATION_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Object missing required field `(?P<field>[^`]+)`"), lambda m: _("This is required.")),
    (re.compile(r"Expected `str` of length <= (?P<n>\d+)"), lambda m: _("Use at most %(n)s characters.", n=m["n"])),
    (re.compile(r"Expected `str` of length >= (?P<n>\d+)"), lambda m: _("Use at least %(n)s characters.", n=m["n"])),
    (re.compile(r"Expected `(array|list)` of length >= (?P<n>\d+)"), lambda m: _("Choose at least %(n)s.", n=m["n"])),
    (re.compile(r"Expected `(array|list)` of length <= (?P<n>\d+)"), lambda m: _("Choose at most %(n)s.", n=m["n"])),
    (
        re.compile(r"Expected `(int|float)` >= (?P<n>-?[\d.]+)"),
        lambda m: _("Use a number of at least %(n)s.", n=m["n"]),
    ),
    (re.compile(r"Expected `(int|float)` <= (?P<n>-?[\d.]+)"), lambda m: _("Use a number of at most %(n)s.", n=m["n"])),
    (re.compile(r"Expected `str` matching regex"), lambda m: _("This is not in the expected format.")),
    (re.compile(r"Expected `int`"), lambda m: _("Use a whole number.")),
    (re.compile(r"Expected `(float|number)`"), lambda m: _("Use a number.")),
    (re.compile(r"Expected `bool`"), lambda m: _("Use true or false.")),
    (
        re.compile(r"Expected `date`|Invalid RFC3339 encoded date|Invalid date"),
        lambda m: _("Use a date like 2026-12-01."),
    ),
    (re.compile(r"Invalid enum value (?P<value>.+)"), lambda m: _("This value is not one of the allowed choices.")),
    (re.compile(r"Object contains unknown field `(?P<field>[^`]+)`"), lambda m: _("This field is not recognised.")),
    (re.compile(r"Expected `str`"), lambda m: _("Use text.")),
    (re.compile(r"Expected `(object|array)`"), lambda m: _("This has the wrong shape.")),
]


def humanise_validation_message(message: str) -> str:
    for pattern, render in _VALIDATION_PATTERNS:
        match = pattern.search(message)
        if match:
            return render(match)
    return _("This value is not valid.")


def field_errors_from(exc: ValidationException) -> dict[str, str]:
    """Field path -> what to fix, from Litestar's validation errors (msgspec messages)."""
    errors: dict[str, str] = {}
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        key = str(item.get("key") or "")
        if not key:
            match = re.search(r"at `\$\.(?P<path>[^`]+)`", message)
            key = match["path"] if match else ""
        if key.startswith("data."):
            key = key[len("data.") :]
        elif key in ("data", "body"):
            key = ""
        # A missing or unknown field is named by the message, not by the path of its parent object.
        named = re.search(r"(missing required|unknown) field `(?P<field>[^`]+)`", message)
        if named:
            key = f"{key}.{named['field']}" if key else named["field"]
        errors.setdefault(key or "body", humanise_validation_message(message))
    return errors


_STANDARD_MEMBERS = frozenset({"type", "status", "title", "detail", "instance"})


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[Any]:
    members: dict[str, Any] = {}
    for key, value in (extra or {}).items():
        # A domain error's extra member must not replace a standard one (a booking's "status"
        # once replaced the HTTP status): it keeps its value under another name.
        members[f"extra_{key}" if key in _STANDARD_MEMBERS else key] = value
    if code:
        members["code"] = code
    return ProblemDetailsException(
        status_code=status,
        title=title_for(status),
        detail=detail,
        type_=f"urn:sojourn:problem:{code}" if code else "about:blank",
        headers=headers,
        extra=members or None,
    ).to_response(request)


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _settle_locale(request: Request[Any, Any, Any]) -> None:
    """Unmatched routes never pass through the locale middleware: settle the language here too."""
    i18n.set_locale(request.scope.get("state", {}).get("locale") or request_locale(request.scope))


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    _settle_locale(request)
    extra = dict(exc.extra)
    if exc.field_errors:
        extra["field_errors"] = {key: str(value) for key, value in exc.field_errors.items()}
    if _is_api(request):
        return problem(request, exc.status, str(exc.message), code=exc.code, headers=exc.headers, extra=extra)
    return error_page(request, exc.status, str(exc.message), headers=exc.headers)


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    _settle_locale(request)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 429 and "Retry-After" not in headers:
        # Litestar's rate limiter sends RateLimit-Reset (seconds); HTTP clients look for Retry-After.
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
    if isinstance(exc, ProblemDetailsException) and _is_api(request):
        return exc.to_response(request)
    if status >= 500:
        log.exception("unhandled server error on %s %s", request.method, request.url.path, exc_info=exc)
    if isinstance(exc, ValidationException) or (status == 400 and isinstance(exc.extra, list)):
        fields = field_errors_from(exc) if isinstance(exc, ValidationException) else {}
        detail = _("Some of what you sent needs correcting: see field_errors.") if fields else _default_detail(400)
        if _is_api(request):
            return problem(request, 400, detail, code="invalid_input", extra={"field_errors": fields})
        return error_page(request, 400, detail)
    detail = _default_detail(status) if status >= 500 or not _is_meaningful(exc) else str(exc.detail)
    if status in (401, 403, 404, 405, 413, 429):
        detail = _default_detail(status)
    if status == 403 and "CSRF" in str(exc.detail):
        detail = _("This form has expired or was sent from another site. Reload the page and try again.")
    if _is_api(request):
        return problem(request, status, detail, headers=headers)
    return error_page(request, status, detail, headers=headers)


def _is_meaningful(exc: HTTPException) -> bool:
    return bool(exc.detail) and exc.detail not in {"Bad Request", "Internal Server Error"}


# The database could not be reached (restart, failover, connection limit): nothing was
# written, so the answer is a retryable 503, never a 500.
DATABASE_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    asyncpg.InterfaceError,
    ConnectionError,
    TimeoutError,
)


# Redis (sessions, rate limits, sign-in lock-outs) could not be reached: those checks run
# before any change is made, so this too is a retryable 503. The client reconnects by itself
# on the next command once Redis is back.
SHARED_STORE_UNAVAILABLE = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def unavailable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    _settle_locale(request)
    log.warning("database or Redis unavailable on %s %s: %r", request.method, request.url.path, exc)
    headers = {"Retry-After": "5"}
    if _is_api(request):
        return problem(request, 503, _default_detail(503), code="unavailable", headers=headers)
    return error_page(request, 503, _default_detail(503), headers=headers)


_OUT_OF_RANGE = re.compile(
    r"invalid input for query argument \$\d+: (?P<value>-?\d+) \(value out of int(32|64) range\)"
)


def data_error_handler(request: Request[Any, Any, Any], exc: asyncpg.DataError) -> Response[Any]:
    """An id too large for its column was asked for: no such object (404) when it came in the
    path, a plain input error (400) when it came in the query. Anything else is a bug (500)."""
    match = _OUT_OF_RANGE.search(str(exc))
    if match:
        value = match["value"]
        if value in {str(v) for v in request.path_params.values()}:
            _settle_locale(request)
            return (
                problem(request, 404, _default_detail(404))
                if _is_api(request)
                else error_page(request, 404, _default_detail(404))
            )
        names = [name for name, raw in request.query_params.items() if raw.strip() == value]
        _settle_locale(request)
        message = _("Use a number of at most %(n)s.", n=2**31 - 1)
        if _is_api(request):
            # In the query: the parameter is named. Otherwise it came in the body (schemas bound
            # ids, so this is a safety net): still the caller's input, never a 500.
            return problem(
                request,
                400,
                _("Some of what you sent needs correcting: see field_errors.") if names else message,
                code="invalid_input",
                extra={"field_errors": {name: message for name in names}} if names else None,
            )
        return error_page(request, 400, message)
    return unexpected_error_handler(request, exc)


def _raised_by_database_driver(exc: BaseException) -> bool:
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "").startswith("asyncpg."):
            return True
        traceback = traceback.tb_next
    return False


def os_error_handler(request: Request[Any, Any, Any], exc: OSError) -> Response[Any]:
    """Connecting to PostgreSQL over a Unix socket (the embedded server) while it restarts
    fails with FileNotFoundError, not ConnectionError: still a 503. Other OS errors are bugs."""
    if _raised_by_database_driver(exc):
        return unavailable_handler(request, exc)
    return unexpected_error_handler(request, exc)


def client_state_error_handler(request: Request[Any, Any, Any], exc: asyncpg.InternalClientError) -> Response[Any]:
    """PostgreSQL closed an idle pooled connection (shutdown, restart, failover) and the next
    query on it fails inside asyncpg before anything is sent: "cannot switch to state ...;
    another operation ... is in progress". Nothing was written: a retryable 503. The pool
    discards the connection when it is released. Other client errors are bugs."""
    if "cannot switch to state" in str(exc):
        return unavailable_handler(request, exc)
    return unexpected_error_handler(request, exc)


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    _settle_locale(request)
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return problem(request, HTTP_500_INTERNAL_SERVER_ERROR, _default_detail(500))
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR, _default_detail(500))


def error_page(
    request: Request[Any, Any, Any], status: int, detail: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    if request.app.template_engine is None:
        return Response(detail, status_code=status, media_type=MediaType.TEXT, headers=headers)
    return Template(
        template_name="error.html",
        context={"status": status, "title": title_for(status), "detail": detail},
        status_code=status,
        headers=headers,
        cookies=_csrf_token_for_error_page(request),
    )


def _csrf_token_for_error_page(request: Request[Any, Any, Any]) -> list[Cookie]:
    """The error page's forms (language, elder mode, sign-out) need a CSRF token too.

    Litestar's CSRF middleware puts the token in the scope only for the requests it let
    through; an unmatched route (404, 405) or a refused form (403) never reached it, and the
    page's forms came out with an empty token that could only fail. Take the visitor's
    CSRF cookie, or make one and set it, as the middleware would have."""
    config = request.app.csrf_config
    state = ScopeState.from_scope(request.scope)
    if config is None or value_or_default(state.csrf_token, ""):
        return []
    existing = request.cookies.get(config.cookie_name)
    state.csrf_token = existing or generate_csrf_token(secret=config.secret)
    if existing:
        return []
    return [
        Cookie(
            key=config.cookie_name,
            value=state.csrf_token,
            path=config.cookie_path,
            secure=config.cookie_secure,
            httponly=config.cookie_httponly,
            samesite=config.cookie_samesite,
            domain=config.cookie_domain,
        )
    ]


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    **{kind: unavailable_handler for kind in DATABASE_UNAVAILABLE + SHARED_STORE_UNAVAILABLE},
    OSError: os_error_handler,
    asyncpg.InternalClientError: client_state_error_handler,
    asyncpg.DataError: data_error_handler,
    Exception: unexpected_error_handler,
}


# --- OpenAPI: every API operation may answer with these problems -----------------------------


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every error of the JSON API is written."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    code: str | None = None
    field_errors: dict[str, str] | None = None


_PROBLEM_DESCRIPTIONS = {
    400: "The request could not be read (field_errors says what to correct)",
    401: "No valid access token",
    403: "The account may not do this",
    404: "Not found, or not visible to this account",
    409: "Conflicts with the current state (sold out, already cancelled, ...)",
    413: "The request body is too large",
    422: "Understood, but the values are not acceptable (field_errors)",
    429: "Too many requests; Retry-After says when to try again",
    503: "Busy or temporarily unavailable; nothing was changed; Retry-After says when to try again",
}


def problem_responses() -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=description,
            media_type="application/problem+json",
            generate_examples=False,
        )
        for status, description in _PROBLEM_DESCRIPTIONS.items()
    }


def document_problems(app: Litestar) -> None:
    """Declare the problem responses on every API operation, where its handler did not declare
    that status itself (Litestar would otherwise document a 400 as application/json, and no
    other error at all, while every error of the API is problem+json)."""
    defaults = problem_responses()
    for route in app.routes:
        if not route.path.startswith(API_PREFIX):
            continue
        for handler in getattr(route, "route_handlers", []):
            own = dict(handler.responses or {})
            handler.responses = {**{s: spec for s, spec in defaults.items() if s not in own}, **own}
