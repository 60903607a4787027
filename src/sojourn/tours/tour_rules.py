"""Is this tour well formed? Pure checks over a tour's values, with an error per field.

The same checks run on a new tour and on a tour after a change (the stored values with the
change laid over them), so a change can never leave a tour that could not be created.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours.pricing import refund_percent

MAX_TOUR_DAYS = 366


def check_tour(values: Mapping[str, Any], *, today: dt.date, member_ids: Iterable[int]) -> None:
    """Raise InvalidInput naming every field that is wrong. ``member_ids``: members that exist."""
    errors: dict[str, Any] = {}
    mode = values["mode"]
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if ends_on <= starts_on:
        errors["ends_on"] = _l("The last day must be after the first day.")
    elif (ends_on - starts_on).days > MAX_TOUR_DAYS:
        errors["ends_on"] = _l("A tour can last at most one year. Split longer seasons into several tours.")
    elif mode == "migratory" and ends_on <= today:
        errors["ends_on"] = _l("This season is already over. Choose dates after today.")
    elif mode != "migratory" and starts_on <= today:
        errors["starts_on"] = _l("Choose a first day after today.")

    if mode == "migratory":
        _check_migratory(values, errors)
    else:
        _check_fixed(values, errors)
    _check_exchange(values, errors, set(member_ids))
    _check_policy(values["cancellation_policy"], errors)
    requirements = list(values["health_requirements"])
    if len(set(requirements)) != len(requirements):
        errors["health_requirements"] = _l("Choose each health requirement only once.")
    if errors:
        raise InvalidInput(_l("Some details of the tour need correcting."), field_errors=errors)


def _check_migratory(values: Mapping[str, Any], errors: dict[str, Any]) -> None:
    if values["monthly_price_fen"] is None:
        errors["monthly_price_fen"] = _l("Enter the price per person per month.")
    if values["package_price_fen"] is not None:
        errors["package_price_fen"] = _l("A seasonal stay is priced per month. Leave the package price empty.")
    if values["seats"] is not None:
        errors["seats"] = _l("A seasonal stay is limited by the beds of the base. Leave seats empty.")
    min_nights, max_nights = values["min_nights"], values["max_nights"]
    if min_nights is None:
        errors["min_nights"] = _l("Enter the shortest stay, in nights.")
    elif "ends_on" not in errors and min_nights > (values["ends_on"] - values["starts_on"]).days:
        errors["min_nights"] = _l("The shortest stay is longer than the season.")
    if min_nights is not None and max_nights is not None and max_nights < min_nights:
        errors["max_nights"] = _l("The longest stay must be at least the shortest stay.")


def _check_fixed(values: Mapping[str, Any], errors: dict[str, Any]) -> None:
    if values["package_price_fen"] is None:
        errors["package_price_fen"] = _l("Enter the price per person for the whole tour.")
    if values["monthly_price_fen"] is not None:
        errors["monthly_price_fen"] = _l("A tour with fixed dates has a package price. Leave the monthly price empty.")
    if values["seats"] is None:
        errors["seats"] = _l("Enter how many seats the tour has.")
    if values["min_nights"] is not None or values["max_nights"] is not None:
        errors["min_nights"] = _l("A tour with fixed dates has no shortest or longest stay. Leave them empty.")


def _check_exchange(values: Mapping[str, Any], errors: dict[str, Any], members: set[int]) -> None:
    partner, organiser = values["partner_member_id"], values["organiser_member_id"]
    quotas = list(values["quotas"])
    if values["mode"] != "interactive":
        if partner is not None:
            errors["partner_member_id"] = _l("Only an exchange trip has a partner member.")
        if quotas:
            errors["quotas"] = _l("Only an exchange trip keeps seats per member.")
        return
    if partner is None:
        errors["partner_member_id"] = _l("Choose the member this exchange is with.")
        return
    if partner not in members:
        errors["partner_member_id"] = _l("There is no member with this number.")
    elif partner == organiser:
        errors["partner_member_id"] = _l("The partner must be another member than the organiser.")
    quota_members = [_get(quota, "member_id") for quota in quotas]
    if len(set(quota_members)) != len(quota_members):
        errors["quotas"] = _l("Give each member at most one quota.")
    elif any(member not in (organiser, partner) for member in quota_members):
        errors["quotas"] = _l("Quotas can only be for the organiser and the partner of the exchange.")
    elif values["seats"] is not None and sum(_get(quota, "seats") for quota in quotas) > values["seats"]:
        errors["quotas"] = _l("The quotas add up to more seats than the tour has.")


def _check_policy(tiers: Iterable[Any], errors: dict[str, Any]) -> None:
    pairs = [(_get(tier, "days_before"), _get(tier, "refund_percent")) for tier in tiers]
    days = [d for d, _ in pairs]
    if len(set(days)) != len(days):
        errors["cancellation_policy"] = _l("Each number of days before arrival may appear only once.")
        return
    ordered = sorted(pairs, reverse=True)
    if any(later[1] > earlier[1] for earlier, later in itertools.pairwise(ordered)):
        errors["cancellation_policy"] = _l(
            "Cancelling earlier must never refund less than cancelling later. Check the percentages."
        )


def less_generous_policy(old: Iterable[Any], new: Iterable[Any]) -> bool:
    """Would ``new`` refund less than ``old`` for a cancellation on any day?"""
    old_tiers = [dict(days_before=_get(t, "days_before"), refund_percent=_get(t, "refund_percent")) for t in old]
    new_tiers = [dict(days_before=_get(t, "days_before"), refund_percent=_get(t, "refund_percent")) for t in new]
    horizon = max([t["days_before"] for t in old_tiers + new_tiers] + [0]) + 1
    return any(refund_percent(new_tiers, d) < refund_percent(old_tiers, d) for d in range(horizon + 1))


def _get(item: Any, name: str) -> Any:
    return item[name] if isinstance(item, Mapping) else getattr(item, name)
