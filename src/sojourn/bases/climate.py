"""Climate by month at a base (average daily high and low, rainfall, the rainy months), as
the operator enters it, and as a chart with the same figures in a table beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from babel.dates import get_month_names

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.bases.operated import operated_base
from sojourn.bases.place_schemas import ClimateIn, ClimateMonth
from sojourn.errors import InvalidInput
from sojourn.i18n import current_locale
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l


def climate_rows(rows: Iterable[Mapping[str, Any]]) -> list[ClimateMonth]:
    return [
        ClimateMonth(
            month=row["month"],
            high_c=round(float(row["high_c"]), 1),
            low_c=round(float(row["low_c"]), 1),
            rain_mm=row["rain_mm"],
            rainy=bool(row["rainy"]),
        )
        for row in rows
    ]


def rainy_months(climate: Sequence[ClimateMonth]) -> list[int]:
    return [month.month for month in climate if month.rainy]


def check_climate(change: ClimateIn) -> list[ClimateMonth]:
    """Each month at most once, the low not above the high; InvalidInput names the month."""
    errors: dict[str, Any] = {}
    seen: set[int] = set()
    for month in change.months:
        if month.month in seen:
            errors[f"months.{month.month}"] = _l("Each month only once.")
        seen.add(month.month)
        if month.low_c > month.high_c:
            errors[f"months.{month.month}"] = _l("The average low cannot be above the average high.")
    if errors:
        raise InvalidInput(_l("Please correct the months marked below."), field_errors=errors)
    return sorted(change.months, key=lambda month: month.month)


async def replace_climate(principal: Principal, base_id: int, change: ClimateIn, *, now: dt.datetime) -> None:
    """The months given replace every month the base had; the source is shown under the chart."""
    months = check_climate(change)
    async with db.connection() as conn, conn.transaction():
        await operated_base(conn, principal, base_id, lock=True)
        await conn.execute("DELETE FROM base_climate_month WHERE base = $1", base_id)
        await conn.executemany(
            "INSERT INTO base_climate_month (base, month, high_c, low_c, rain_mm, rainy) VALUES ($1, $2, $3, $4, $5, $6)",
            [(base_id, m.month, m.high_c, m.low_c, m.rain_mm, m.rainy) for m in months],
        )
        await conn.execute(
            "INSERT INTO base_place (base, climate_source, updated_at) VALUES ($1, $2, $3) "
            "ON CONFLICT (base) DO UPDATE SET climate_source = EXCLUDED.climate_source, updated_at = EXCLUDED.updated_at",
            base_id,
            change.source.strip(),
            now,
        )


def month_name(month: int) -> str:
    """ "1月" / "Jan" from Babel's calendar data for the reader's language."""
    return get_month_names("abbreviated", locale=current_locale())[month]


def climate_chart(climate: Sequence[ClimateMonth]) -> dict[str, Any] | None:
    """The spec ``static/js/charts.js`` draws as bars (its "bars" kind): highs and lows per month."""
    if not climate:
        return None
    return {
        "kind": "bars",
        "categories": [month_name(m.month) for m in climate],
        "unit": "°C",
        "series": [
            {"name": _("Average high"), "data": [m.high_c for m in climate]},
            {"name": _("Average low"), "data": [m.low_c for m in climate]},
        ],
    }
