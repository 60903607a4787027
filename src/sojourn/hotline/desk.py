"""What every page of the hotline desk shows: codes in words."""

from __future__ import annotations

from typing import Any

from sojourn.alliance.regions import province_name
from sojourn.hotline.forms import method_label, method_options
from sojourn.i18n import current_locale
from sojourn.i18n import lazy_gettext as _l

BOOKING_STATUS = {
    "held": _l("On hold"),
    "confirmed": _l("Confirmed"),
    "checked_in": _l("Staying now"),
    "checked_out": _l("Stay ended"),
    "no_show": _l("Did not arrive"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Hold ran out"),
}


def page_helpers() -> dict[str, Any]:
    """What every desk template uses to show codes in words."""
    locale = current_locale()
    return {
        "province": lambda code: province_name(code, locale),
        "method_label": method_label,
        "methods": method_options(),
        "status_label": lambda status: str(BOOKING_STATUS.get(status, status)),
    }
