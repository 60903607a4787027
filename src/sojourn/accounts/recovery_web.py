"""Pages for a forgotten password (``/password/forgot``, ``/password/reset``) and the code that
registration asks for (``/register/code``). Same services as the API (``recovery``); the code
is sent after the page has gone out, and the page never says whether an account exists."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts import rate_limits, recovery
from sojourn.accounts.pages import phone_problem, register_step
from sojourn.accounts.rate_limits import LOGIN_FAILURES_STORE
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.i18n import current_locale
from sojourn.i18n import gettext as _
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form, safe_next

Text = Annotated[str, msgspec.Meta(max_length=254)]


class ForgotForm(msgspec.Struct):
    login: Text


class ResetForm(msgspec.Struct):
    login: Text
    code: Annotated[str, msgspec.Meta(max_length=12)]
    new_password: Annotated[str, msgspec.Meta(max_length=128)]


class RegisterCodeForm(msgspec.Struct):
    display_name: Annotated[str, msgspec.Meta(max_length=60)]
    phone: Text
    next: str = "/trips"


def _errors(refused: DomainError, field: str) -> dict[str, str]:
    return {key: str(value) for key, value in refused.field_errors.items()} or {field: str(refused.message)}


@get("/password/forgot", include_in_schema=False)
async def forgot_page() -> Template:
    return Template("accounts/forgot.html", context={"values": {}, "errors": {}})


@post("/password/forgot", include_in_schema=False, middleware=[rate_limits.reset_codes.middleware], status_code=200)
async def send_reset_code(
    request: Request[Any, Any, Any], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template:
    try:
        form = await read_form(request, ForgotForm)
    except FormErrors as invalid:
        return Template(
            "accounts/forgot.html", context={"values": invalid.values, "errors": invalid.errors}, status_code=400
        )
    pending = await recovery.request_reset_code(form.login, now=clock.now(), keyring=keyring, locale=current_locale())
    task = BackgroundTask(recovery.send_code, request.app.state.settings, pending)
    context = {"values": {"login": form.login.strip()}, "errors": {}, "sent": recovery.sent_detail()}
    return Template("accounts/reset.html", context=context, background=task)


@post("/password/reset", include_in_schema=False, middleware=[rate_limits.sign_in.middleware], status_code=303)
async def reset(
    request: Request[Any, Any, Any], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template | Redirect:
    try:
        form = await read_form(request, ResetForm)
        await recovery.reset_password(
            form.login,
            form.code,
            form.new_password,
            now=clock.now(),
            keyring=keyring,
            failures=request.app.stores.get(LOGIN_FAILURES_STORE),
            ip=client_ip(request),
        )
    except FormErrors as invalid:
        values = {"login": invalid.values.get("login", "")}
        return Template("accounts/reset.html", context={"values": values, "errors": invalid.errors}, status_code=400)
    except DomainError as refused:
        values = {"login": (await request.form()).get("login", "")}
        errors = _errors(refused, "code")
        return Template("accounts/reset.html", context={"values": values, "errors": errors}, status_code=400)
    flash(request, _("Your new password is set. Sign in with it; other devices have been signed out."), "ok")
    return Redirect("/login", status_code=303)


@post("/register/code", include_in_schema=False, middleware=[rate_limits.reset_codes.middleware], status_code=200)
async def send_registration_code(
    request: Request[Any, Any, Any], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template:
    """Step 1 of registration: the number gets a code (or, if it has an account, a note saying so)."""
    try:
        form = await read_form(request, RegisterCodeForm)
        pending = await recovery.request_registration_code(
            form.phone, now=clock.now(), keyring=keyring, locale=current_locale()
        )
    except FormErrors as invalid:
        errors = {**phone_problem(invalid.values.get("phone", ""), "phone"), **invalid.errors}
        return register_step(invalid.values, errors, step=1, status=400)
    except DomainError as refused:
        values = {key: (await request.form()).get(key, "") for key in ("display_name", "phone", "next")}
        return register_step(values, _errors(refused, "phone"), step=1, status=400)
    values = {"display_name": form.display_name, "phone": form.phone, "next": safe_next(form.next, "/trips")}
    task = BackgroundTask(recovery.send_code, request.app.state.settings, pending)
    return register_step(values, {}, step=2, background=task)


ROUTES = [forgot_page, send_reset_code, reset, send_registration_code]
