"""``/api/v1/agent/...``: the hotline systems' side. Find a senior (masked), open an account for
one who has none, record and withdraw their consent. Agents and admins only; every action is
audited with the account it was done for."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, JSONBody

from sojourn.accounts import rate_limits
from sojourn.accounts.guards import agents
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.hotline import enrolment, mandates, services
from sojourn.hotline.schemas import (
    MandateIn,
    MandateOut,
    SeniorIn,
    SeniorLookupIn,
    SeniorMatch,
    SeniorOverview,
    SeniorTravellerIn,
)
from sojourn.web.client_ip import client_ip
from sojourn.web.pagination import Page

Caller = Request[Principal, Any, Any]


@post(
    "/api/v1/agent/seniors/search",
    tags=["Hotline"],
    summary="Find a senior by mobile or identity number (masked)",
    description=(
        "Give exactly one of `phone` or `id_number`, in the body: personal numbers never go in a URL, "
        "where every log and proxy on the way would keep them. Matches traveller accounts by the "
        "account's mobile number, a traveller's mobile number, or a traveller's identity number (by "
        "its keyed digest). Results are masked; `mandate_active` tells whether the hotline may "
        "already act for them. Every search is audited (`senior_lookup`) and limited to 30 a "
        "minute per agent."
    ),
    guards=[agents],
    middleware=[rate_limits.senior_lookups.middleware],
    status_code=200,
)
async def find_seniors(
    request: Caller, keyring: NamedDependency[KeyRing], data: JSONBody[SeniorLookupIn]
) -> Page[SeniorMatch]:
    key = services.LookupKey.parse(data.phone, data.id_number)
    items = await services.find_seniors(request.user, key, keyring=keyring, ip=client_ip(request))
    return Page(items=items, total=len(items))


@post(
    "/api/v1/agent/seniors",
    tags=["Hotline"],
    summary="Open an account for a senior who has none, with their travellers and consent",
    description=(
        "The mobile number becomes the login; the password is random and never shown. Each traveller "
        "gets the consent in `mandate`. 409 `login_taken` when the number already has an account: "
        "find the senior instead."
    ),
    guards=[agents],
)
async def enrol_senior(
    request: Caller,
    data: JSONBody[SeniorIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
    settings: NamedDependency[Settings],
) -> SeniorOverview:
    return await enrolment.enrol_senior(
        request.user, data, keyring=keyring, now=clock.now(), settings=settings, ip=client_ip(request)
    )


@get(
    "/api/v1/agent/seniors/{account_id:int}",
    tags=["Hotline"],
    summary="A senior the hotline serves: travellers, consents, bookings",
    description="404 unless at least one of the account's travellers has an active consent.",
    guards=[agents],
)
async def senior_overview(
    request: Caller, account_id: FromPath[int], clock: NamedDependency[Clock], settings: NamedDependency[Settings]
) -> SeniorOverview:
    return await services.senior_overview(
        request.user, account_id, now=clock.now(), settings=settings, ip=client_ip(request)
    )


@post(
    "/api/v1/agent/seniors/{account_id:int}/travellers",
    tags=["Hotline"],
    summary="Add a person to a senior's account, with that person's consent",
    description=(
        "Allowed when the account already has an active consent, or with `senior_phone` / "
        "`senior_id_number` as the senior gave it (an account that has no traveller yet)."
    ),
    guards=[agents],
)
async def add_traveller(
    request: Caller,
    account_id: FromPath[int],
    data: JSONBody[SeniorTravellerIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
    settings: NamedDependency[Settings],
) -> SeniorOverview:
    now = clock.now()
    await enrolment.add_traveller_for_senior(
        request.user, account_id, data, keyring=keyring, now=now, ip=client_ip(request)
    )
    return await services.senior_overview(request.user, account_id, now=now, settings=settings, audit_view=False)


@post(
    "/api/v1/agent/travellers/{traveller_id:int}/mandate",
    tags=["Hotline"],
    summary="Record a senior's consent that the hotline may book and declare for them",
    description=(
        "`method` is phone_call, in_person or written; `reference` finds the consent again (the call id). "
        "Give `senior_phone` or `senior_id_number` as the senior said it; it must belong to the traveller "
        "or their account, unless that account already has an active consent. 404 otherwise; 409 "
        "`mandate_active` when a consent is already active."
    ),
    guards=[agents],
)
async def record_mandate(
    request: Caller,
    traveller_id: FromPath[int],
    data: JSONBody[MandateIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> MandateOut:
    key = (
        services.LookupKey.parse(
            data.senior_phone, data.senior_id_number, phone_field="senior_phone", id_field="senior_id_number"
        )
        if data.senior_phone or data.senior_id_number
        else services.LookupKey()
    )
    return await mandates.record_mandate(
        request.user, traveller_id, data, key, keyring=keyring, now=clock.now(), ip=client_ip(request)
    )


@post(
    "/api/v1/agent/travellers/{traveller_id:int}/mandate/withdraw",
    tags=["Hotline"],
    summary="Withdraw a senior's consent",
    description="From now on agents get 404 for this traveller. 409 `no_active_mandate` if there is none.",
    guards=[agents],
    status_code=200,
)
async def withdraw_mandate(request: Caller, traveller_id: FromPath[int], clock: NamedDependency[Clock]) -> MandateOut:
    return await mandates.withdraw_mandate(request.user, traveller_id, now=clock.now(), ip=client_ip(request))


ROUTES = [find_seniors, enrol_senior, senior_overview, add_traveller, record_mandate, withdraw_mandate]
