"""Bookings per month of arrival and trip mode: sold, no-shows, cancelled after confirming.

Read from coarse rollups whose size stops growing early: per base without the origin when the
question is the whole alliance's, per origin province and destination member otherwise (the
bookings of a member are those at its bases or of travellers from its province); the fine
rollup only for one base."""

from __future__ import annotations

from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.db import rows
from sojourn.stats.filters import StatsFilter, month_label
from sojourn.stats.rollups import ORIGIN_BOOKING_ROWS, OUTCOME_COLUMNS
from sojourn.stats.rows import BookingsInMonth
from sojourn.stats.schemas import BookingsOut

BOOKINGS_SQL = """
SELECT r.month, r.mode,
       sum(r.confirmed_bookings + r.no_show_bookings)::int AS sold_bookings,
       sum(r.confirmed_travellers + r.no_show_travellers)::int AS sold_travellers,
       sum(r.no_show_bookings)::int AS no_show_bookings,
       sum(r.cancelled_bookings)::int AS cancelled_bookings
FROM ({rows}) r
GROUP BY 1, 2
HAVING sum(r.confirmed_bookings + r.no_show_bookings + r.cancelled_bookings) > 0
ORDER BY 1, 2
"""
COLUMNS = f"r.month, r.mode, {', '.join(f'r.{column}' for column in OUTCOME_COLUMNS.split(', '))}"
# The fine rollup keeps a row per outcome; the same columns from it:
FINE_COLUMNS = """r.month, r.mode,
    CASE WHEN r.outcome = 'confirmed' THEN r.bookings ELSE 0 END AS confirmed_bookings,
    CASE WHEN r.outcome = 'confirmed' THEN r.travellers ELSE 0 END AS confirmed_travellers,
    CASE WHEN r.outcome = 'no_show' THEN r.bookings ELSE 0 END AS no_show_bookings,
    CASE WHEN r.outcome = 'no_show' THEN r.travellers ELSE 0 END AS no_show_travellers,
    CASE WHEN r.outcome = 'cancelled' THEN r.bookings ELSE 0 END AS cancelled_bookings"""
# (columns, rows, SQL for the base id and for its member)
ONE_BASE = (FINE_COLUMNS, "stats_booking_month r JOIN base bs ON bs.id = r.base_id", "r.base_id", "bs.member")
ACROSS_BASES = (COLUMNS, f"{ORIGIN_BOOKING_ROWS} r", None, "r.destination_member")


def _rows(principal: Principal, filters: StatsFilter, args: list[Any]) -> str:
    """The rollup rows to add up (month, mode and the outcome columns), as a query."""
    period = filters.period_sql("r", args)
    if policy.stats_flow_members(principal) is None and not filters.member_id:
        base = filters.base_id_sql("r.base_id", args)
        return f"SELECT {COLUMNS} FROM stats_base_booking_month r WHERE {period} AND {base}"
    columns, rows, base_id, member = ONE_BASE if filters.base_id else ACROSS_BASES
    conditions = (
        period,
        filters.flow_sql(base_id, member, "r.origin_code", args),
        policy.stats_flows_visible(principal, member, "r.origin_code", args),
    )
    return f"SELECT {columns} FROM {rows} WHERE {' AND '.join(conditions)}"


async def bookings_over_time(principal: Principal, filters: StatsFilter) -> list[BookingsOut]:
    args: list[Any] = []
    sql = BOOKINGS_SQL.format(rows=_rows(principal, filters, args))
    async with db.connection() as conn:
        months = rows.rows(BookingsInMonth, await conn.fetch(sql, *args))
    return [
        BookingsOut(
            month=month_label(row.month),
            mode=row.mode,
            sold_bookings=row.sold_bookings,
            sold_travellers=row.sold_travellers,
            no_show_bookings=row.no_show_bookings,
            cancelled_bookings=row.cancelled_bookings,
        )
        for row in months
    ]
