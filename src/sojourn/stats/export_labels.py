"""Column titles and cell words for the statistics CSVs downloaded from the pages, in the
reader's language (the API's CSVs keep the field names and codes, for programs)."""

from __future__ import annotations

from typing import Any

from sojourn.feedback.tables import RATING_ASPECTS
from sojourn.i18n import gettext as _
from sojourn.stats.charts import mode_names


def _aspect_names() -> dict[str, str]:
    return {
        "overall": _("Overall"),
        "accommodation": _("Rooms"),
        "food": _("Food and diet"),
        "medical": _("Medical help"),
        "activities": _("Activities"),
        "staff": _("Staff"),
        "transport": _("Getting there and around"),
        "value": _("Value for money"),
        "safety": _("Safety"),
    }


def column_titles() -> dict[str, str]:
    """Every column of every statistic, in words."""
    titles = {
        "origin_code": _("Home province code"),
        "origin_name": _("Home province"),
        "destination_code": _("Destination province code"),
        "destination_name": _("Destination province"),
        "travellers": _("Travellers"),
        "bed_nights": _("Bed-nights"),
        "base_id": _("Base number"),
        "base_name": _("Base"),
        "member_id": _("Member number"),
        "month": _("Month"),
        "sold": _("Bed-nights sold"),
        "available": _("Bed-nights offered"),
        "rate": _("Occupancy rate"),
        "member_code": _("Member code"),
        "member_name": _("Member"),
        "partner_id": _("Partner number"),
        "partner_code": _("Partner code"),
        "partner_name": _("Partner"),
        "sent_travellers": _("Travellers sent"),
        "received_travellers": _("Travellers received"),
        "sent_bed_nights": _("Bed-nights sent"),
        "received_bed_nights": _("Bed-nights received"),
        "balance_bed_nights": _("Balance of bed-nights (sent minus received)"),
        "group": _("Grouped by"),
        "id": _("Number"),
        "name": _("Base or member"),
        "review_count": _("Reviews"),
        "nps": _("Net promoter score"),
        "nps_answers": _("Recommendation answers"),
        "nps_promoters": _("Promoters"),
        "nps_passives": _("Passives"),
        "nps_detractors": _("Detractors"),
        "nps_reliable": _("At least 30 answers"),
        "prior_weight": _("Weight of the alliance average"),
        "period": _("Quarter"),
        "facet": _("Grouping"),
        "value": _("Value code"),
        "label": _("Group"),
        "count": _("Count"),
        "share": _("Share"),
        "declarations": _("Health declarations"),
        "suppressed": _("Hidden (fewer than 5)"),
        "mode": _("Kind of trip"),
        "sold_bookings": _("Bookings sold"),
        "sold_travellers": _("Travellers sold"),
        "no_show_bookings": _("Bookings not arrived"),
        "cancelled_bookings": _("Bookings cancelled"),
    }
    parts = {"score": _("score"), "average": _("average"), "count": _("reviews")}
    for aspect, aspect_name in _aspect_names().items():
        for part, part_name in parts.items():
            titles[f"{aspect}_{part}"] = _("%(aspect)s (%(part)s)", aspect=aspect_name, part=part_name)
    assert set(_aspect_names()) == {"overall", *RATING_ASPECTS}
    return titles


def readable_row(values: dict[str, Any]) -> dict[str, Any]:
    """Codes a person cannot read (kinds of trip, groupings, yes/no) in words; ``values`` is one
    exported line (an output struct as builtins), not a database row."""
    words: dict[str, Any] = dict(values)
    modes = mode_names()
    groups = {"base": _("Base"), "member": _("Member")}
    facets = {
        "all": _("All"),
        "risk": _("Risk"),
        "age_band": _("Age"),
        "companion": _("Companion"),
        "condition": _("Condition"),
        "mobility": _("Mobility"),
    }
    if isinstance(values.get("mode"), str):
        words["mode"] = modes.get(values["mode"], values["mode"])
    if isinstance(values.get("group"), str):
        words["group"] = groups.get(values["group"], values["group"])
    if isinstance(values.get("facet"), str):
        words["facet"] = facets.get(values["facet"], values["facet"])
    for key, value in values.items():
        if isinstance(value, bool):
            words[key] = _("Yes") if value else _("No")
    return words
