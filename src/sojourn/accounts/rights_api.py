"""``GET /api/v1/me/export`` and ``DELETE /api/v1/me``: the account holder's rights (``rights``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get
from litestar.params import JSONBody

from sojourn.accounts import rights
from sojourn.accounts.guards import signed_in
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.web.client_ip import client_ip


class CloseIn(msgspec.Struct, forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class Closed(msgspec.Struct):
    status: str = "closed"


@get(
    "/api/v1/me/export",
    tags=["Auth"],
    summary="Everything held about this account and its travellers (PIPL right of access)",
    guards=[signed_in],
)
async def export_me(request: Request[Principal, Any, Any], keyring: NamedDependency[KeyRing]) -> dict[str, Any]:
    return await rights.export(request.user, keyring)


@delete(
    "/api/v1/me",
    tags=["Auth"],
    summary="Close this account: personal data erased or anonymised, bookings kept without identity",
    description="Traveller accounts only (staff accounts are closed by an administrator). 409 while a booking "
    "is held, confirmed or under way.",
    guards=[signed_in],
    status_code=202,
)
async def close_me(
    request: Request[Principal, Any, Any], data: JSONBody[CloseIn], clock: NamedDependency[Clock]
) -> Closed:
    await rights.close_account(request.user, data.password, now=clock.now(), ip=client_ip(request))
    return Closed()


ROUTES = [export_me, close_me]
