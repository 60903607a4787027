"""``/api/v1/travellers``: the people the signed-in account books for."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, patch, post
from litestar.params import FromPath, JSONBody

from sojourn.accounts.guards import bookers, role_in
from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.travellers import services
from sojourn.travellers.schemas import TravellerIn, TravellerOut, TravellerPatch
from sojourn.web.pagination import Page
from sojourn.web.params import Limit, Offset


@post("/api/v1/travellers", tags=["Travellers"], summary="Add a traveller", guards=[role_in(Role.traveller)])
async def create_traveller(
    request: Request[Principal, Any, Any],
    data: JSONBody[TravellerIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> TravellerOut:
    return await services.create_traveller(request.user, data, keyring=keyring, today=clock.now().date())


@get("/api/v1/travellers", tags=["Travellers"], summary="Your travellers", guards=[bookers])
async def list_travellers(
    request: Request[Principal, Any, Any],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[TravellerOut]:
    items, total = await services.list_travellers(request.user, clock.now().date(), limit, offset, keyring=keyring)
    return Page(items=items, total=total)


@get("/api/v1/travellers/{traveller_id:int}", tags=["Travellers"], summary="One traveller", guards=[bookers])
async def get_traveller(
    request: Request[Principal, Any, Any],
    traveller_id: FromPath[int],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> TravellerOut:
    return await services.get_traveller(request.user, traveller_id, clock.now().date(), keyring=keyring)


@patch("/api/v1/travellers/{traveller_id:int}", tags=["Travellers"], summary="Correct a traveller", guards=[bookers])
async def update_traveller(
    request: Request[Principal, Any, Any],
    traveller_id: FromPath[int],
    data: JSONBody[TravellerPatch],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> TravellerOut:
    return await services.update_traveller(request.user, traveller_id, data, keyring=keyring, today=clock.now().date())


ROUTES = [create_traveller, list_travellers, get_traveller, update_traveller]
