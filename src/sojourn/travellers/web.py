"""Pages: "The people I book for" — a traveller account's list of travellers, adding, correcting
and removing them, and withdrawing the hotline's consent. ``?next=`` brings a person back to
the page that sent them (the booking wizard sends people here to add a family member)."""

from __future__ import annotations

import contextlib
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts.guards import role_in
from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role
from sojourn.alliance.regions import province_name
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import Conflict, DomainError
from sojourn.hotline import mandates
from sojourn.i18n import current_locale
from sojourn.i18n import gettext as _
from sojourn.travellers import services
from sojourn.travellers.forms import (
    form_field,
    gender_options,
    province_options,
    read_traveller_form,
    values_from,
)
from sojourn.travellers.schemas import TravellerPatch
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import safe_next

Caller = Request[Principal, Any, Any]
LIST = "/account/travellers"
travellers_only = role_in(Role.traveller)


def _next(target: str | None) -> str:
    """A page of this site to return to, or "" (none)."""
    return safe_next(target, "") if target else ""


def _form_page(
    *,
    heading: str,
    action: str,
    values: dict[str, Any],
    errors: dict[str, str],
    next: str = "",
    masked_id: str | None = None,
    offer_account_holder: bool = False,
    status: int = 200,
) -> Template:
    return Template(
        "travellers/form.html",
        context={
            "heading": heading,
            "action": action,
            "values": values,
            "errors": errors,
            "next": next,
            "masked_id": masked_id,
            "offer_account_holder": offer_account_holder,
            "provinces": province_options(),
            "genders": gender_options(),
        },
        status_code=status,
    )


async def _has_account_holder(principal: Principal, clock: Clock) -> bool:
    entries = await services.travellers_with_status(principal, clock.now().date())
    return any(entry.traveller.is_account_holder for entry in entries)


@get(LIST, include_in_schema=False, guards=[travellers_only])
async def list_page(
    request: Caller, clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing], next: FromQuery[str] = ""
) -> Template:
    entries = await services.travellers_with_status(request.user, clock.now().date(), keyring=keyring)
    locale = current_locale()
    return Template(
        "travellers/list.html",
        context={"entries": entries, "next": _next(next), "province": lambda code: province_name(code, locale)},
    )


@get(f"{LIST}/new", include_in_schema=False, guards=[travellers_only])
async def new_page(request: Caller, clock: NamedDependency[Clock], next: FromQuery[str] = "") -> Template:
    target = _next(next)
    return _form_page(
        heading=_("Add a person"),
        action=LIST,
        values={},
        errors={},
        next=target,
        offer_account_holder=not await _has_account_holder(request.user, clock),
    )


@post(LIST, include_in_schema=False, guards=[travellers_only], status_code=303)
async def create(
    request: Caller, clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template | Redirect:
    form = await request.form()
    target = _next(form.get("next"))
    today = clock.now().date()
    holder_offered = not await _has_account_holder(request.user, clock)
    is_holder = holder_offered and form.get("is_account_holder") == "on"
    result = read_traveller_form(form, today, is_account_holder=is_holder)
    if result.data is not None:
        try:
            created = await services.create_traveller(request.user, result.data, keyring=keyring, today=today)
        except DomainError as refused:
            result.errors = {form_field(k): str(v) for k, v in refused.field_errors.items()} or {
                "name": str(refused.message)
            }
        else:
            flash(request, _("%(name)s has been added.", name=created.name), "ok")
            return Redirect(target or LIST, status_code=303)
    return _form_page(
        heading=_("Add a person"),
        action=LIST,
        values={**result.values, "is_account_holder": is_holder},
        errors=result.errors,
        next=target,
        offer_account_holder=holder_offered,
        status=400,
    )


@get(f"{LIST}/{{traveller_id:int}}/edit", include_in_schema=False, guards=[travellers_only])
async def edit_page(
    request: Caller,
    traveller_id: FromPath[int],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
    next: FromQuery[str] = "",
) -> Template:
    traveller = await services.get_traveller(request.user, traveller_id, clock.now().date(), keyring=keyring)
    return _form_page(
        heading=_("Change the details of %(name)s", name=traveller.name),
        action=f"{LIST}/{traveller_id}/edit",
        values=values_from(traveller),
        errors={},
        next=_next(next),
        masked_id=traveller.id_number_masked,
    )


@post(f"{LIST}/{{traveller_id:int}}/edit", include_in_schema=False, guards=[travellers_only], status_code=303)
async def update(
    request: Caller, traveller_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template | Redirect:
    today = clock.now().date()
    saved = await services.get_traveller(request.user, traveller_id, today, keyring=keyring)  # 404 first
    form = await request.form()
    target = _next(form.get("next"))
    remove_id = form.get("remove_id_number") == "on"
    result = read_traveller_form(form, today)
    if result.data is not None:
        data = result.data
        patch = TravellerPatch(
            name=data.name,
            birth_date=data.birth_date,
            home_province_code=data.home_province_code,
            emergency_contact=data.emergency_contact,
            gender=data.gender,
            phone=data.phone,
            id_number=data.id_number,
        )
        clear = frozenset(name for name, wanted in (("phone", data.phone is None), ("id_number", remove_id)) if wanted)
        try:
            updated = await services.update_traveller(
                request.user, traveller_id, patch, keyring=keyring, today=today, clear=clear
            )
        except DomainError as refused:
            result.errors = {form_field(k): str(v) for k, v in refused.field_errors.items()} or {
                "name": str(refused.message)
            }
        else:
            flash(request, _("The details of %(name)s have been saved.", name=updated.name), "ok")
            return Redirect(target or LIST, status_code=303)
    return _form_page(
        heading=_("Change the details of %(name)s", name=saved.name),
        action=f"{LIST}/{traveller_id}/edit",
        values={**result.values, "remove_id_number": remove_id},
        errors=result.errors,
        next=target,
        masked_id=saved.id_number_masked,
        status=400,
    )


@get(f"{LIST}/{{traveller_id:int}}/delete", include_in_schema=False, guards=[travellers_only])
async def delete_page(request: Caller, traveller_id: FromPath[int], clock: NamedDependency[Clock]) -> Template:
    traveller = await services.get_traveller(request.user, traveller_id, clock.now().date())
    return Template("travellers/delete.html", context={"traveller": traveller, "problem": None})


@post(f"{LIST}/{{traveller_id:int}}/delete", include_in_schema=False, guards=[travellers_only], status_code=303)
async def delete(request: Caller, traveller_id: FromPath[int], clock: NamedDependency[Clock]) -> Template | Redirect:
    traveller = await services.get_traveller(request.user, traveller_id, clock.now().date())
    try:
        name = await services.delete_traveller(request.user, traveller_id, ip=client_ip(request))
    except Conflict as refused:
        return Template(
            "travellers/delete.html", context={"traveller": traveller, "problem": str(refused.message)}, status_code=409
        )
    flash(request, _("%(name)s has been removed.", name=name), "ok")
    return Redirect(LIST, status_code=303)


@post(
    f"{LIST}/{{traveller_id:int}}/consent/withdraw", include_in_schema=False, guards=[travellers_only], status_code=303
)
async def withdraw_consent(request: Caller, traveller_id: FromPath[int], clock: NamedDependency[Clock]) -> Redirect:
    traveller = await services.get_traveller(request.user, traveller_id, clock.now().date())
    with contextlib.suppress(Conflict):  # already withdrawn (a second click): the outcome is the same
        await mandates.withdraw_mandate(request.user, traveller_id, now=clock.now(), ip=client_ip(request))
    flash(
        request,
        _("The hotline can no longer book for %(name)s. Call 96111 if you want their help again.", name=traveller.name),
        "ok",
    )
    return Redirect(LIST, status_code=303)


ROUTES = [list_page, new_page, create, edit_page, update, delete_page, delete, withdraw_consent]
