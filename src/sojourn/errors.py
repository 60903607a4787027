"""Domain errors: a stable code, an HTTP-independent kind, and a message a senior can act on.

Messages are lazy gettext strings, rendered in the reader's language when the
error is turned into a response (problem+json for the API, inline text on pages).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause and fix."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: Any,
        *,
        code: str | None = None,
        field_errors: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field_errors = field_errors or {}  # field name -> what to fix, for forms and API clients
        self.extra = extra  # more problem-details members, e.g. nights_short
        self.headers: dict[str, str] = {}


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class NotFound(DomainError):
    """Not there, or not yours: the two are never told apart."""

    status = 404
    code = "not_found"


class NotAllowed(DomainError):
    status = 403
    code = "not_allowed"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Busy(DomainError):
    """Could not get the lock in time; safe to retry after ``retry_after`` seconds."""

    status = 503
    code = "busy"

    def __init__(self, message: Any, *, retry_after: int = 2, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.headers["Retry-After"] = str(retry_after)


class Crowded(DomainError):
    """Too many people ahead in the line for one base (bookings.admission): nothing was changed,
    and a retry after ``retry_after`` seconds is welcome. 429, not 5xx: the server is fine."""

    status = 429
    code = "crowded"

    def __init__(self, message: Any, *, retry_after: int = 2, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.headers["Retry-After"] = str(max(retry_after, 1))


class WrongCredentials(DomainError):
    status = 401
    code = "wrong_credentials"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, message: Any, *, retry_after: int, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.headers["Retry-After"] = str(max(retry_after, 1))
