""" "Suitable for us": narrowing the catalogue to what fits the people an account travels with.

Deliberately simple, and every part is said in plain words next to the results, so nobody
wonders why a stay is missing. It only hides stays that would ask for extra medical
paperwork before the trip (the alliance's default screening rules: thin air above 3,000 m,
more than 30 km to a hospital) or that have no room for everyone. It never looks at health
answers: those belong to one trip's declaration, not to searching.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sojourn.alliance.regions import province_name
from sojourn.i18n import current_locale
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours.services import TourFilter
from sojourn.travellers.schemas import TravellerOut

# The same thresholds as the alliance's default screening rules (health migrations).
HIGH_ALTITUDE_M = 3000
FAR_FROM_HOSPITAL_KM = 30.0
# From this age, only bases with medical staff of their own (not only a partner hospital).
STAFF_ON_SITE_AGE = 80
STAFF_ON_SITE = ("hospital_on_site", "clinic_on_site", "nurse_on_call")


@dataclass(frozen=True)
class Suitability:
    party_size: int
    oldest: int
    origin: str | None  # the home province all travellers share, if they do
    reasons: tuple[Any, ...]  # what the filter hides, in plain words (lazy messages)

    def narrow(self, filters: TourFilter) -> TourFilter:
        changes: dict[str, Any] = {
            "min_seats_left": self.party_size,
            "max_altitude_m": HIGH_ALTITUDE_M,
            "max_hospital_distance_km": FAR_FROM_HOSPITAL_KM,
            "without_requirements": ("high_altitude", "far_from_hospital"),
        }
        if self.origin and not filters.origin:
            changes["origin"] = self.origin
        if self.oldest >= STAFF_ON_SITE_AGE:
            chosen = set(filters.medical_levels) or set(STAFF_ON_SITE)
            changes["medical_levels"] = tuple(level for level in STAFF_ON_SITE if level in chosen) or ("none",)
        return replace(filters, **changes)


def suitable_for(travellers: Sequence[TravellerOut]) -> Suitability | None:
    """What "suitable for us" means for these travellers; None when the account has none yet."""
    if not travellers:
        return None
    size = len(travellers)
    oldest = max(traveller.age for traveller in travellers)
    provinces = {traveller.home_province_code for traveller in travellers}
    origin = provinces.pop() if len(provinces) == 1 else None
    reasons: list[Any] = [
        _l("Only trips with room for all %(n)s people you travel with.", n=size),
        _l(
            "No places higher than 3,000 metres: the thin air there needs a doctor's check first "
            "for heart, blood pressure or lung conditions."
        ),
        _l("No places more than 30 km from a hospital."),
    ]
    if origin:
        reasons.append(
            _l(
                "Exchange trips only when they welcome people from %(province)s.",
                province=province_name(origin, current_locale()),
            )
        )
    if oldest >= STAFF_ON_SITE_AGE:
        reasons.append(_l("Only bases with a doctor or nurse on site, because someone in your group is 80 or older."))
    return Suitability(party_size=size, oldest=oldest, origin=origin, reasons=tuple(reasons))
