"""``/api/v1/auth/token`` (sign in, sign out) and ``/api/v1/me``."""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get, post
from litestar.params import JSONBody

from sojourn.accounts import rate_limits, services
from sojourn.accounts.guards import signed_in
from sojourn.accounts.principal import Principal
from sojourn.accounts.schemas import MeOut, TokenRequest, TokenResponse
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.web.client_ip import client_ip


@post(
    "/api/v1/auth/token",
    tags=["Auth"],
    summary="Sign in and get a bearer token",
    middleware=[rate_limits.sign_in.middleware],
    status_code=200,
)
async def create_token(
    request: Request[Any, Any, Any], data: JSONBody[TokenRequest], clock: NamedDependency[Clock]
) -> TokenResponse:
    principal = await services.authenticate(
        data.login,
        data.password,
        store=request.app.stores.get(rate_limits.LOGIN_FAILURES_STORE),
        ip=client_ip(request),
        now=clock.now(),
    )
    issued = await services.issue_token(principal, clock.now(), label=request.headers.get("user-agent", ""))
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in)


@delete("/api/v1/auth/token", tags=["Auth"], summary="Revoke this token", guards=[signed_in])
async def revoke_token(request: Request[Principal, Any, Any], clock: NamedDependency[Clock]) -> None:
    await services.revoke_token(request.user, clock.now())


@get("/api/v1/me", tags=["Auth"], summary="The signed-in account", guards=[signed_in])
async def me(request: Request[Principal, Any, Any]) -> MeOut:
    principal = request.user
    return MeOut(
        id=principal.account_id,
        role=principal.role.value,
        display_name=principal.display_name,
        locale=principal.locale,
        elder_mode=principal.elder_mode,
        base_ids=sorted(principal.base_ids),
        member_ids=sorted(principal.member_ids),
    )


ROUTES = [create_token, revoke_token, me]
