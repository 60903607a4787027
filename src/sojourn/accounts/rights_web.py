"""The account page's side of the account holder's rights: a readable copy of one's data, and
closing the account (``rights``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts import export_text, rights
from sojourn.accounts.authentication import renew_session_id
from sojourn.accounts.guards import signed_in
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.i18n import gettext as _
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form

Caller = Request[Principal, Any, Any]


class CloseForm(msgspec.Struct):
    password: Annotated[str, msgspec.Meta(max_length=128)]


@get("/account/export", include_in_schema=False, guards=[signed_in])
async def export_file(request: Caller, keyring: NamedDependency[KeyRing]) -> Response[str]:
    text = export_text.readable(await rights.export(request.user, keyring))
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Disposition": "attachment; filename=\"sojourn-my-data.txt\"; filename*=UTF-8''%E6%88%91%E7%9A%84%E6%97%85%E5%B1%85%E9%80%9A%E6%95%B0%E6%8D%AE.txt"
        },
    )


@post("/account/close", include_in_schema=False, guards=[signed_in], status_code=303)
async def close(request: Caller, clock: NamedDependency[Clock]) -> Template | Redirect:
    try:
        form = await read_form(request, CloseForm)
        await rights.close_account(request.user, form.password, now=clock.now(), ip=client_ip(request))
    except FormErrors as invalid:
        return Template("accounts/account.html", context={"errors": invalid.errors}, status_code=400)
    except DomainError as refused:
        errors = {key: str(value) for key, value in refused.field_errors.items()} or {"password": str(refused.message)}
        return Template("accounts/account.html", context={"errors": errors}, status_code=refused.status)
    renew_session_id(request)  # the signed-in session is deleted; a fresh one carries the message
    request.set_session({})
    flash(
        request,
        _("Your account is closed and your personal data has been erased. Thank you for travelling with us."),
        "ok",
    )
    return Redirect("/", status_code=303)


ROUTES = [export_file, close]
