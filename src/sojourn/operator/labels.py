"""Words for the codes the console shows (statuses, genders, diets...), in the reader's language.

Pages, CSV exports and error messages share them, so a status reads the same everywhere.
"""

from __future__ import annotations

from typing import Any

from sojourn.i18n import lazy_gettext as _l

BOOKING_STATUS = {
    "held": _l("On hold"),
    "confirmed": _l("Confirmed"),
    "checked_in": _l("Checked in"),
    "checked_out": _l("Checked out"),
    "no_show": _l("Did not come"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Hold ran out"),
}
ATTENDANCE = {
    "expected": _l("Expected"),
    "checked_in": _l("Checked in"),
    "checked_out": _l("Checked out"),
    "no_show": _l("Did not come"),
}
TOUR_STATUS = {
    "draft": _l("Draft (not offered)"),
    "published": _l("Open for booking"),
    "closed": _l("Closed to new bookings"),
    "cancelled": _l("Departure cancelled"),
}
TRIP_MODE = {
    "migratory": _l("Seasonal long stay"),
    "vacation": _l("Holiday package"),
    "interactive": _l("Exchange trip"),
}
DECLARATION_STATUS = {
    "none": _l("Not started"),
    "new": _l("Not started"),
    "draft": _l("Being filled in"),
    "submitted": _l("Waiting for review"),
    "info_requested": _l("More information asked"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "shredded": _l("Deleted"),
}
RISK = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
GENDER = {"female": _l("Female"), "male": _l("Male"), "unspecified": _l("Not stated")}
DIET = {
    "diabetic": _l("Diabetic"),
    "low_salt": _l("Low salt"),
    "soft": _l("Soft food"),
    "halal": _l("Halal"),
}
MOBILITY_AID = {
    "none": _l("None"),
    "cane": _l("Cane"),
    "walker": _l("Walker"),
    "wheelchair": _l("Wheelchair"),
}
HEALTH_REQUIREMENT = {
    "high_altitude": _l("High altitude (above 3,000 m)"),
    "long_stay": _l("Long stay away from home"),
    "far_from_hospital": _l("Far from a hospital"),
}
NOT_SHARED = _l("not shared")


def label(table: dict[str, Any], code: str | None) -> str:
    """The words for ``code``, or the code itself when there are none."""
    if code is None:
        return ""
    return str(table.get(code, code))


def everything() -> dict[str, dict[str, Any]]:
    """All tables, for templates."""
    return {
        "booking_status": BOOKING_STATUS,
        "attendance": ATTENDANCE,
        "tour_status": TOUR_STATUS,
        "trip_mode": TRIP_MODE,
        "declaration_status": DECLARATION_STATUS,
        "risk": RISK,
        "gender": GENDER,
        "diet": DIET,
        "mobility_aid": MOBILITY_AID,
        "health_requirement": HEALTH_REQUIREMENT,
    }
