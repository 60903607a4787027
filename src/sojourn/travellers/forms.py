"""The traveller form on pages (a family's own list and the hotline desk): flat fields in, a
``TravellerIn`` out, and every problem found at once, each next to its field, with what was
typed kept. The same constraints as the API: the Struct's own annotated types and the
service's rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from sojourn.alliance.regions import PROVINCES, province_name
from sojourn.i18n import current_locale
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.travellers import identity
from sojourn.travellers.schemas import (
    ContactPhone,
    EmergencyContact,
    IdNumber,
    Name,
    Phone,
    Relation,
    TravellerIn,
)
from sojourn.travellers.services import rule_errors
from sojourn.travellers.tables import Gender
from sojourn.web.problems import humanise_validation_message

FIELDS = (
    "name",
    "birth_date",
    "gender",
    "phone",
    "home_province_code",
    "id_number",
    "emergency_name",
    "emergency_phone",
    "emergency_relation",
)

_REQUIRED = {
    "name": _l("Enter the traveller's name."),
    "birth_date": _l("Enter the date of birth, like 1956-03-08."),
    "home_province_code": _l("Choose the province the traveller lives in."),
    "emergency_name": _l("Enter the name of someone we can call in an emergency."),
    "emergency_phone": _l("Enter the emergency contact's phone number."),
    "emergency_relation": _l("Say how they are related, for example daughter or neighbour."),
}
_BAD_SHAPE = {
    "birth_date": _l("Write the date of birth as year, month and day, like 1956-03-08."),
    "phone": _l("Enter a mainland mobile number of 11 digits, like 138 0013 8000."),
    "emergency_phone": _l("Enter a phone number of 7 to 20 digits."),
    "gender": _l("Choose one of the options."),
}

# 1956-03-08, 1956/3/8, 1956.3.8, 1956年3月8日, 19560308
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_birth_date(text: str) -> dt.date | None:
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def compact_phone(text: str) -> str:
    compact = re.sub(r"[\s-]", "", text)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix) :]
    return compact


def province_options() -> list[tuple[str, str]]:
    locale = current_locale()
    return [("", _("Choose a province"))] + [(code, province_name(code, locale)) for code in PROVINCES]


def gender_options() -> list[tuple[str, str]]:
    return [
        (Gender.unspecified.value, _("Prefer not to say")),
        (Gender.female.value, _("Female")),
        (Gender.male.value, _("Male")),
    ]


@dataclass
class TravellerForm:
    """What was typed (``values``), what is wrong (``errors``), and the traveller when all is well."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    data: TravellerIn | None = None


def _typed(name: str, value: str, kind: Any) -> tuple[Any, str | None]:
    try:
        return msgspec.convert(value, kind), None
    except msgspec.ValidationError as error:
        return None, str(_BAD_SHAPE.get(name) or humanise_validation_message(str(error)))


def read_traveller_form(
    form: Mapping[str, Any], today: dt.date, *, is_account_holder: bool = False, phone_default: str | None = None
) -> TravellerForm:
    """Check every field; ``phone_default`` fills an empty mobile (a senior's own login)."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    values["gender"] = values["gender"] or Gender.unspecified.value
    errors: dict[str, str] = {}
    for name, message in _REQUIRED.items():
        if not values[name]:
            errors[name] = str(message)

    parsed: dict[str, Any] = {}
    shapes: dict[str, Any] = {
        "name": Name,
        "gender": Gender,
        "phone": Phone,
        "id_number": IdNumber,
        "emergency_name": Name,
        "emergency_phone": ContactPhone,
        "emergency_relation": Relation,
    }
    typed = {
        **values,
        "phone": compact_phone(values["phone"]) if values["phone"] else (phone_default or ""),
        "id_number": identity.normalise(values["id_number"]),
    }
    for name, kind in shapes.items():
        if typed[name] and name not in errors:
            parsed[name], problem = _typed(name, typed[name], kind)
            if problem:
                errors[name] = problem
    birth_date = None
    if values["birth_date"]:
        birth_date = parse_birth_date(values["birth_date"])
        if birth_date is None:
            errors["birth_date"] = str(_BAD_SHAPE["birth_date"])
    province = values["home_province_code"] or None
    id_number = parsed.get("id_number") or None
    for name, message in rule_errors(birth_date, province, id_number, today).items():
        errors.setdefault(name, str(message))
    if errors:
        return TravellerForm(values=values, errors=errors)
    assert birth_date is not None and province is not None
    data = TravellerIn(
        name=parsed["name"],
        birth_date=birth_date,
        home_province_code=province,
        emergency_contact=EmergencyContact(
            name=parsed["emergency_name"], phone=parsed["emergency_phone"], relation=parsed["emergency_relation"]
        ),
        gender=parsed.get("gender") or Gender.unspecified,
        phone=parsed.get("phone"),
        id_number=id_number,
        is_account_holder=is_account_holder,
    )
    return TravellerForm(values=values, data=data)


def form_field(key: str) -> str:
    """A service's field name (``emergency_contact.phone``, ``travellers[0].id_number``) as the
    form's field name, so the message lands next to the right box."""
    key = re.sub(r"^travellers?(\[\d+\])?\.", "", key)
    if key.startswith("emergency_contact."):
        return "emergency_" + key.split(".", 1)[1]
    return key


def values_from(traveller: Any) -> dict[str, str]:
    """A saved traveller as form values: never the identity number (only its mask is kept)."""
    return {
        "name": traveller.name,
        "birth_date": traveller.birth_date.isoformat(),
        "gender": traveller.gender,
        "phone": traveller.phone or "",
        "home_province_code": traveller.home_province_code,
        "id_number": "",
        "emergency_name": traveller.emergency_contact.name,
        "emergency_phone": traveller.emergency_contact.phone,
        "emergency_relation": traveller.emergency_contact.relation,
    }
