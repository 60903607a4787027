"""Per-IP rate limits (Litestar's RateLimitConfig on the shared store).

Litestar keys its counters by identifier only, so each limit puts its own name in
the identifier; otherwise two limits on the same IP would share one counter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig

from sojourn.web.client_ip import client_ip

STORE = "rate_limits"
# Failed sign-ins per login (the lock-out in ``accounts.services``), shared by the page and the API.
LOGIN_FAILURES_STORE = "login_failures"


def _per_ip(name: str) -> Callable[[Request[Any, Any, Any]], str]:
    def identifier(request: Request[Any, Any, Any]) -> str:
        return f"{name}:{client_ip(request)}"

    return identifier


def _per_account_or_ip(name: str) -> Callable[[Request[Any, Any, Any]], str]:
    def identifier(request: Request[Any, Any, Any]) -> str:
        user = request.scope.get("user")
        return f"{name}:account:{user.account_id}" if user else f"{name}:{client_ip(request)}"

    return identifier


# Sign-in: 10 attempts a minute from one address (the per-login lock-out is in services).
sign_in = RateLimitConfig(rate_limit=("minute", 10), identifier_for_request=_per_ip("sign_in"), store=STORE)
# Registration: a handful an hour from one address.
registration = RateLimitConfig(rate_limit=("hour", 20), identifier_for_request=_per_ip("register"), store=STORE)
# Creating holds and waiting-list entries: generous for people, a wall for scripts.
booking_creation = RateLimitConfig(
    rate_limit=("minute", 30), identifier_for_request=_per_account_or_ip("book"), store=STORE
)
# The hotline takes a call a minute or so: looking up many more seniors than that is harvesting.
senior_lookups = RateLimitConfig(
    rate_limit=("minute", 30), identifier_for_request=_per_account_or_ip("senior_lookup"), store=STORE
)
# One-time codes (password reset, registration): each sends a text message or an e-mail.
reset_codes = RateLimitConfig(rate_limit=("hour", 10), identifier_for_request=_per_ip("codes"), store=STORE)
