"""``/api/v1/auth/reset-code`` and ``/api/v1/auth/reset``: a forgotten password, by a code sent
to the account's phone or e-mail (see ``recovery``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.params import JSONBody

from sojourn.accounts import rate_limits, recovery
from sojourn.accounts.rate_limits import LOGIN_FAILURES_STORE
from sojourn.accounts.schemas import LoginText
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.i18n import current_locale
from sojourn.web.client_ip import client_ip


class ResetCodeIn(msgspec.Struct, forbid_unknown_fields=True):
    login: LoginText


class ResetIn(msgspec.Struct, forbid_unknown_fields=True):
    login: LoginText
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=12)]
    new_password: Annotated[str, msgspec.Meta(max_length=128)]


class Accepted(msgspec.Struct):
    detail: str


class Done(msgspec.Struct):
    status: str = "password_changed"


@post(
    "/api/v1/auth/reset-code",
    tags=["Auth"],
    summary="Send a code to set a new password",
    description="Always 202, whether or not the account exists; the code goes to the account's phone or e-mail.",
    middleware=[rate_limits.reset_codes.middleware],
    status_code=202,
)
async def send_reset_code(
    request: Request[Any, Any, Any],
    data: JSONBody[ResetCodeIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Response[Accepted]:
    pending = await recovery.request_reset_code(data.login, now=clock.now(), keyring=keyring, locale=current_locale())
    settings = request.app.state.settings
    detail = recovery.sent_detail()
    return Response(Accepted(detail), status_code=202, background=BackgroundTask(recovery.send_code, settings, pending))


@post(
    "/api/v1/auth/reset",
    tags=["Auth"],
    summary="Set a new password with the code",
    description="400 for a wrong or expired code (after 5 wrong tries the code stops working).",
    middleware=[rate_limits.sign_in.middleware],
    status_code=200,
)
async def reset_password(
    request: Request[Any, Any, Any],
    data: JSONBody[ResetIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Done:
    await recovery.reset_password(
        data.login,
        data.code,
        data.new_password,
        now=clock.now(),
        keyring=keyring,
        failures=request.app.stores.get(LOGIN_FAILURES_STORE),
        ip=client_ip(request),
    )
    return Done()


ROUTES = [send_reset_code, reset_password]
