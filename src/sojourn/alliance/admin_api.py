"""``/api/v1/alliance/*``: administering members, agreements, bases and base staff (coordinators, admins)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter

from sojourn.accounts import rate_limits
from sojourn.accounts.guards import admins, coordinators
from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role
from sojourn.alliance import admin, admin_bases, base_grants, invitation_messages, operator_invitations
from sojourn.alliance.admin_schemas import (
    AdminBaseOut,
    AdminMemberOut,
    AgreementEdit,
    AgreementIn,
    AgreementOut,
    BaseAssignIn,
    BaseGrantDecisionOut,
    BaseGrantOut,
    InvitationAcceptIn,
    InvitationOut,
    MemberEdit,
    MemberIn,
    OperatorIn,
    OperatorOut,
)
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.web.client_ip import client_ip
from sojourn.web.pagination import Page

Caller = Request[Principal, Any, Any]


class AcceptedOut(msgspec.Struct):
    account_id: int


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


@post(
    "/api/v1/alliance/operators",
    tags=TAGS,
    summary="Invite a base staff account",
    description=(
        "Nobody chooses another person's password: the person receives a one-time invitation code "
        "and sets their own. An administrator's invitation is approved at once (201, with `code`, "
        "shown this once and sent to the person); a coordinator's waits for an administrator (202, "
        "`status: requested`)."
    ),
    guards=GUARDS,
    status_code=201,
    responses={202: ResponseSpec(InvitationOut, description="Requested: an administrator decides")},
)
async def create_operator(
    request: Caller, data: JSONBody[OperatorIn], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Response[InvitationOut]:
    invitation = await operator_invitations.invite_operator(
        request.user, data, now=clock.now(), keyring=keyring, ip=client_ip(request)
    )
    return _invitation_response(request, invitation, 201 if invitation.status == "approved" else 202)


def _invitation_response(request: Caller, invitation: InvitationOut, status_code: int) -> Response[InvitationOut]:
    """The answer; a new code also goes to the person, after the answer has been sent."""
    background = None
    if invitation.code is not None:
        settings = request.app.state.settings
        background = BackgroundTask(invitation_messages.send_invitation, settings, invitation)
    return Response(invitation, status_code=status_code, background=background)


@get("/api/v1/alliance/operator-invitations", tags=TAGS, summary="Invitations for base staff", guards=GUARDS)
async def list_invitations(request: Caller) -> Page[InvitationOut]:
    items = await operator_invitations.list_invitations(request.user)
    return Page(items=items, total=len(items))


@post(
    "/api/v1/alliance/operator-invitations/{invitation_id:int}/approve",
    tags=TAGS,
    summary="Approve an invitation (administrators): makes a new one-time code",
    guards=[admins],
    status_code=200,
)
async def approve_invitation(
    request: Caller, invitation_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Response[InvitationOut]:
    invitation = await operator_invitations.approve_invitation(
        request.user, invitation_id, now=clock.now(), keyring=keyring, ip=client_ip(request)
    )
    return _invitation_response(request, invitation, 200)


@post(
    "/api/v1/alliance/operator-invitations/{invitation_id:int}/decline",
    tags=TAGS,
    summary="Decline an invitation (administrators)",
    guards=[admins],
    status_code=200,
)
async def decline_invitation(
    request: Caller, invitation_id: FromPath[int], clock: NamedDependency[Clock]
) -> InvitationOut:
    return await operator_invitations.decline_invitation(
        request.user, invitation_id, now=clock.now(), ip=client_ip(request)
    )


@post(
    "/api/v1/alliance/operators/{account_id:int}/bases",
    tags=TAGS,
    summary="Let a base staff account work for one more base",
    description=(
        "An administrator's call adds the base (200, the account). A coordinator's call asks for it "
        "(202, the request): an administrator approves it under `/api/v1/alliance/base-grants`."
    ),
    guards=GUARDS,
    status_code=200,
    responses={202: ResponseSpec(BaseGrantOut, description="Requested: an administrator decides")},
)
async def assign_base(
    request: Caller, account_id: FromPath[int], data: JSONBody[BaseAssignIn], clock: NamedDependency[Clock]
) -> Response[OperatorOut | BaseGrantOut]:
    if request.user.role == Role.admin:
        return Response(await admin_bases.assign_base(request.user, account_id, data.base_id, ip=client_ip(request)))
    grant = await base_grants.request_base(
        request.user, account_id, data.base_id, now=clock.now(), ip=client_ip(request)
    )
    return Response(grant, status_code=202)


@get("/api/v1/alliance/base-grants", tags=TAGS, summary="Requests to give a base to a staff account", guards=GUARDS)
async def list_base_grants(request: Caller) -> Page[BaseGrantOut]:
    items = await base_grants.list_requests(request.user)
    return Page(items=items, total=len(items))


@post(
    "/api/v1/alliance/base-grants/{grant_id:int}/approve",
    tags=TAGS,
    summary="Approve a request for a base (administrators)",
    guards=[admins],
    status_code=200,
)
async def approve_base_grant(
    request: Caller, grant_id: FromPath[int], clock: NamedDependency[Clock]
) -> BaseGrantDecisionOut:
    return await base_grants.decide(request.user, grant_id, True, now=clock.now(), ip=client_ip(request))


@post(
    "/api/v1/alliance/base-grants/{grant_id:int}/decline",
    tags=TAGS,
    summary="Decline a request for a base (administrators)",
    guards=[admins],
    status_code=200,
)
async def decline_base_grant(
    request: Caller, grant_id: FromPath[int], clock: NamedDependency[Clock]
) -> BaseGrantDecisionOut:
    return await base_grants.decide(request.user, grant_id, False, now=clock.now(), ip=client_ip(request))


@post(
    "/api/v1/auth/invitation",
    tags=["Auth"],
    summary="Accept a base staff invitation: set your own password",
    middleware=[rate_limits.sign_in.middleware],
    status_code=201,
)
async def accept_invitation(
    request: Request[Any, Any, Any],
    data: JSONBody[InvitationAcceptIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> AcceptedOut:
    account_id = await operator_invitations.accept_invitation(
        data.code, data.password, now=clock.now(), keyring=keyring, ip=client_ip(request)
    )
    return AcceptedOut(account_id=account_id)


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
    list_invitations,
    approve_invitation,
    decline_invitation,
    assign_base,
    list_base_grants,
    approve_base_grant,
    decline_base_grant,
    unassign_base,
    accept_invitation,
]
