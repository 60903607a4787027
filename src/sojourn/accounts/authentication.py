"""Authentication: bearer tokens for the JSON API, server-side sessions for pages.

The API never reads the session cookie and pages never read a bearer token, so
the API needs no CSRF token and a stolen cookie cannot drive the API. A request
with neither is anonymous (``request.user`` is None); guards decide what it may do.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast

import redis.exceptions
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, ScopeSession

from sojourn.accounts.principal import principal_for_account, principal_for_token

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
SESSION_ACCOUNT = "account_id"
SESSION_PASSWORD_STAMP = "password_changed_at"
SESSION_SIGNED_IN_AT = "signed_in_at"
# However busy, a session ends this long after signing in (the idle limit is the store's expiry).
# Staff see other people's data: a working day. Seniors: a week, so they are not asked too often.
ABSOLUTE_LIFETIME = {"staff": dt.timedelta(hours=12), "traveller": dt.timedelta(days=7)}
_RENEW_FLAG = "sojourn.renew_session"
_RENEWED_ID = "sojourn.renewed_session_id"


def _requested_path(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The path as requested. A mounted app (Piccolo Admin at /admin) sees only its own part
    in ``scope["path"]``: ``/admin/api/tables/`` would pass for the JSON API there."""
    if getattr(connection.scope.get("route_handler"), "is_mount", False) and connection.scope.get("raw_path"):
        return connection.scope["raw_path"].decode("latin-1")
    return connection.scope["path"]


class SojournAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        clock = connection.app.state.clock
        if _requested_path(connection).startswith(API_PREFIX):
            header = connection.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            if not header:
                return AuthenticationResult(user=None, auth=None)
            if scheme.lower() != "bearer" or not token.strip():
                raise NotAuthorizedException(headers={"WWW-Authenticate": 'Bearer realm="sojourn"'})
            principal = await principal_for_token(token.strip(), clock.now())
            if principal is None:
                raise NotAuthorizedException(
                    headers={"WWW-Authenticate": 'Bearer realm="sojourn", error="invalid_token"'}
                )
            return AuthenticationResult(user=principal, auth=principal.token_id)
        session = connection.scope.get("session")
        if not isinstance(session, dict):
            return AuthenticationResult(user=None, auth=None)
        account_id = session.get(SESSION_ACCOUNT)
        if not account_id:
            return AuthenticationResult(user=None, auth=None)
        principal = await principal_for_account(int(account_id))
        # A password change signs out every other session; so does the absolute lifetime.
        if (
            principal is None
            or session.get(SESSION_PASSWORD_STAMP) != principal.password_changed_at.isoformat()
            or _outlived(session.get(SESSION_SIGNED_IN_AT), principal, clock.now())
        ):
            connection.scope["session"] = {}
            return AuthenticationResult(user=None, auth=None)
        return AuthenticationResult(user=principal, auth="session")


def _outlived(signed_in_at: str | None, principal: Any, now: dt.datetime) -> bool:
    """Past its absolute lifetime, or from before sessions recorded when they began."""
    if not signed_in_at:
        return True
    try:
        began = dt.datetime.fromisoformat(signed_in_at)
    except ValueError:
        return True
    lifetime = ABSOLUTE_LIFETIME["staff" if principal.role.value != "traveller" else "traveller"]
    return now - began >= lifetime


class RenewableSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, plus a new session id on demand (at login).

    Renewing the id defeats session fixation: whatever id a visitor carried before
    signing in is deleted, and the signed-in session gets a fresh one.
    """

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        renewed = connection.scope.get("state", {}).get(_RENEWED_ID)
        return renewed or super().get_session_id(connection)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        state = connection.scope.setdefault("state", {})
        if scope_session is not Empty and not scope_session and not connection.cookies.get(self.config.key):
            # An anonymous visit with nothing to keep: no cookie, no stored session.
            return
        if scope_session is not Empty and not scope_session:
            scope_session = Empty  # emptied: delete it server-side and expire the cookie
        try:
            if state.pop(_RENEW_FLAG, False):
                old_id = connection.cookies.get(self.config.key)
                if old_id:
                    await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
                state[_RENEWED_ID] = self.generate_session_id()
            await super().store_in_message(scope_session, message, connection)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as lost:
            # Redis went away between the handler and the response (the response has not
            # started yet, but its body is made): never a 500. A page that only read the
            # session is served as it is (its expiry was not extended); a change to the
            # session (sign-in, sign-out, a preference) that could not be kept is a 503.
            log.warning("session not saved on %s %s: %r", connection.scope.get("method"), connection.url.path, lost)
            if connection.scope.get("method") not in ("GET", "HEAD"):
                start = cast("dict[str, Any]", message)  # http.response.start: status and headers
                start["status"] = 503
                start["headers"] = [
                    *[(k, v) for k, v in start.get("headers", []) if k.lower() != b"set-cookie"],
                    (b"retry-after", b"5"),
                ]


class RenewableSessionConfig(ServerSideSessionConfig):
    _backend_class = RenewableSessionBackend


def renew_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    connection.scope.setdefault("state", {})[_RENEW_FLAG] = True
