"""Flows: travellers and bed-nights from each home province to each destination province.

Read from the flow rollup (no base in it: its size follows provinces x months); a base filter
reads the fine per-base rollup instead."""

from __future__ import annotations

from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.alliance.regions import province_name
from sojourn.db import rows
from sojourn.i18n import current_locale
from sojourn.stats.filters import StatsFilter
from sojourn.stats.rollups import FLOW_ROWS
from sojourn.stats.rows import Flow
from sojourn.stats.schemas import FlowOut

FLOWS_SQL = """
SELECT r.origin_code, {destination} AS destination_code,
       sum(r.travellers)::int AS travellers, sum(r.bed_nights)::int AS bed_nights
FROM {rows}
WHERE {conditions}
GROUP BY 1, 2
HAVING sum(r.bed_nights) > 0 OR sum(r.travellers) > 0
ORDER BY bed_nights DESC, 1, 2
"""
PER_BASE = ("stats_stay_month r JOIN base bs ON bs.id = r.base_id", "bs.province_code", "r.base_id", "bs.member")
ACROSS_BASES = (f"{FLOW_ROWS} r", "r.destination_code", None, "r.destination_member")


async def flows(principal: Principal, filters: StatsFilter) -> list[FlowOut]:
    table, destination, base_id, member = PER_BASE if filters.base_id else ACROSS_BASES
    args: list[Any] = []
    conditions = " AND ".join(
        (
            filters.period_sql("r", args),
            filters.flow_sql(base_id, member, "r.origin_code", args),
            policy.stats_flows_visible(principal, member, "r.origin_code", args),
        )
    )
    sql = FLOWS_SQL.format(rows=table, destination=destination, conditions=conditions)
    async with db.connection() as conn:
        found = rows.rows(Flow, await conn.fetch(sql, *args))
    locale = current_locale()
    return [
        FlowOut(
            origin_code=row.origin_code,
            origin_name=province_name(row.origin_code, locale),
            destination_code=row.destination_code,
            destination_name=province_name(row.destination_code, locale),
            travellers=row.travellers,
            bed_nights=row.bed_nights,
        )
        for row in found
    ]
