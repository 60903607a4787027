"""Flows: travellers and bed-nights from each home province to each destination province."""

from __future__ import annotations

from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.alliance.regions import province_name
from sojourn.i18n import current_locale
from sojourn.stats.filters import StatsFilter
from sojourn.stats.schemas import FlowOut

FLOWS_SQL = """
SELECT r.origin_code, bs.province_code AS destination_code,
       sum(r.travellers)::int AS travellers, sum(r.bed_nights)::int AS bed_nights
FROM stats_stay_month r JOIN base bs ON bs.id = r.base_id
WHERE {conditions}
GROUP BY 1, 2
HAVING sum(r.bed_nights) > 0 OR sum(r.travellers) > 0
ORDER BY bed_nights DESC, 1, 2
"""


async def flows(principal: Principal, filters: StatsFilter) -> list[FlowOut]:
    args: list[Any] = []
    conditions = " AND ".join(
        (
            filters.period_sql("r", args),
            filters.flow_sql("bs", "r.origin_code", args),
            policy.stats_flows_visible(principal, "bs", "r.origin_code", args),
        )
    )
    async with db.connection() as conn:
        rows = await conn.fetch(FLOWS_SQL.format(conditions=conditions), *args)
    locale = current_locale()
    return [
        FlowOut(
            origin_code=row["origin_code"],
            origin_name=province_name(row["origin_code"], locale),
            destination_code=row["destination_code"],
            destination_name=province_name(row["destination_code"], locale),
            travellers=row["travellers"],
            bed_nights=row["bed_nights"],
        )
        for row in rows
    ]
