"""The health form of one traveller on one booking (``/trips/{id}/health/{traveller_id}``).

A plain HTML form over the declaration service (the API's ``PUT``): prefilled from the
traveller's previous form, two separate consents (PIPL 单独同意), "send" or "save and finish
later". Field names are the API's own paths (``conditions.hypertension.controlled``), so the
service's field errors land next to the right question.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.bookings import queries
from sojourn.bookings.pages import booker_page, hold_context
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.health import consents, declarations
from sojourn.health.schemas import CONDITION_NAMES, DeclarationIn, DeclarationOut
from sojourn.i18n import gettext as _
from sojourn.web.client_ip import client_ip
from sojourn.web.problems import humanise_validation_message
from sojourn.web.sign_in import after_sign_in

YES_NO = {"yes": True, "no": False}
PEOPLE = ("companion", "co_signer", "emergency_contact")
DIETS = ("none", "diabetic", "low_salt", "soft", "halal")
MOBILITY = ("none", "cane", "walker", "wheelchair")
CO_SIGN_AGE = 75  # LB/T 052-2016: from 75 an adult relative co-signs


def _text(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _flag(form: FormMultiDict, name: str) -> bool | None:
    return YES_NO.get(_text(form, name))


def _person(form: FormMultiDict, prefix: str) -> dict[str, Any] | None:
    name, relation, phone = (_text(form, f"{prefix}.{part}") for part in ("name", "relation", "phone"))
    if not (name or relation or phone):
        return None
    person: dict[str, Any] = {"name": name, "relation": relation}
    if prefix == "emergency_contact" or phone:
        person["phone"] = phone
    return person


def body_from_form(form: FormMultiDict) -> dict[str, Any]:
    """The form's fields as the API's JSON body (``DeclarationIn``)."""
    conditions: dict[str, Any] = {
        name: {
            "has": _flag(form, f"conditions.{name}.has"),
            "controlled": _flag(form, f"conditions.{name}.controlled"),
        }
        for name in CONDITION_NAMES
    }
    conditions["other"] = _text(form, "conditions.other")
    body: dict[str, Any] = {
        "conditions": conditions,
        "recent_hospital_stay": {
            "had": _flag(form, "recent_hospital_stay.had"),
            "date": _text(form, "recent_hospital_stay.date") or None,
            "reason": _text(form, "recent_hospital_stay.reason"),
        },
        "cognitive_impairment": _flag(form, "cognitive_impairment"),
        "epilepsy": _flag(form, "epilepsy"),
        "medications": {
            "takes": _flag(form, "medications.takes"),
            "names": _text(form, "medications.names"),
            "supply_lasts_stay": _flag(form, "medications.supply_lasts_stay"),
        },
        "allergies": _text(form, "allergies"),
        "diet": [value for value in form.getall("diet", []) if value in DIETS],
        "mobility_aid": _text(form, "mobility_aid") or "none",
        "oxygen": _flag(form, "oxygen"),
        "cpap": _flag(form, "cpap"),
        # Asked the other way round ("does someone come along?"): no double negatives.
        "travels_alone": None if _flag(form, "comes_along") is None else not _flag(form, "comes_along"),
        "certificate": {"has": _flag(form, "certificate.has"), "dated": _text(form, "certificate.dated") or None},
        "insurance": {
            "has": _flag(form, "insurance.has"),
            "insurer": _text(form, "insurance.insurer"),
            "policy_number": _text(form, "insurance.policy_number"),
            "age_limit": _text(form, "insurance.age_limit") or None,
        },
        "consent": {
            "collect": _text(form, "consent.collect") == "yes",
            "share_with_base": _text(form, "consent.share_with_base") == "yes",
        },
        "submit": _text(form, "action") == "send",
        "answer": _text(form, "answer"),
    }
    for prefix in PEOPLE:
        body[prefix] = _person(form, prefix)
    return body


def question_labels() -> dict[str, str]:
    """The yes/no questions as the form asks them, for the error summary to name each one."""
    labels = {
        "conditions.hypertension.has": _("High blood pressure?"),
        "conditions.heart_disease.has": _("Heart disease or an irregular heartbeat?"),
        "conditions.diabetes.has": _("Diabetes?"),
        "conditions.copd_asthma.has": _("COPD, asthma or another long-term breathing illness?"),
        "conditions.stroke_history.has": _("Has had a stroke?"),
        "recent_hospital_stay.had": _("An operation or a stay in hospital in the last 6 months?"),
        "cognitive_impairment": _("Trouble with memory or thinking (for example dementia)?"),
        "epilepsy": _("Epilepsy?"),
        "medications.takes": _("Takes medicines every day?"),
        "medications.supply_lasts_stay": _("Enough medicine for the whole stay?"),
        "oxygen": _("Uses oxygen at home?"),
        "cpap": _("Uses a breathing machine at night (CPAP)?"),
        "comes_along": _("Does a family member or friend come along on the trip?"),
        "certificate.has": _("Has a health certificate from a doctor?"),
        "insurance.has": _("Has travel or accident insurance?"),
    }
    for name in CONDITION_NAMES:
        labels[f"conditions.{name}.controlled"] = (
            labels[f"conditions.{name}.has"] + " " + _("Is it under control with treatment?")
        )
    return labels


def field_id(name: str) -> str:
    return name.replace(".", "-").replace("_", "-")


def _anchor(key: str) -> str:
    """Where an error is shown: a person's error next to their name."""
    if key == "travels_alone":
        return "comes_along"
    return f"{key}.name" if key in PEOPLE else key


class _Shown:
    """Answers as the template reads them: the saved/prefilled declaration, or what was typed."""

    def __init__(self, declaration: DeclarationOut | None, body: dict[str, Any] | None) -> None:
        self._values = body if body is not None else msgspec.to_builtins(declaration) if declaration else {}

    def get(self, path: str, default: Any = None) -> Any:
        if path == "comes_along":
            alone = self.get("travels_alone")
            return default if alone is None else not alone
        value: Any = self._values
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        return default if value is None else value


async def _page(
    request: Request[Any, Any, Any],
    booking_id: int,
    traveller_id: int,
    settings: Settings,
    keyring: KeyRing,
    now: Any,
    *,
    body: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Template:
    principal = request.user
    booking = await queries.get_booking(principal, booking_id, now=now, settings=settings)
    declaration = await declarations.get_declaration(principal, booking_id, traveller_id, keyring=keyring, now=now)
    age = next((t.age_at_arrival for t in booking.travellers if t.id == traveller_id), 0)
    here = f"/trips/{booking_id}/health/{traveller_id}"
    return Template(
        "health/declaration.html",
        context={
            **hold_context(booking, now, here),
            "declaration": declaration,
            "answers": _Shown(declaration, body),
            "errors": {_anchor(key): value for key, value in (errors or {}).items()},
            "problem": problem,
            "terms": consents.terms(settings.declaration_retention_days),
            "consent": body["consent"]
            if body
            else {"collect": declaration.consent.collect, "share_with_base": declaration.consent.share_with_base},
            "conditions": CONDITION_NAMES,
            "diets": DIETS,
            "mobility": MOBILITY,
            "co_sign": age >= CO_SIGN_AGE,
            "age": age,
            "fid": field_id,
            "question_labels": question_labels(),
        },
        status_code=status,
    )


@get("/trips/{booking_id:int}/health/{traveller_id:int}", include_in_schema=False, guards=[booker_page])
async def declaration_form(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    traveller_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Template | Redirect:
    return await _page(request, booking_id, traveller_id, settings, keyring, clock.now())


@post(
    "/trips/{booking_id:int}/health/{traveller_id:int}",
    include_in_schema=False,
    status_code=303,
    guards=[booker_page],
    opt=after_sign_in("/trips/{booking_id}/health/{traveller_id}"),
)
async def save_declaration(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    traveller_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    body = body_from_form(await request.form())
    try:
        data = msgspec.convert(body, DeclarationIn, strict=False)
    except msgspec.ValidationError as error:
        text = str(error)
        path = text.split("at `$.", 1)[1].split("`", 1)[0] if "at `$." in text else "consent.collect"
        errors = {path: humanise_validation_message(text)}
        return await _page(
            request, booking_id, traveller_id, settings, keyring, now, body=body, errors=errors, status=400
        )
    try:
        saved = await declarations.save_declaration(
            principal, booking_id, traveller_id, data, keyring=keyring, now=now, ip=client_ip(request)
        )
    except DomainError as refused:
        errors = {key: str(value) for key, value in refused.field_errors.items()}
        return await _page(
            request,
            booking_id,
            traveller_id,
            settings,
            keyring,
            now,
            body=body,
            errors=errors,
            problem=str(refused.message),
            status=refused.status,
        )
    if data.submit:
        flash(request, _("The health form of %(name)s is sent. Thank you.", name=saved.traveller_name), "ok")
    else:
        flash(
            request,
            _(
                "The health form of %(name)s is saved. You can finish it later, until %(date)s.",
                name=saved.traveller_name,
                date=saved.due_on.isoformat(),
            ),
            "ok",
        )
    return Redirect(f"/trips/{booking_id}/health", status_code=303)


ROUTES = [declaration_form, save_declaration]
