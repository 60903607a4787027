"""Bookings per month of arrival and trip mode: sold, no-shows, cancelled after confirming."""

from __future__ import annotations

from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.stats.filters import StatsFilter, month_label
from sojourn.stats.schemas import BookingsOut

BOOKINGS_SQL = """
SELECT r.month, r.mode,
       coalesce(sum(r.bookings) FILTER (WHERE r.outcome IN ('confirmed', 'no_show')), 0)::int AS sold_bookings,
       coalesce(sum(r.travellers) FILTER (WHERE r.outcome IN ('confirmed', 'no_show')), 0)::int AS sold_travellers,
       coalesce(sum(r.bookings) FILTER (WHERE r.outcome = 'no_show'), 0)::int AS no_show_bookings,
       coalesce(sum(r.bookings) FILTER (WHERE r.outcome = 'cancelled'), 0)::int AS cancelled_bookings
FROM stats_booking_month r JOIN base bs ON bs.id = r.base_id
WHERE {conditions}
GROUP BY 1, 2
HAVING sum(abs(r.bookings)) > 0
ORDER BY 1, 2
"""


async def bookings_over_time(principal: Principal, filters: StatsFilter) -> list[BookingsOut]:
    args: list[Any] = []
    conditions = " AND ".join(
        (
            filters.period_sql("r", args),
            filters.flow_sql("bs", "r.origin_code", args),
            policy.stats_flows_visible(principal, "bs", "r.origin_code", args),
        )
    )
    async with db.connection() as conn:
        rows = await conn.fetch(BOOKINGS_SQL.format(conditions=conditions), *args)
    return [
        BookingsOut(
            month=month_label(row["month"]),
            mode=row["mode"],
            sold_bookings=row["sold_bookings"],
            sold_travellers=row["sold_travellers"],
            no_show_bookings=row["no_show_bookings"],
            cancelled_bookings=row["cancelled_bookings"],
        )
        for row in rows
    ]
