"""Health-risk mix per base, from aggregate counts only, with small cells suppressed.

A number is shown only when at least ``MIN_CELL`` (5) declarations stand behind it:
- a base with fewer than 5 declarations in the period shows nothing but that it has few;
- a condition's count is hidden when it, or the number without the condition, is 1 to 4
  (otherwise "5 of 6 have diabetes" would tell the sixth person's neighbours too much);
- in a split that adds up to the total (risk levels, age bands, companion, mobility aid), a
  count of 1 to 4 is hidden, and if it is the only one hidden, the next smallest is hidden too,
  so it cannot be worked out by subtraction.

Those rules protect one table. Two tables about overlapping groups of people would undo them
by subtraction (January-February against January-March, all modes against all modes but
one), so only one family of tables is ever released: one per base and calendar quarter of
arrival (fixed and non-overlapping), for all trip modes together. A period asked for lists
every quarter it touches, each whole; a trip mode is not a filter here (the API refuses it,
the page ignores it and says so); a member or base filter only chooses which bases' tables are
listed. Any two answers therefore show the same table or tables about disjoint people.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.db import rows
from sojourn.i18n import gettext as _
from sojourn.localized import pick
from sojourn.stats.filters import StatsFilter
from sojourn.stats.health_counts import AGE_BANDS, COMPANION, CONDITIONS, MOBILITY, RISKS
from sojourn.stats.rows import BaseName, HealthCount
from sojourn.stats.schemas import HealthMixOut

MIN_CELL = 5

# Facets whose values add up to the declarations, in the order they are shown.
PARTITIONS: dict[str, tuple[str, ...]] = {
    "risk": RISKS,
    "age_band": AGE_BANDS,
    "companion": COMPANION,
    "mobility": MOBILITY,
}

COUNTS_SQL = """
SELECT r.base_id, date_trunc('quarter', r.month)::date AS quarter, r.facet, r.value, sum(r.declarations)::int AS n
FROM stats_health_month r JOIN base bs ON bs.id = r.base_id
WHERE {conditions}
GROUP BY 1, 2, 3, 4
"""


def quarter_start(month: dt.date) -> dt.date:
    return dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)


def quarter_label(start: dt.date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def reporting_filter(filters: StatsFilter) -> StatsFilter:
    """Whole quarters, all modes: the only tables ever released (see the module docstring)."""
    start = quarter_start(filters.start) if filters.start else None
    end = None
    if filters.end:
        first = quarter_start(filters.end)
        end = dt.date(first.year, first.month + 2, 1)  # the quarter's last month
    return StatsFilter(start, end, None, filters.member_id, filters.base_id)


def labels() -> dict[tuple[str, str], str]:
    """Plain words for each cell, in the reader's language."""
    return {
        ("all", "declarations"): _("Health declarations"),
        ("risk", "low"): _("Low risk"),
        ("risk", "medium"): _("Medium risk"),
        ("risk", "high"): _("High risk"),
        ("age_band", "under_60"): _("Under 60"),
        ("age_band", "60_64"): _("Aged 60 to 64"),
        ("age_band", "65_69"): _("Aged 65 to 69"),
        ("age_band", "70_74"): _("Aged 70 to 74"),
        ("age_band", "75_79"): _("Aged 75 to 79"),
        ("age_band", "80_plus"): _("Aged 80 or more"),
        ("companion", "alone"): _("Travels alone"),
        ("companion", "with_companion"): _("Travels with a companion"),
        ("companion", "not_said"): _("Companion not stated"),
        ("mobility", "none"): _("No walking aid"),
        ("mobility", "cane"): _("Walking stick"),
        ("mobility", "walker"): _("Walking frame"),
        ("mobility", "wheelchair"): _("Wheelchair"),
        ("condition", "hypertension"): _("High blood pressure"),
        ("condition", "heart_disease"): _("Heart disease"),
        ("condition", "diabetes"): _("Diabetes"),
        ("condition", "copd_asthma"): _("COPD or asthma"),
        ("condition", "stroke_history"): _("Had a stroke"),
        ("condition", "cognitive_impairment"): _("Memory or thinking problems"),
        ("condition", "epilepsy"): _("Epilepsy"),
        ("condition", "oxygen_or_cpap"): _("Uses oxygen or a breathing machine"),
    }


def small(n: int) -> bool:
    return 0 < n < MIN_CELL


def suppressed_cells(total: int, counts: dict[tuple[str, str], int]) -> set[tuple[str, str]]:
    """Which cells of one base must not be shown (see the module docstring)."""
    if total < MIN_CELL:
        return {("all", "declarations"), *counts, *(("condition", c) for c in CONDITIONS),
                *((f, v) for f, values in PARTITIONS.items() for v in values)}  # fmt: skip
    hidden = {("condition", c) for c in CONDITIONS if small(counts.get(("condition", c), 0))
              or small(total - counts.get(("condition", c), 0))}  # fmt: skip
    for facet, values in PARTITIONS.items():
        cells = [(facet, value) for value in values]
        primary = [cell for cell in cells if small(counts.get(cell, 0))]
        hidden.update(primary)
        if len(primary) == 1:
            others = [cell for cell in cells if cell not in primary and counts.get(cell, 0) > 0]
            if others:
                hidden.add(min(others, key=lambda cell: (counts.get(cell, 0), cell[1])))
    return hidden


def base_cells(
    base: BaseName, quarter: dt.date, counts: dict[tuple[str, str], int], names: dict[tuple[str, str], str]
) -> list[HealthMixOut]:
    total = counts.get(("all", "declarations"), 0)
    hidden = suppressed_cells(total, counts)
    cells = [("all", "declarations")]
    cells += [(facet, value) for facet, values in PARTITIONS.items() for value in values]
    cells += [("condition", c) for c in CONDITIONS]
    out = []
    for cell in cells:
        count = counts.get(cell, 0)
        shown = cell not in hidden
        out.append(
            HealthMixOut(
                base_id=base.id,
                base_name=pick(base, "name"),
                period=quarter_label(quarter),
                facet=cell[0],
                value=cell[1],
                label=names[cell],
                count=count if shown else None,
                share=round(count / total, 4) if shown and total else None,
                declarations=total if total >= MIN_CELL else None,
                suppressed=not shown,
            )
        )
    return out


async def health_mix(principal: Principal, filters: StatsFilter) -> list[HealthMixOut]:
    filters = reporting_filter(filters)
    args: list[Any] = []
    conditions = " AND ".join(
        (
            filters.period_sql("r", args),
            filters.base_sql("bs", args),
            policy.stats_bases_visible(principal, "bs", args),
        )
    )
    async with db.connection() as conn:
        found = rows.rows(HealthCount, await conn.fetch(COUNTS_SQL.format(conditions=conditions), *args))
        base_ids = sorted({row.base_id for row in found})
        bases = rows.rows(
            BaseName,
            await conn.fetch("SELECT id, name_zh, name_en FROM base WHERE id = ANY($1::int[]) ORDER BY id", base_ids),
        )
    counts: dict[tuple[int, dt.date], dict[tuple[str, str], int]] = {}
    for row in found:
        counts.setdefault((row.base_id, row.quarter), {})[(row.facet, row.value)] = row.n
    names = labels()
    out: list[HealthMixOut] = []
    for base in bases:
        for (base_id, quarter), table in sorted(counts.items()):
            if base_id == base.id and table.get(("all", "declarations"), 0) > 0:
                out.extend(base_cells(base, quarter, table, names))
    return out
