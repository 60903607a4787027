"""The consent part of the hotline desk's forms: how the senior agreed, a reference to find it
again, and the agent's tick that the senior said yes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sojourn.errors import InvalidInput
from sojourn.hotline.schemas import MandateMethod, MandateTerms
from sojourn.hotline.services import LookupKey
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l

REFERENCE_MAX = 60

_NO_REFERENCE = _l("Enter the call number or another reference, so the consent can be found again.")
_LONG_REFERENCE = _l("Use at most %(n)s characters.", n=REFERENCE_MAX)
_NOT_CONFIRMED = _l("Tick this box once the senior has said yes.")
_BAD_METHOD = _l("Choose one of the options.")


def method_options() -> list[tuple[str, str]]:
    return [
        (MandateMethod.phone_call.value, _("On a phone call")),
        (MandateMethod.in_person.value, _("In person")),
        (MandateMethod.written.value, _("In writing (a signed form)")),
    ]


def method_label(method: str) -> str:
    return dict(method_options()).get(method, method)


@dataclass
class ConsentForm:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    terms: MandateTerms | None = None


def read_consent_form(form: Mapping[str, Any]) -> ConsentForm:
    method = str(form.get("method") or MandateMethod.phone_call.value)
    reference = str(form.get("reference") or "").strip()
    confirmed = form.get("confirmed") == "on"
    values: dict[str, Any] = {"method": method, "reference": reference, "confirmed": confirmed}
    errors: dict[str, str] = {}
    if method not in {m.value for m in MandateMethod}:
        errors["method"] = str(_BAD_METHOD)
    if not reference:
        errors["reference"] = str(_NO_REFERENCE)
    elif len(reference) > REFERENCE_MAX:
        errors["reference"] = str(_LONG_REFERENCE)
    if not confirmed:
        errors["confirmed"] = str(_NOT_CONFIRMED)
    if errors:
        return ConsentForm(values=values, errors=errors)
    terms = MandateTerms(method=MandateMethod(method), reference=reference)
    return ConsentForm(values=values, terms=terms)


def senior_key(form: Mapping[str, Any]) -> LookupKey:
    """The number the senior gave, carried in a hidden field from the search; none if unusable."""
    number = str(form.get("senior_number") or "").strip()
    if not number:
        return LookupKey()
    try:
        return LookupKey.guess(number)
    except InvalidInput:
        return LookupKey()
