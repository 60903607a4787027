"""The tour form of the console, turned into the API's tour body and back.

People type prices in yuan and refund terms as a few rows; the services take fen and lists.
Errors the services name by API field are shown next to the form field that holds it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from sojourn.errors import InvalidInput
from sojourn.i18n import gettext as _
from sojourn.tours.management_schemas import OperatorTourOut
from sojourn.web.forms import FormErrors
from sojourn.web.problems import humanise_validation_message

POLICY_ROWS = 4
TEXT_FIELDS = ("title_zh", "title_en", "summary_zh", "summary_en", "includes_zh", "includes_en")

# API field -> the form field that shows its error.
FORM_FIELD = {
    "monthly_price_fen": "price_yuan",
    "package_price_fen": "price_yuan",
    "cancellation_policy": "policy_days_1",
    "quotas": "quota_organiser",
    "organiser_member_id": "mode",
}


class TourForm(msgspec.Struct):
    mode: str = "vacation"
    base_id: int | None = None
    title_zh: str = ""
    title_en: str = ""
    summary_zh: str = ""
    summary_en: str = ""
    includes_zh: str = ""
    includes_en: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    min_nights: int | None = None
    max_nights: int | None = None
    seats: int | None = None
    price_yuan: str | None = None
    partner_member_id: int | None = None
    quota_organiser: int | None = None
    quota_partner: int | None = None
    policy_days_1: int | None = None
    policy_percent_1: int | None = None
    policy_days_2: int | None = None
    policy_percent_2: int | None = None
    policy_days_3: int | None = None
    policy_percent_3: int | None = None
    policy_days_4: int | None = None
    policy_percent_4: int | None = None
    health_requirements: list[str] = msgspec.field(default_factory=list)
    declaration_due_days: int = 7


def _fen(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        amount = Decimal(text.strip().replace(",", "").replace("¥", ""))
    except InvalidOperation:
        amount = Decimal(-1)
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise FormErrors({"price_yuan": _("Enter the price in yuan, like 3800 or 3800.50.")}, {})
    return int(amount * 100)


def body_from_form(form: TourForm, *, organiser_member_id: int | None) -> dict[str, Any]:
    """The API body (as for ``TourIn``) for what was typed; ``base_id`` only when given."""
    body: dict[str, Any] = {name: getattr(form, name).strip() for name in TEXT_FIELDS}
    body.update(mode=form.mode, starts_on=form.starts_on, ends_on=form.ends_on)
    if form.base_id is not None:
        body["base_id"] = form.base_id
    price = _fen(form.price_yuan)
    migratory = form.mode == "migratory"
    body.update(
        monthly_price_fen=price if migratory else None,
        package_price_fen=None if migratory else price,
        seats=None if migratory else form.seats,
        min_nights=form.min_nights if migratory else None,
        max_nights=form.max_nights if migratory else None,
    )
    policy = []
    for row in range(1, POLICY_ROWS + 1):
        days, percent = getattr(form, f"policy_days_{row}"), getattr(form, f"policy_percent_{row}")
        if days is None and percent is None:
            continue
        if days is None or percent is None:
            raise FormErrors({f"policy_days_{row}": _("Fill in both the days and the percentage, or neither.")}, {})
        policy.append({"days_before": days, "refund_percent": percent})
    body["cancellation_policy"] = policy
    body["health_requirements"] = list(form.health_requirements)
    body["declaration_due_days"] = form.declaration_due_days
    if form.mode == "interactive":
        body["partner_member_id"] = form.partner_member_id
        quotas = []
        if form.quota_organiser is not None and organiser_member_id is not None:
            quotas.append({"member_id": organiser_member_id, "seats": form.quota_organiser})
        if form.quota_partner is not None and form.partner_member_id is not None:
            quotas.append({"member_id": form.partner_member_id, "seats": form.quota_partner})
        body["quotas"] = quotas
    else:
        body["partner_member_id"] = None
        body["quotas"] = []
    return body


def convert(body: dict[str, Any], into: type[Any]) -> Any:
    """``body`` as ``into`` (TourIn, TourPatch); msgspec's complaint becomes a field error."""
    try:
        return msgspec.convert(body, into)
    except InvalidInput as refused:  # a rule the struct checks itself (dates within range)
        errors = {form_field(key): str(value) for key, value in refused.field_errors.items()}
        raise FormErrors(errors, {}) from None
    except msgspec.ValidationError as error:
        message = str(error)
        field = "form"
        if "at `$." in message:
            field = message.split("at `$.", 1)[1].split("`", 1)[0].split(".")[0].split("[")[0]
        elif "missing required field `" in message:
            field = message.split("missing required field `", 1)[1].split("`", 1)[0]
        raise FormErrors({form_field(field): humanise_validation_message(message)}, {}) from None


def form_field(api_field: str) -> str:
    return FORM_FIELD.get(api_field, api_field)


def form_errors(field_errors: dict[str, Any]) -> dict[str, str]:
    return {form_field(key): str(value) for key, value in field_errors.items()}


def values_of(tour: OperatorTourOut) -> dict[str, Any]:
    """The form filled in from a stored tour (prices back in yuan)."""
    price = tour.monthly_price_fen if tour.mode == "migratory" else tour.package_price_fen
    values: dict[str, Any] = {
        name: getattr(tour, name)
        for name in (
            "mode",
            "title_zh",
            "title_en",
            "summary_zh",
            "summary_en",
            "includes_zh",
            "includes_en",
            "min_nights",
            "max_nights",
            "seats",
            "declaration_due_days",
        )
    }
    values.update(
        starts_on=tour.starts_on.isoformat(),
        ends_on=tour.ends_on.isoformat(),
        price_yuan="" if price is None else (f"{price // 100}" if price % 100 == 0 else f"{price / 100:.2f}"),
        partner_member_id=tour.partner_member_id,
        health_requirements=list(tour.health_requirements),
    )
    for quota in tour.quotas:
        key = "quota_organiser" if quota.member_id == tour.organiser_member_id else "quota_partner"
        values[key] = quota.seats
    for row, tier in enumerate(tour.cancellation_policy[:POLICY_ROWS], start=1):
        values[f"policy_days_{row}"] = tier.days_before
        values[f"policy_percent_{row}"] = tier.refund_percent
    return values


def values_from(form: TourForm) -> dict[str, Any]:
    values = msgspec.structs.asdict(form)
    for name in ("starts_on", "ends_on"):
        values[name] = values[name].isoformat() if values[name] else ""
    return values
