"""What the statistics count, and the rollups that count it.

- **Sold** bed-nights and travellers: bookings in status confirmed, checked_in, checked_out or
  no_show. A no-show kept (and paid for) the bed; holds, expired holds and cancellations never
  count. A bed-night is one traveller on one night; it counts in the month of that night.
  A traveller counts once per stay, in the month of arrival.
- **Available** bed-nights: the beds of the capacity calendar, summed over the month's nights.
  Occupancy = sold ÷ available for a base and month.
- **Bookings by outcome**, in the month of arrival: confirmed (confirmed, checked in or out),
  no_show, and cancelled after being confirmed (a hold let go is not a booking).
- **Exchange balance**: sold bed-nights of interactive trips, sent by the member whose quota the
  travellers used (``booking.origin_member``) to the member that owns the base.
- **Satisfaction**: feedback that is not hidden, in the month the stay began.
- **Health mix**: submitted declarations, in the month the trip begins (``health_counts``).

The rollups are maintained by triggers in the same transaction as the change (migrations
"stats rollups: functions and triggers" and "coarse stats rollups"), except health counts
(``health_counts.py``). Questions across bases read coarse rollups (per base without the
origin, or per origin and destination without the base), whose size stops growing early; only a
base filter on flows or bookings reads the fine ones, for that one base.
Anything that writes bookings already sold straight into the tables (demo history, benchmark
seeds) calls ``rebuild`` afterwards.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from sojourn import db
from sojourn.config import Settings

_FLOW_COLUMNS = "month, mode, origin_code, origin_member, destination_code, destination_member, travellers, bed_nights"
# Flows per month, mode, origin and destination: the folded rows and the changes not folded yet
# (one statement, one snapshot: a fold running meanwhile moves rows from one side to the other).
FLOW_ROWS = f"(SELECT {_FLOW_COLUMNS} FROM stats_flow_month UNION ALL SELECT {_FLOW_COLUMNS} FROM stats_flow_change)"

# The coarse booking rollups keep the outcomes side by side.
OUTCOME_COLUMNS = "confirmed_bookings, confirmed_travellers, no_show_bookings, no_show_travellers, cancelled_bookings"
_ORIGIN_BOOKING_COLUMNS = f"month, mode, origin_code, destination_member, {OUTCOME_COLUMNS}"
# Bookings per month, mode, outcome, origin province and destination member, likewise.
ORIGIN_BOOKING_ROWS = (
    f"(SELECT {_ORIGIN_BOOKING_COLUMNS} FROM stats_origin_booking_month "
    f"UNION ALL SELECT {_ORIGIN_BOOKING_COLUMNS} FROM stats_origin_booking_change)"
)

VERSION_SQL = "SELECT coalesce(sum(version), 0)::text || '.' || coalesce(max(version), 0)::text FROM stats_version"


async def rebuild(conn: asyncpg.Connection) -> None:
    """Recount every rollup but the health counts from the raw rows (one transaction)."""
    async with conn.transaction():
        await conn.execute("SELECT stats_rebuild()")


async def bump(conn: asyncpg.Connection, base_id: int) -> None:
    """Tell cached answers that something about ``base_id`` (0: the alliance) changed."""
    await conn.execute("SELECT stats_bump($1)", base_id)


async def current_version(conn: asyncpg.Connection) -> str:
    """Changes whenever any rollup changes: every bump sets a row to a new, larger sequence
    value, so the sum only grows; the maximum tells a database emptied and filled again apart."""
    return await conn.fetchval(VERSION_SQL)


async def fold_flow_changes(*, now: dt.datetime, settings: Settings) -> int:
    """Move the changes the triggers appended into ``stats_flow_month`` and
    ``stats_origin_booking_month`` (a periodic job).
    Answers do not change (readers add both tables), so caches are not told."""
    async with db.connection() as conn, conn.transaction():
        return await conn.fetchval("SELECT stats_fold_flows()")
