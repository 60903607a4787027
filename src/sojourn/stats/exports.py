"""Statistics as CSV files: UTF-8 with a byte-order mark (so spreadsheet programs read Chinese
right), one header row of field names, nested figures flattened (``overall_score``, ``nps``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from sojourn.feedback.tables import RATING_ASPECTS
from sojourn.stats.export_labels import column_titles, readable_row
from sojourn.stats.schemas import BookingsOut, ExchangeOut, FlowOut, HealthMixOut, OccupancyOut

BOM = "\ufeff"

# The columns of each statistic's CSV file, in order.
_SCORE = ("score", "average", "count")
SATISFACTION_COLUMNS = [
    "group", "id", "name", "member_id", "review_count",
    *(f"overall_{part}" for part in _SCORE),
    *(f"{aspect}_{part}" for aspect in RATING_ASPECTS for part in _SCORE),
    "nps", "nps_answers", "nps_promoters", "nps_passives", "nps_detractors", "nps_reliable", "prior_weight",
]  # fmt: skip
COLUMNS = {
    "flows": list(FlowOut.__struct_fields__),
    "occupancy": list(OccupancyOut.__struct_fields__),
    "exchange-balance": list(ExchangeOut.__struct_fields__),
    "satisfaction": SATISFACTION_COLUMNS,
    "satisfaction-members": SATISFACTION_COLUMNS,
    "health-mix": list(HealthMixOut.__struct_fields__),
    "bookings": list(BookingsOut.__struct_fields__),
}


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            if set(value) >= {"score", "average", "count"}:  # a smoothed score
                flat[f"{name}_score"] = value["score"]
                flat[f"{name}_average"] = value["average"]
                flat[f"{name}_count"] = value["count"]
            elif name == "nps":
                flat["nps"] = value["score"]
                flat.update({f"nps_{k}": v for k, v in value.items() if k != "score"})
            else:
                flat.update(flatten(value, f"{name}_" if name != "aspects" else ""))
        else:
            flat[name] = value
    return flat


def to_csv(rows: Iterable[dict[str, Any]], columns: list[str] | None = None, *, for_people: bool = False) -> bytes:
    """``for_people``: titles and words in the reader's language (the pages' downloads); otherwise
    field names and codes (the API's, for programs)."""
    flat = [flatten(row) for row in rows]
    if columns is None:
        columns = list(flat[0]) if flat else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if for_people:
        titles = column_titles()
        writer.writerow([titles.get(column, column) for column in columns])
        flat = [readable_row(row) for row in flat]
    else:
        writer.writerow(columns)
    for row in flat:
        writer.writerow(["" if row.get(column) is None else _cell(row.get(column)) for column in columns])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "@", "-", "\t", "\r"):
        return "'" + value  # never a formula in a spreadsheet (names are typed by people)
    return value
