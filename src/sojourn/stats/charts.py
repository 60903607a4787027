"""Chart descriptions for static/js/charts.js, and the matrices the pages show as tables.

A chart description is plain data (no code): its kind, labels in the reader's language and
the numbers, embedded in the page as JSON in a ``data-chart`` attribute. The table beside
each chart holds the same numbers; the chart only helps the eye.
"""

from __future__ import annotations

from typing import Any

from sojourn.i18n import gettext as _


def mode_names() -> dict[str, str]:
    return {"migratory": _("Seasonal long stay"), "vacation": _("Holiday package"), "interactive": _("Exchange trip")}


def flow_matrix(rows: list[dict]) -> dict[str, Any]:
    """Origins down, destinations across: bed-nights and travellers in each cell."""
    origins = sorted({(r["origin_code"], r["origin_name"]) for r in rows})
    destinations = sorted({(r["destination_code"], r["destination_name"]) for r in rows})
    cells = {(r["origin_code"], r["destination_code"]): r for r in rows}
    return {"origins": origins, "destinations": destinations, "cells": cells}


def occupancy_matrix(rows: list[dict]) -> dict[str, Any]:
    """Bases down, months across: the occupancy rate (and what it is made of) in each cell."""
    months = sorted({r["month"] for r in rows})
    bases = sorted({(r["base_id"], r["base_name"]) for r in rows})
    cells = {(r["base_id"], r["month"]): r for r in rows}
    return {"months": months, "bases": bases, "cells": cells}


def _sankey(rows: list[dict]) -> dict[str, Any] | None:
    links = [r for r in rows if r["bed_nights"] > 0]
    if not links:
        return None
    nodes: dict[str, str] = {}
    for r in links:
        nodes["o" + r["origin_code"]] = _("%(province)s (home)", province=r["origin_name"])
        nodes["d" + r["destination_code"]] = _("%(province)s (stay)", province=r["destination_name"])
    return {
        "kind": "sankey",
        "unit": _("bed-nights"),
        "nodes": [{"name": key, "label": label} for key, label in nodes.items()],
        "links": [
            {"source": "o" + r["origin_code"], "target": "d" + r["destination_code"], "value": r["bed_nights"]}
            for r in links
        ],
    }


def _heatmap(rows: list[dict]) -> dict[str, Any] | None:
    matrix = occupancy_matrix(rows)
    if not matrix["months"]:
        return None
    data = []
    for y, (base_id, _name) in enumerate(matrix["bases"]):
        for x, month in enumerate(matrix["months"]):
            cell = matrix["cells"].get((base_id, month))
            if cell and cell["rate"] is not None:
                data.append([x, y, round(cell["rate"] * 100, 1)])
    return {
        "kind": "heatmap",
        "unit": "%",
        "x": matrix["months"],
        "y": [name for _id, name in matrix["bases"]],
        "data": data,
        "max": max([100.0] + [d[2] for d in data]),
        "low": _("empty"),
        "high": _("full"),
    }


def _bookings(rows: list[dict]) -> dict[str, Any] | None:
    months = sorted({r["month"] for r in rows})
    if not months:
        return None
    names = mode_names()
    series = []
    for mode in ("migratory", "vacation", "interactive"):
        counts = {r["month"]: r["sold_bookings"] for r in rows if r["mode"] == mode}
        if counts:
            series.append({"name": names[mode], "data": [counts.get(m, 0) for m in months]})
    return {"kind": "bars", "stacked": True, "unit": _("bookings"), "categories": months, "series": series}


def _exchange(rows: list[dict]) -> dict[str, Any] | None:
    if not rows:
        return None
    return {
        "kind": "bars",
        "stacked": False,
        "unit": _("bed-nights"),
        "categories": [f"{r['member_name']} – {r['partner_name']}" for r in rows],
        "series": [
            {"name": _("Sent"), "data": [r["sent_bed_nights"] for r in rows]},
            {"name": _("Received"), "data": [r["received_bed_nights"] for r in rows]},
        ],
    }


def _satisfaction(rows: list[dict]) -> dict[str, Any] | None:
    rated = [r for r in rows if r["review_count"] > 0]
    if not rated:
        return None
    return {
        "kind": "bars",
        "stacked": False,
        "horizontal": True,
        "unit": _("score out of 5"),
        "max": 5,
        "categories": [r["name"] for r in rated],
        "series": [{"name": _("Overall score"), "data": [r["overall"]["score"] for r in rated]}],
    }


def chart_for(page: str, rows: list[dict]) -> dict[str, Any] | None:
    build = {
        "flows": _sankey,
        "occupancy": _heatmap,
        "bookings": _bookings,
        "exchange": _exchange,
        "satisfaction": _satisfaction,
    }.get(page)
    return build(rows) if build else None
