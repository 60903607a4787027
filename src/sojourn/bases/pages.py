"""What the place pages share: a base's place as ``bases/_gallery.html`` and ``bases/_place.html``
show it (the base's own page and the tour page)."""

from __future__ import annotations

from typing import Any

from sojourn.bases import travel
from sojourn.bases.climate import climate_chart


def place_context(place: travel.Place) -> dict[str, Any]:
    """What ``bases/_gallery.html`` and ``bases/_place.html`` need (the tour page uses it too)."""
    return {"place": place, "climate_chart": climate_chart(place.climate)}
