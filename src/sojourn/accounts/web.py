"""Pages: sign in, create an account, sign out, change the password, account overview."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn import db
from sojourn.accounts import rate_limits, recovery, services
from sojourn.accounts.authentication import (
    SESSION_ACCOUNT,
    SESSION_PASSWORD_STAMP,
    SESSION_SIGNED_IN_AT,
    renew_session_id,
)
from sojourn.accounts.guards import signed_in
from sojourn.accounts.landing import landing_page
from sojourn.accounts.logins import parse_login
from sojourn.accounts.pages import register_step, registration_problems
from sojourn.accounts.principal import Principal, principal_for_account
from sojourn.audit import services as audit
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.i18n import gettext as _
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form, safe_next
from sojourn.web.middleware import LANGUAGE_COOKIE

Text = Annotated[str, msgspec.Meta(max_length=254)]


class SignInForm(msgspec.Struct):
    login: Text
    password: Annotated[str, msgspec.Meta(max_length=128)]
    next: str = ""


class RegisterForm(msgspec.Struct):
    display_name: Annotated[str, msgspec.Meta(max_length=60)]
    phone: Text
    code: Annotated[str, msgspec.Meta(max_length=12)]
    password: Annotated[str, msgspec.Meta(max_length=128)]
    next: str = "/trips"


class PasswordForm(msgspec.Struct):
    current_password: Annotated[str, msgspec.Meta(max_length=128)]
    new_password: Annotated[str, msgspec.Meta(max_length=128)]


def _sign_in_session(request: Request[Any, Any, Any], principal: Principal) -> None:
    """A fresh session id at every sign-in (no fixation), holding only who signed in, and when."""
    renew_session_id(request)
    request.set_session(
        {
            SESSION_ACCOUNT: principal.account_id,
            SESSION_PASSWORD_STAMP: principal.password_changed_at.isoformat(),
            SESSION_SIGNED_IN_AT: request.app.state.clock.now().isoformat(),
        }
    )


def _language_cookie(request: Request[Any, Any, Any], principal: Principal) -> list[Cookie]:
    return [
        Cookie(
            key=LANGUAGE_COOKIE,
            value=principal.locale,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
        )
    ]


@get("/login", include_in_schema=False)
async def sign_in_page(request: Request[Any, Any, Any], next: FromQuery[str] = "") -> Template | Redirect:
    if request.scope.get("user"):
        return Redirect(landing_page(request.scope["user"].role, next))
    return Template("accounts/login.html", context={"values": {"next": safe_next(next, "")}, "errors": {}})


@post("/login", include_in_schema=False, middleware=[rate_limits.sign_in.middleware], status_code=303)
async def sign_in(request: Request[Any, Any, Any], clock: NamedDependency[Clock]) -> Template | Redirect:
    try:
        form = await read_form(request, SignInForm)
        principal = await services.authenticate(
            form.login,
            form.password,
            store=request.app.stores.get(rate_limits.LOGIN_FAILURES_STORE),
            ip=client_ip(request),
            now=clock.now(),
        )
    except FormErrors as invalid:
        return _login_again(invalid.values, invalid.errors, 400)
    except DomainError as refused:
        values = {"login": (await request.form()).get("login", ""), "next": (await request.form()).get("next", "")}
        return _login_again(values, {"login": str(refused.message)}, refused.status, refused.headers)
    _sign_in_session(request, principal)
    return Redirect(
        landing_page(principal.role, form.next), status_code=303, cookies=_language_cookie(request, principal)
    )


def _login_again(
    values: dict[str, Any], errors: dict[str, str], status: int, headers: dict[str, str] | None = None
) -> Template:
    values = {"login": values.get("login", ""), "next": safe_next(values.get("next"), "")}  # never echo a password
    return Template(
        "accounts/login.html", context={"values": values, "errors": errors}, status_code=status, headers=headers
    )


@get("/register", include_in_schema=False)
async def register_page(next: FromQuery[str] = "/trips") -> Template:
    return register_step({"next": next}, {}, step=1)


@post("/register", include_in_schema=False, middleware=[rate_limits.registration.middleware], status_code=303)
async def register(
    request: Request[Any, Any, Any], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template | Redirect:
    """Step 2 of registration: the code sent to the number, a name and a password.

    The password and name are checked before the code is spent (a weak password does not cost
    the code); the code is spent in its own transaction, so wrong tries count.
    """
    from sojourn.i18n import current_locale

    posted = await request.form()
    values: dict[str, Any] = {key: posted.get(key, "") for key in ("display_name", "phone", "next")}
    # Every problem with the name, number and password at once, before the code is spent.
    errors = registration_problems({**values, "password": posted.get("password", "")})
    try:
        form = await read_form(request, RegisterForm)
    except FormErrors as invalid:
        errors.update(invalid.errors)
    if errors:
        return register_step(values, errors, step=2, status=400)
    try:
        phone = parse_login(form.phone)
        async with db.connection() as conn, conn.transaction():
            await recovery.check_registration_code(conn, phone.value, form.code, now=clock.now(), keyring=keyring)
        account_id = await services.create_account(
            login=form.phone, password=form.password, display_name=form.display_name, locale=current_locale()
        )
    except DomainError as refused:
        errors = {("phone" if key == "login" else key): str(value) for key, value in refused.field_errors.items()}
        return register_step(values, errors or {"phone": str(refused.message)}, step=2, status=400)
    principal = await principal_for_account(account_id)
    assert principal is not None
    await audit.record("account_registered", actor=principal, ip=client_ip(request))
    _sign_in_session(request, principal)
    flash(request, _("Welcome! Your account is ready. Add the people you travel with next."), "ok")
    return Redirect(safe_next(form.next, "/trips"), status_code=303)


@post("/logout", include_in_schema=False, status_code=303)
async def sign_out(request: Request[Any, Any, Any]) -> Redirect:
    if request.scope.get("user"):
        await audit.record("logout", actor=request.scope["user"], ip=client_ip(request))
    request.clear_session()
    return Redirect("/", status_code=303)


@get("/account", include_in_schema=False, guards=[signed_in])
async def account_page(request: Request[Principal, Any, Any]) -> Template:
    return Template("accounts/account.html", context={"errors": {}})


@post("/account/password", include_in_schema=False, guards=[signed_in], status_code=303)
async def change_password(request: Request[Principal, Any, Any], clock: NamedDependency[Clock]) -> Template | Redirect:
    try:
        form = await read_form(request, PasswordForm)
        changed_at = await services.change_password(
            request.user, form.current_password, form.new_password, now=clock.now(), ip=client_ip(request)
        )
    except FormErrors as invalid:
        return Template("accounts/account.html", context={"errors": invalid.errors}, status_code=400)
    except DomainError as refused:
        errors = {key: str(value) for key, value in refused.field_errors.items()} or {
            "current_password": str(refused.message)
        }
        return Template("accounts/account.html", context={"errors": errors}, status_code=400)
    # Every other session is now signed out; this one continues with a new id.
    renew_session_id(request)
    signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)  # a new password does not extend the session
    request.set_session(
        {
            SESSION_ACCOUNT: request.user.account_id,
            SESSION_PASSWORD_STAMP: changed_at.isoformat(),
            SESSION_SIGNED_IN_AT: signed_in_at,
        }
    )
    flash(request, _("Your password has been changed. Other devices have been signed out."), "ok")
    return Redirect("/account", status_code=303)


ROUTES = [sign_in_page, sign_in, register_page, register, sign_out, account_page, change_password]
