"""Pages of the hotline desk: find a senior (masked), record or withdraw their consent, and the
overview of a senior the hotline serves, with the way into the booking wizard. Opening
accounts and adding people are in ``web_enrol``. Agents only; the services audit everything."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts import rate_limits
from sojourn.accounts.guards import agents
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import Conflict, DomainError
from sojourn.hotline import booking_for, mandates, services
from sojourn.hotline.desk import page_helpers
from sojourn.hotline.forms import read_consent_form, senior_key
from sojourn.i18n import gettext as _
from sojourn.web.client_ip import client_ip

Caller = Request[Principal, Any, Any]


def _desk(request: Caller, *, status: int = 200, **context: Any) -> Template:
    defaults: dict[str, Any] = {"query": "", "errors": {}, "searched": False, "matches": [], "key": None}
    return Template("hotline/desk.html", context={**defaults, **page_helpers(), **context}, status_code=status)


@get("/hotline", include_in_schema=False, guards=[agents])
async def desk(request: Caller) -> Template:
    return _desk(request, recent=await services.my_recent_consents(request.user))


@post(
    "/hotline/search",
    include_in_schema=False,
    guards=[agents],
    middleware=[rate_limits.senior_lookups.middleware],
    status_code=200,
)
async def search(request: Caller, keyring: NamedDependency[KeyRing]) -> Template:
    """A POST, so mobile and identity numbers stay out of addresses, history and access logs."""
    form = await request.form()
    query = str(form.get("query") or "").strip()[:40]
    recent = await services.my_recent_consents(request.user)
    try:
        key = services.LookupKey.guess(query)
        matches = await services.find_seniors(request.user, key, keyring=keyring, ip=client_ip(request))
    except DomainError as refused:
        errors = {"query": str(next(iter(refused.field_errors.values()), refused.message))}
        return _desk(request, status=400, query=query, errors=errors, recent=recent)
    return _desk(request, query=query, searched=True, matches=matches, key=key, recent=recent)


def _consent_page(traveller_id: int, values: dict[str, Any], errors: dict[str, str], number: str) -> Template:
    return Template(
        "hotline/consent.html",
        context={
            "traveller_id": traveller_id,
            "values": values,
            "errors": errors,
            "senior_number": number,
            **page_helpers(),
        },
        status_code=400,
    )


@post("/hotline/travellers/{traveller_id:int}/mandate", include_in_schema=False, guards=[agents], status_code=303)
async def record_consent(
    request: Caller, traveller_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template | Redirect:
    form = await request.form()
    consent = read_consent_form(form)
    number = str(form.get("senior_number") or "")[:40]
    if consent.terms is None:
        return _consent_page(traveller_id, consent.values, consent.errors, number)
    try:
        mandate = await mandates.record_mandate(
            request.user,
            traveller_id,
            consent.terms,
            senior_key(form),
            keyring=keyring,
            now=clock.now(),
            ip=client_ip(request),
        )
    except Conflict as already:
        flash(request, str(already.message), "warn")
        return Redirect("/hotline", status_code=303)
    flash(request, _("Consent recorded. You can now book and fill in health forms for this person."), "ok")
    return Redirect(f"/hotline/seniors/{mandate.account_id}", status_code=303)


@post(
    "/hotline/travellers/{traveller_id:int}/mandate/withdraw", include_in_schema=False, guards=[agents], status_code=303
)
async def withdraw_consent(request: Caller, traveller_id: FromPath[int], clock: NamedDependency[Clock]) -> Redirect:
    mandate = await mandates.withdraw_mandate(request.user, traveller_id, now=clock.now(), ip=client_ip(request))
    flash(request, _("Consent withdrawn. The hotline can no longer see or book for this person."), "ok")
    if await services.serves(request.user, mandate.account_id):
        return Redirect(f"/hotline/seniors/{mandate.account_id}", status_code=303)
    return Redirect("/hotline", status_code=303)


@post("/hotline/booking-for/stop", include_in_schema=False, guards=[agents], status_code=303)
async def stop_booking_for(request: Caller) -> Redirect:
    """The agent is done with this senior: the banner goes, the desk opens for the next call."""
    booking_for.stop_booking_for(request)
    return Redirect("/hotline", status_code=303)


@get("/hotline/seniors/{account_id:int}", include_in_schema=False, guards=[agents])
async def senior_page(
    request: Caller, account_id: FromPath[int], clock: NamedDependency[Clock], settings: NamedDependency[Settings]
) -> Template:
    overview = await services.senior_overview(
        request.user, account_id, now=clock.now(), settings=settings, ip=client_ip(request)
    )
    return Template("hotline/senior.html", context={"senior": overview, "values": {}, "errors": {}, **page_helpers()})


ROUTES = [desk, search, record_consent, withdraw_consent, stop_booking_for, senior_page]
