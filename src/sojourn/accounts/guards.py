"""Guards: who may call an endpoint at all. Which objects they see is ``policy``'s job.

Guards are coroutines: Litestar runs synchronous guards in a worker thread, which costs
more than the check itself on every request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    return connection.scope.get("user")


def _require_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = current_principal(connection)
    if principal is None:
        raise NotAuthorizedException(headers={"WWW-Authenticate": 'Bearer realm="sojourn"'})
    return principal


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    _require_principal(connection)


def role_in(*roles: Role) -> Guard:
    allowed = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        if _require_principal(connection).role not in allowed:
            raise PermissionDeniedException()

    guard.__name__ = "role_in_" + "_".join(sorted(role.value for role in allowed))
    return guard


# The usual groups, named for who they are.
bookers = role_in(Role.traveller, Role.agent, Role.admin)  # may hold, confirm, cancel for travellers
operators = role_in(Role.operator, Role.admin)
coordinators = role_in(Role.coordinator, Role.admin)
agents = role_in(Role.agent, Role.admin)
admins = role_in(Role.admin)


async def finance(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Fapiao requests: admins and coordinators limited to members (``policy.invoice_requests_visible``)."""
    principal = _require_principal(connection)
    if not handles_fapiao(principal):
        raise PermissionDeniedException()


def handles_fapiao(principal: Principal | None) -> bool:
    return principal is not None and (
        principal.role == Role.admin or (principal.role == Role.coordinator and bool(principal.member_ids))
    )
