"""Occupancy per base and month: bed-nights sold ÷ bed-nights available."""

from __future__ import annotations

from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.db import rows
from sojourn.localized import pick
from sojourn.stats.filters import StatsFilter, month_label
from sojourn.stats.rows import OccupancyInMonth
from sojourn.stats.schemas import OccupancyOut

# Beds are counted whatever the mode filter; sold bed-nights follow it (a mode's share of the beds).
OCCUPANCY_SQL = """
WITH sold AS (
    SELECT r.base_id, r.month, sum(r.bed_nights)::int AS sold
    FROM stats_base_stay_month r WHERE {period} GROUP BY 1, 2
), offered AS (
    SELECT c.base_id, c.month, c.beds AS available FROM stats_capacity_month c WHERE {capacity_period}
)
SELECT bs.id AS base_id, bs.name_zh, bs.name_en, bs.member, m.month,
       coalesce(s.sold, 0) AS sold, coalesce(o.available, 0) AS available
FROM (SELECT base_id, month FROM sold UNION SELECT base_id, month FROM offered) m
JOIN base bs ON bs.id = m.base_id
LEFT JOIN sold s ON s.base_id = m.base_id AND s.month = m.month
LEFT JOIN offered o ON o.base_id = m.base_id AND o.month = m.month
WHERE {conditions} AND (coalesce(s.sold, 0) > 0 OR coalesce(o.available, 0) > 0)
ORDER BY bs.id, m.month
"""


def rate(sold: int, available: int) -> float | None:
    return round(sold / available, 4) if available > 0 else None


async def occupancy(principal: Principal, filters: StatsFilter) -> list[OccupancyOut]:
    args: list[Any] = []
    period = filters.period_sql("r", args)
    capacity_period = StatsFilter(filters.start, filters.end).period_sql("c", args)
    conditions = " AND ".join((filters.base_sql("bs", args), policy.stats_bases_visible(principal, "bs", args)))
    sql = OCCUPANCY_SQL.format(period=period, capacity_period=capacity_period, conditions=conditions)
    async with db.connection() as conn:
        months = rows.rows(OccupancyInMonth, await conn.fetch(sql, *args))
    return [
        OccupancyOut(
            base_id=row.base_id,
            base_name=pick(row, "name"),
            member_id=row.member,
            month=month_label(row.month),
            sold=row.sold,
            available=row.available,
            rate=rate(row.sold, row.available),
        )
        for row in months
    ]
