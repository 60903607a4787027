"""Pages of the hotline desk that write people: opening an account for a senior who has none,
and adding a person to a senior's account, each with that person's consent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts.guards import agents
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError, NotFound
from sojourn.hotline import enrolment, services
from sojourn.hotline.desk import page_helpers
from sojourn.hotline.forms import read_consent_form, senior_key
from sojourn.hotline.schemas import SeniorIn, SeniorTravellerIn
from sojourn.i18n import gettext as _
from sojourn.travellers.forms import (
    form_field,
    gender_options,
    province_options,
    read_traveller_form,
)
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import safe_next

Caller = Request[Principal, Any, Any]


def _form_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "provinces": province_options(),
        "genders": gender_options(),
        "masked_id": None,
        **page_helpers(),
    }


def _refusal_errors(refused: DomainError, fallback: str) -> dict[str, str]:
    errors = {form_field(key): str(value) for key, value in refused.field_errors.items()}
    return errors or {fallback: str(refused.message)}


# --- A new account for a senior ---------------------------------------------------------------


def _new_senior_page(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
    return Template("hotline/new_senior.html", context=_form_context(values, errors), status_code=status)


@get("/hotline/seniors/new", include_in_schema=False, guards=[agents])
async def new_senior_page() -> Template:
    return _new_senior_page({}, {})


def _read_login_phone(form: Mapping[str, Any]) -> tuple[str, str | None]:
    """What was typed in the login box, and the mobile number it is (None if it is not one)."""
    typed = str(form.get("login_phone") or "").strip()[:40]
    try:
        return typed, services.LookupKey.parse(typed, None).phone
    except DomainError:
        return typed, None


@post("/hotline/seniors/new", include_in_schema=False, guards=[agents], status_code=303)
async def new_senior(
    request: Caller,
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    form = await request.form()
    typed_phone, login_phone = _read_login_phone(form)
    if form.get("step") == "start":  # from a search that found nobody: the number is already known
        return _new_senior_page({"login_phone": typed_phone}, {})
    now = clock.now()
    traveller = read_traveller_form(form, now.date(), is_account_holder=True, phone_default=login_phone)
    consent = read_consent_form(form)
    errors = {**traveller.errors, **consent.errors}
    if login_phone is None:
        errors = {"login_phone": str(services.BAD_PHONE), **errors}
    values = {**traveller.values, **consent.values, "login_phone": typed_phone}
    if not errors and traveller.data is not None and consent.terms is not None and login_phone is not None:
        try:
            overview = await enrolment.enrol_senior(
                request.user,
                SeniorIn(phone=login_phone, travellers=[traveller.data], mandate=consent.terms),
                keyring=keyring,
                now=now,
                settings=settings,
                ip=client_ip(request),
            )
        except DomainError as refused:
            errors = _refusal_errors(refused, "login_phone")
            if "login" in errors:
                errors = {"login_phone": _("This number already has an account. Search for it on the desk instead.")}
        else:
            flash(
                request,
                _(
                    "An account has been opened for %(name)s. They can call 96111 to set their own password.",
                    name=overview.display_name,
                ),
                "ok",
            )
            return Redirect(f"/hotline/seniors/{overview.account_id}", status_code=303)
    return _new_senior_page(values, errors, status=400)


# --- One more person on a senior's account -----------------------------------------------------


def _add_page(account_id: int, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
    return Template(
        "hotline/add_traveller.html",
        context={"account_id": account_id, **_form_context(values, errors)},
        status_code=status,
    )


@get("/hotline/seniors/{account_id:int}/travellers/new", include_in_schema=False, guards=[agents])
async def add_traveller_page(request: Caller, account_id: FromPath[int], next: FromQuery[str] = "") -> Template:
    if not await services.serves(request.user, account_id):
        raise NotFound(_("There is no senior with this number that you may help. Find them by phone first."))
    return _add_page(account_id, {"next": safe_next(next, "") if next else ""}, {})


@post("/hotline/seniors/{account_id:int}/travellers/new", include_in_schema=False, guards=[agents], status_code=303)
async def add_traveller(
    request: Caller, account_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template | Redirect:
    form = await request.form()
    number = str(form.get("senior_number") or "")[:40]
    target = safe_next(str(form.get("next") or ""), "") if form.get("next") else ""
    if form.get("step") == "start":  # from a search: the account has nobody on it yet
        return _add_page(account_id, {"senior_number": number, "next": target}, {})
    now = clock.now()
    traveller = read_traveller_form(form, now.date())
    consent = read_consent_form(form)
    errors = {**traveller.errors, **consent.errors}
    values = {**traveller.values, **consent.values, "senior_number": number, "next": target}
    if not errors and traveller.data is not None and consent.terms is not None:
        key = senior_key(form)
        try:
            await enrolment.add_traveller_for_senior(
                request.user,
                account_id,
                SeniorTravellerIn(
                    traveller=traveller.data,
                    mandate=consent.terms,
                    senior_phone=key.phone,
                    senior_id_number=key.id_number,
                ),
                keyring=keyring,
                now=now,
                ip=client_ip(request),
            )
        except NotFound:
            raise
        except DomainError as refused:
            errors = _refusal_errors(refused, "name")
        else:
            flash(request, _("%(name)s has been added, with their consent.", name=traveller.data.name), "ok")
            return Redirect(target or f"/hotline/seniors/{account_id}", status_code=303)
    return _add_page(account_id, values, errors, status=400)


ROUTES = [new_senior_page, new_senior, add_traveller_page, add_traveller]
