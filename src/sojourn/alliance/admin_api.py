"""``/api/v1/alliance/*``: administering members, agreements, bases and base staff (coordinators, admins)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter

from sojourn.accounts.guards import coordinators
from sojourn.accounts.principal import Principal
from sojourn.alliance import admin, admin_bases
from sojourn.alliance.admin_schemas import (
    AdminBaseOut,
    AdminMemberOut,
    AgreementEdit,
    AgreementIn,
    AgreementOut,
    BaseAssignIn,
    MemberEdit,
    MemberIn,
    OperatorIn,
    OperatorOut,
)
from sojourn.web.client_ip import client_ip
from sojourn.web.pagination import Page

Caller = Request[Principal, Any, Any]
TAGS = ["Alliance administration"]
GUARDS = [coordinators]
BaseStatusFilter = Annotated[str | None, Parameter(pattern="^(pending|admitted|suspended)$")]


@get("/api/v1/alliance/members", tags=TAGS, summary="Members, with whether you may change each", guards=GUARDS)
async def list_members(request: Caller) -> Page[AdminMemberOut]:
    members = await admin.list_members(request.user)
    return Page(items=members, total=len(members))


@post("/api/v1/alliance/members", tags=TAGS, summary="Add a member", guards=GUARDS, status_code=201)
async def create_member(request: Caller, data: JSONBody[MemberIn]) -> AdminMemberOut:
    return await admin.create_member(request.user, data, ip=client_ip(request))


@patch("/api/v1/alliance/members/{member_id:int}", tags=TAGS, summary="Change a member's names", guards=GUARDS)
async def update_member(request: Caller, member_id: FromPath[int], data: JSONBody[MemberEdit]) -> AdminMemberOut:
    return await admin.update_member(request.user, member_id, data, ip=client_ip(request))


@post(
    "/api/v1/alliance/members/{member_id:int}/suspend",
    tags=TAGS,
    summary="Suspend a member",
    guards=GUARDS,
    status_code=200,
)
async def suspend_member(request: Caller, member_id: FromPath[int]) -> AdminMemberOut:
    return await admin.set_member_status(request.user, member_id, "suspended", ip=client_ip(request))


@post(
    "/api/v1/alliance/members/{member_id:int}/reinstate",
    tags=TAGS,
    summary="Reinstate a member",
    guards=GUARDS,
    status_code=200,
)
async def reinstate_member(request: Caller, member_id: FromPath[int]) -> AdminMemberOut:
    return await admin.set_member_status(request.user, member_id, "active", ip=client_ip(request))


@get("/api/v1/alliance/agreements", tags=TAGS, summary="Bilateral agreements", guards=GUARDS)
async def list_agreements(request: Caller) -> Page[AgreementOut]:
    agreements = await admin.list_agreements(request.user)
    return Page(items=agreements, total=len(agreements))


@post(
    "/api/v1/alliance/agreements",
    tags=TAGS,
    summary="Record an agreement between two members",
    guards=GUARDS,
    status_code=201,
)
async def create_agreement(request: Caller, data: JSONBody[AgreementIn]) -> AgreementOut:
    return await admin.create_agreement(request.user, data, ip=client_ip(request))


@patch(
    "/api/v1/alliance/agreements/{agreement_id:int}",
    tags=TAGS,
    summary="Change an agreement's modes or dates",
    guards=GUARDS,
)
async def update_agreement(request: Caller, agreement_id: FromPath[int], data: JSONBody[AgreementEdit]) -> AgreementOut:
    return await admin.update_agreement(request.user, agreement_id, data, ip=client_ip(request))


@get("/api/v1/alliance/bases", tags=TAGS, summary="Bases with their admission status", guards=GUARDS)
async def list_bases(request: Caller, status: BaseStatusFilter = None) -> Page[AdminBaseOut]:
    bases = await admin_bases.list_bases(request.user, status)
    return Page(items=bases, total=len(bases))


@post("/api/v1/alliance/bases/{base_id:int}/admit", tags=TAGS, summary="Admit a base", guards=GUARDS, status_code=200)
async def admit_base(request: Caller, base_id: FromPath[int]) -> AdminBaseOut:
    return await admin_bases.change_base_status(request.user, base_id, "admit", ip=client_ip(request))


@post(
    "/api/v1/alliance/bases/{base_id:int}/suspend",
    tags=TAGS,
    summary="Suspend a base: no new bookings, existing ones stand",
    guards=GUARDS,
    status_code=200,
)
async def suspend_base(request: Caller, base_id: FromPath[int]) -> AdminBaseOut:
    return await admin_bases.change_base_status(request.user, base_id, "suspend", ip=client_ip(request))


@get("/api/v1/alliance/operators", tags=TAGS, summary="Base staff accounts and their bases", guards=GUARDS)
async def list_operators(request: Caller) -> Page[OperatorOut]:
    operators = await admin_bases.list_operators(request.user)
    return Page(items=operators, total=len(operators))


@post("/api/v1/alliance/operators", tags=TAGS, summary="Create a base staff account", guards=GUARDS, status_code=201)
async def create_operator(request: Caller, data: JSONBody[OperatorIn]) -> OperatorOut:
    return await admin_bases.create_operator(request.user, data, ip=client_ip(request))


@post(
    "/api/v1/alliance/operators/{account_id:int}/bases",
    tags=TAGS,
    summary="Let a base staff account work for one more base",
    guards=GUARDS,
    status_code=200,
)
async def assign_base(request: Caller, account_id: FromPath[int], data: JSONBody[BaseAssignIn]) -> OperatorOut:
    return await admin_bases.assign_base(request.user, account_id, data.base_id, ip=client_ip(request))


@delete(
    "/api/v1/alliance/operators/{account_id:int}/bases/{base_id:int}",
    tags=TAGS,
    summary="Take a base away from a base staff account",
    guards=GUARDS,
    status_code=200,
)
async def unassign_base(request: Caller, account_id: FromPath[int], base_id: FromPath[int]) -> OperatorOut:
    return await admin_bases.unassign_base(request.user, account_id, base_id, ip=client_ip(request))


ROUTES = [
    list_members,
    create_member,
    update_member,
    suspend_member,
    reinstate_member,
    list_agreements,
    create_agreement,
    update_agreement,
    list_bases,
    admit_base,
    suspend_base,
    list_operators,
    create_operator,
    assign_base,
    unassign_base,
]
