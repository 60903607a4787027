"""Per-IP rate limits (Litestar's RateLimitConfig on the shared store).

Litestar keys its counters by identifier only, so each limit puts its own name in
the identifier; otherwise two limits on the same IP would share one counter.

On Redis the counting is ours (``OneTripRateLimit``): Litestar's middleware reads a request's
history and writes it back under one lock per limit and process, so every booking request of a
process queued on that lock for two Redis round trips (issue 20: at a release hour, thousands of
them). Ours is a fixed window per limit and caller, counted with ``INCR`` and ``EXPIRE … NX`` in
one ``MULTI``: one round trip and no lock, and two processes still share the count. Without Redis
(one process, in-memory store, no network) Litestar's own middleware runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import DURATION_VALUES, RateLimitConfig, RateLimitMiddleware
from litestar.stores.redis import RedisStore
from litestar.types import Receive, Scope, Send

from sojourn.web.client_ip import client_ip

STORE = "rate_limits"
# Failed sign-ins per login (the lock-out in ``accounts.services``), shared by the page and the API.
LOGIN_FAILURES_STORE = "login_failures"


class OneTripRateLimit(RateLimitMiddleware):
    """Litestar's rate limit, counted in one Redis round trip, without a process-wide lock."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["litestar_app"]
        store = self.config.get_store_from_app(app)
        if not isinstance(store, RedisStore):
            await super().__call__(scope, receive, send)
            return
        request: Request[Any, Any, Any] = app.request_class(scope)
        if await self.should_check_request(request=request):
            window = DURATION_VALUES[self.unit]
            key = store._make_key(self.cache_key_from_request(request))  # the store's namespace
            async with store._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, window, nx=True)
                pipe.ttl(key)
                count, _, ttl = await pipe.execute()
            headers = {
                self.config.rate_limit_policy_header_key: f"{self.max_requests}; w={window}",
                self.config.rate_limit_limit_header_key: str(self.max_requests),
                self.config.rate_limit_remaining_header_key: str(max(self.max_requests - count, 0)),
                self.config.rate_limit_reset_header_key: str(max(ttl, 0)),
            }
            if count > self.max_requests:
                raise TooManyRequestsException(headers=headers if self.config.set_rate_limit_headers else None)
            if self.config.set_rate_limit_headers:
                send = self._with_headers(send, headers)
        await self.app(scope, receive, send)

    @staticmethod
    def _with_headers(send: Send, headers: dict[str, str]) -> Send:
        async def wrapped(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *((k.encode(), v.encode()) for k, v in headers.items())]
            await send(message)

        return wrapped


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
sign_in = RateLimitConfig(
    rate_limit=("minute", 10), identifier_for_request=_per_ip("sign_in"), store=STORE, middleware_class=OneTripRateLimit
)
# Registration: a handful an hour from one address.
registration = RateLimitConfig(
    rate_limit=("hour", 20), identifier_for_request=_per_ip("register"), store=STORE, middleware_class=OneTripRateLimit
)
# Creating holds and waiting-list entries: generous for people, a wall for scripts.
booking_creation = RateLimitConfig(
    rate_limit=("minute", 30),
    identifier_for_request=_per_account_or_ip("book"),
    store=STORE,
    middleware_class=OneTripRateLimit,
)
# The hotline takes a call a minute or so: looking up many more seniors than that is harvesting.
senior_lookups = RateLimitConfig(
    rate_limit=("minute", 30),
    identifier_for_request=_per_account_or_ip("senior_lookup"),
    store=STORE,
    middleware_class=OneTripRateLimit,
)
# One-time codes (password reset, registration): each sends a text message or an e-mail.
reset_codes = RateLimitConfig(
    rate_limit=("hour", 10), identifier_for_request=_per_ip("codes"), store=STORE, middleware_class=OneTripRateLimit
)
