"""Pages for signed-in people: one guard sends a visitor to the sign-in page, and back (``next``).

Pages never show a bare 401. A page handler says ``guards=[signed_in_page]`` (or a guard built on
it); when nobody is signed in the guard raises ``SignInFirst`` and ``sign_in_redirect`` answers
with a redirect to ``/login?next=...``. ``next`` is the page itself, or what the handler names
with ``opt=after_sign_in(...)``: a path template filled from the path parameters (a form's POST
goes back to the page that showed the form), or a coroutine that reads the request (to carry
the form's choices along).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from sojourn.web.forms import safe_next

AfterSignIn = Callable[[Request[Any, Any, Any]], Awaitable[str]]
_OPT_KEY = "after_sign_in"


class SignInFirst(NotAuthorizedException):
    """Nobody is signed in on a page that needs someone; ``next_url`` is where to come back to."""

    def __init__(self, next_url: str) -> None:
        super().__init__()
        self.next_url = next_url


def after_sign_in(target: str | AfterSignIn) -> dict[str, Any]:
    """Route ``opt`` naming where to come back to after signing in."""
    return {_OPT_KEY: target}


def current_target(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    query = connection.url.query
    return connection.url.path + (f"?{query}" if query else "")


def sign_in_url(target: str) -> str:
    return f"/login?next={quote(safe_next(target), safe='')}"


async def _target(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> str:
    after = handler.opt.get(_OPT_KEY)
    if after is None:
        return current_target(connection)
    if isinstance(after, str):
        return after.format(**connection.path_params)
    assert isinstance(connection, Request), "after_sign_in coroutines are for HTTP pages"
    return await after(connection)


async def signed_in_page(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise SignInFirst(await _target(connection, handler))


def sign_in_redirect(request: Request[Any, Any, Any], exc: SignInFirst) -> Redirect:
    return Redirect(sign_in_url(exc.next_url), status_code=303)
