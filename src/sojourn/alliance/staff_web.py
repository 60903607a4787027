"""Pages for base staff invitations and base requests (see ``operator_invitations`` and
``base_grants``): administrators approve or decline; the invited person sets a password at
``/invitation``. A new invitation code is shown once on the page that made it (never kept in
a flash message or the session) and sent to the person."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts import rate_limits
from sojourn.accounts.guards import admins
from sojourn.accounts.principal import Principal
from sojourn.alliance import base_grants, operator_invitations
from sojourn.alliance.pages import code_page
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.i18n import gettext as _
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form

Caller = Request[Principal, Any, Any]


@post("/alliance/invitations/{invitation_id:int}/approve", include_in_schema=False, guards=[admins], status_code=200)
async def approve_invitation(
    request: Caller, invitation_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template:
    invitation = await operator_invitations.approve_invitation(
        request.user, invitation_id, now=clock.now(), keyring=keyring, ip=client_ip(request)
    )
    return code_page(request, invitation)


@post("/alliance/invitations/{invitation_id:int}/decline", include_in_schema=False, guards=[admins], status_code=303)
async def decline_invitation(request: Caller, invitation_id: FromPath[int], clock: NamedDependency[Clock]) -> Redirect:
    await operator_invitations.decline_invitation(request.user, invitation_id, now=clock.now(), ip=client_ip(request))
    flash(request, _("The invitation was declined."), "ok")
    return Redirect("/alliance/operators", status_code=303)


@post("/alliance/base-grants/{grant_id:int}/{decision:str}", include_in_schema=False, guards=[admins], status_code=303)
async def decide_base_grant(
    request: Caller, grant_id: FromPath[int], decision: FromPath[str], clock: NamedDependency[Clock]
) -> Redirect:
    if decision not in ("approve", "decline"):
        return Redirect("/alliance/operators", status_code=303)
    await base_grants.decide(request.user, grant_id, decision == "approve", now=clock.now(), ip=client_ip(request))
    flash(request, _("The base was added.") if decision == "approve" else _("The request was declined."), "ok")
    return Redirect("/alliance/operators", status_code=303)


class AcceptForm(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(max_length=40)]
    password: Annotated[str, msgspec.Meta(max_length=128)]


def _accept_page(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
    return Template(
        "alliance/invitation_accept.html",
        context={"values": {"code": values.get("code", "")}, "errors": errors},
        status_code=status,
    )


@get("/invitation", include_in_schema=False)
async def accept_page() -> Template:
    return _accept_page({}, {})


@post("/invitation", include_in_schema=False, middleware=[rate_limits.sign_in.middleware], status_code=303)
async def accept(
    request: Request[Any, Any, Any], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template | Redirect:
    try:
        form = await read_form(request, AcceptForm)
        await operator_invitations.accept_invitation(
            form.code, form.password, now=clock.now(), keyring=keyring, ip=client_ip(request)
        )
    except FormErrors as invalid:
        return _accept_page(invalid.values, invalid.errors, 400)
    except DomainError as refused:
        errors = {key: str(value) for key, value in refused.field_errors.items()} or {"code": str(refused.message)}
        return _accept_page({"code": (await request.form()).get("code", "")}, errors, 400)
    flash(request, _("Your account is ready. Sign in with your mobile number or e-mail and your new password."), "ok")
    return Redirect("/login?next=/operator", status_code=303)


ROUTES = [approve_invitation, decline_invitation, decide_base_grant, accept_page, accept]
