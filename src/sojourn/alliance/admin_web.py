"""Alliance administration pages under ``/alliance``: members, agreements, bases, base staff.

Plain forms (they work without JavaScript), the same services as the API, a message after
each change, and the form shown again with the problem next to the field when something is wrong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts import policy
from sojourn.accounts.guards import coordinators
from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role
from sojourn.alliance import admin, admin_bases, base_grants, operator_invitations
from sojourn.alliance.admin_schemas import AgreementEdit, AgreementIn, MemberEdit, MemberIn, OperatorIn
from sojourn.alliance.pages import code_page
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.i18n import gettext as _
from sojourn.stats.charts import mode_names
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form

Caller = Request[Principal, Any, Any]
GUARDS = [coordinators]


def _errors(problem: DomainError, default_field: str) -> dict[str, str]:
    return {key: str(value) for key, value in problem.field_errors.items()} or {default_field: str(problem.message)}


async def _form_values(request: Caller) -> dict[str, Any]:
    form = await request.form()
    return {
        key: (form.getall(key) if key in ("modes", "base_ids") else form.get(key))
        for key in form
        if key != "_csrf_token"
    }


async def _change(
    request: Caller,
    action: Callable[[], Awaitable[Any]],
    done: str,
    back: str,
    again: Callable[[dict, dict, int], Awaitable[Template]],
    field: str,
) -> Template | Redirect:
    """Run one change; on success flash ``done`` and go to ``back``, otherwise show the form again."""
    try:
        await action()
    except FormErrors as invalid:
        return await again(invalid.values, invalid.errors, 400)
    except DomainError as refused:
        return await again(await _form_values(request), _errors(refused, field), refused.status)
    flash(request, done, "ok")
    return Redirect(back, status_code=303)


# --- members ---------------------------------------------------------------------------


async def _members_page(request: Caller, values: dict, errors: dict, status: int = 200) -> Template:
    return Template(
        "alliance/members.html",
        context={
            "members": await admin.list_members(request.user),
            "may_add": policy.administers_whole_alliance(request.user),
            "values": values,
            "errors": errors,
        },
        status_code=status,
    )


@get("/alliance/members", include_in_schema=False, guards=GUARDS)
async def members_page(request: Caller) -> Template:
    return await _members_page(request, {}, {})


@post("/alliance/members", include_in_schema=False, guards=GUARDS, status_code=303)
async def add_member(request: Caller) -> Template | Redirect:
    async def action() -> Any:
        return await admin.create_member(request.user, await read_form(request, MemberIn), ip=client_ip(request))

    again = lambda values, errors, status: _members_page(request, values, errors, status)  # noqa: E731
    return await _change(request, action, _("The member was added."), "/alliance/members", again, "code")


async def _member_page(
    request: Caller, member_id: int, values: dict | None, errors: dict, status: int = 200
) -> Template:
    member = await admin.get_member(request.user, member_id)
    return Template(
        "alliance/member.html",
        context={
            "member": member,
            "values": values or {f: getattr(member, f) for f in MemberEdit.__struct_fields__},
            "errors": errors,
        },
        status_code=status,
    )


@get("/alliance/members/{member_id:int}", include_in_schema=False, guards=GUARDS)
async def member_page(request: Caller, member_id: FromPath[int]) -> Template:
    return await _member_page(request, member_id, None, {})


@post("/alliance/members/{member_id:int}", include_in_schema=False, guards=GUARDS, status_code=303)
async def edit_member(request: Caller, member_id: FromPath[int]) -> Template | Redirect:
    async def action() -> Any:
        return await admin.update_member(
            request.user, member_id, await read_form(request, MemberEdit), ip=client_ip(request)
        )

    again = lambda values, errors, status: _member_page(request, member_id, values, errors, status)  # noqa: E731
    return await _change(request, action, _("The changes were saved."), "/alliance/members", again, "name_zh")


@post("/alliance/members/{member_id:int}/{action:str}", include_in_schema=False, guards=GUARDS, status_code=303)
async def member_status(request: Caller, member_id: FromPath[int], action: FromPath[str]) -> Redirect:
    if action not in ("suspend", "reinstate"):
        return Redirect("/alliance/members", status_code=303)
    status = "suspended" if action == "suspend" else "active"
    await admin.set_member_status(request.user, member_id, status, ip=client_ip(request))
    flash(request, _("The member is suspended.") if status == "suspended" else _("The member is active again."), "ok")
    return Redirect("/alliance/members", status_code=303)


# --- agreements ------------------------------------------------------------------------


async def _agreements_page(request: Caller, values: dict, errors: dict, status: int = 200) -> Template:
    members = await admin.list_members(request.user)
    return Template(
        "alliance/agreements.html",
        context={
            "agreements": await admin.list_agreements(request.user),
            "own_members": [(str(m.id), m.name) for m in members if m.editable],
            "all_members": [(str(m.id), m.name) for m in members],
            "mode_names": mode_names(),
            "values": values,
            "errors": errors,
        },
        status_code=status,
    )


@get("/alliance/agreements", include_in_schema=False, guards=GUARDS)
async def agreements_page(request: Caller) -> Template:
    return await _agreements_page(request, {}, {})


@post("/alliance/agreements", include_in_schema=False, guards=GUARDS, status_code=303)
async def add_agreement(request: Caller) -> Template | Redirect:
    async def action() -> Any:
        data = await read_form(request, AgreementIn, lists=("modes",))
        return await admin.create_agreement(request.user, data, ip=client_ip(request))

    again = lambda values, errors, status: _agreements_page(request, values, errors, status)  # noqa: E731
    return await _change(
        request, action, _("The agreement was recorded."), "/alliance/agreements", again, "member_b_id"
    )


async def _agreement_page(
    request: Caller, agreement_id: int, values: dict | None, errors: dict, status: int = 200
) -> Template:
    agreement = await admin.get_agreement(request.user, agreement_id)
    defaults = {
        "modes": agreement.modes,
        "signed_on": agreement.signed_on,
        "expires_on": agreement.expires_on,
        "note": agreement.note,
    }
    return Template(
        "alliance/agreement.html",
        context={"agreement": agreement, "values": values or defaults, "errors": errors, "mode_names": mode_names()},
        status_code=status,
    )


@get("/alliance/agreements/{agreement_id:int}", include_in_schema=False, guards=GUARDS)
async def agreement_page(request: Caller, agreement_id: FromPath[int]) -> Template:
    return await _agreement_page(request, agreement_id, None, {})


@post("/alliance/agreements/{agreement_id:int}", include_in_schema=False, guards=GUARDS, status_code=303)
async def edit_agreement(request: Caller, agreement_id: FromPath[int]) -> Template | Redirect:
    async def action() -> Any:
        data = await read_form(request, AgreementEdit, lists=("modes",))
        return await admin.update_agreement(request.user, agreement_id, data, ip=client_ip(request))

    again = lambda values, errors, status: _agreement_page(request, agreement_id, values, errors, status)  # noqa: E731
    return await _change(request, action, _("The changes were saved."), "/alliance/agreements", again, "modes")


# --- bases and their staff ---------------------------------------------------------------


@get("/alliance/bases", include_in_schema=False, guards=GUARDS)
async def bases_page(request: Caller) -> Template:
    return Template("alliance/bases.html", context={"bases": await admin_bases.list_bases(request.user)})


@post("/alliance/bases/{base_id:int}/{action:str}", include_in_schema=False, guards=GUARDS, status_code=303)
async def base_status(request: Caller, base_id: FromPath[int], action: FromPath[str]) -> Redirect:
    if action in admin_bases.TRANSITIONS:
        try:
            base = await admin_bases.change_base_status(request.user, base_id, action, ip=client_ip(request))
        except DomainError as refused:
            if refused.status == 404:
                raise
            flash(request, str(refused.message), "error")
        else:
            message = (
                _("%(base)s is admitted and can take bookings.", base=base.name)
                if base.status == "admitted"
                else _("%(base)s is suspended: it takes no new bookings; bookings already made stand.", base=base.name)
            )
            flash(request, message, "ok")
    return Redirect("/alliance/bases", status_code=303)


async def _operators_page(request: Caller, values: dict, errors: dict, status: int = 200) -> Template:
    bases = await admin_bases.list_bases(request.user)
    return Template(
        "alliance/operators.html",
        context={
            "operators": await admin_bases.list_operators(request.user),
            "invitations": await operator_invitations.list_invitations(request.user),
            "grants": await base_grants.list_requests(request.user),
            "is_admin": request.user.role == Role.admin,
            "bases": bases,
            "values": values,
            "errors": errors,
        },
        status_code=status,
    )


@get("/alliance/operators", include_in_schema=False, guards=GUARDS)
async def operators_page(request: Caller) -> Template:
    return await _operators_page(request, {}, {})


@post("/alliance/operators", include_in_schema=False, guards=GUARDS, status_code=303)
async def add_operator(
    request: Caller, clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template | Redirect:
    """An invitation: an administrator sees its code at once; a coordinator's request waits."""
    try:
        data = await read_form(request, OperatorIn, lists=("base_ids",))
        invitation = await operator_invitations.invite_operator(
            request.user, data, now=clock.now(), keyring=keyring, ip=client_ip(request)
        )
    except FormErrors as invalid:
        return await _operators_page(request, invalid.values, invalid.errors, 400)
    except DomainError as refused:
        return await _operators_page(request, await _form_values(request), _errors(refused, "login"), refused.status)
    if invitation.code is not None:
        return code_page(request, invitation)
    flash(
        request,
        _("Your request was sent. An administrator of the alliance approves it and sends the invitation."),
        "ok",
    )
    return Redirect("/alliance/operators", status_code=303)


async def _operator_page(request: Caller, account_id: int, errors: dict, status: int = 200) -> Template:
    operator = await admin_bases.get_operator(request.user, account_id)
    bases = await admin_bases.list_bases(request.user)
    return Template(
        "alliance/operator.html",
        context={
            "operator": operator,
            "choices": [(str(b.id), b.name) for b in bases if b.id not in {own.id for own in operator.bases}],
            "errors": errors,
        },
        status_code=status,
    )


@get("/alliance/operators/{account_id:int}", include_in_schema=False, guards=GUARDS)
async def operator_page(request: Caller, account_id: FromPath[int]) -> Template:
    return await _operator_page(request, account_id, {})


@post("/alliance/operators/{account_id:int}/bases", include_in_schema=False, guards=GUARDS, status_code=303)
async def operator_add_base(
    request: Caller, account_id: FromPath[int], clock: NamedDependency[Clock]
) -> Template | Redirect:
    form = await request.form()
    raw = form.get("base_id") or ""
    if not raw.isdigit():
        return await _operator_page(request, account_id, {"base_id": _("Choose a base.")}, 400)
    try:
        if request.user.role == Role.admin:
            await admin_bases.assign_base(request.user, account_id, int(raw), ip=client_ip(request))
        else:
            await base_grants.request_base(request.user, account_id, int(raw), now=clock.now(), ip=client_ip(request))
    except DomainError as refused:
        if refused.status == 404:
            raise
        return await _operator_page(request, account_id, _errors(refused, "base_id"), refused.status)
    if request.user.role == Role.admin:
        flash(request, _("The base was added."), "ok")
    else:
        flash(request, _("Your request was sent. An administrator of the alliance decides on it."), "ok")
    return Redirect(f"/alliance/operators/{account_id}", status_code=303)


@post(
    "/alliance/operators/{account_id:int}/bases/{base_id:int}/remove",
    include_in_schema=False,
    guards=GUARDS,
    status_code=303,
)
async def operator_remove_base(request: Caller, account_id: FromPath[int], base_id: FromPath[int]) -> Redirect:
    await admin_bases.unassign_base(request.user, account_id, base_id, ip=client_ip(request))
    flash(request, _("The base was taken off this account."), "ok")
    return Redirect("/alliance/operators", status_code=303)


ROUTES = [
    members_page,
    add_member,
    member_page,
    edit_member,
    member_status,
    agreements_page,
    add_agreement,
    agreement_page,
    edit_agreement,
    bases_page,
    base_status,
    operators_page,
    add_operator,
    operator_page,
    operator_add_base,
    operator_remove_base,
]
