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

The rollups are maintained by triggers in the same transaction as the change (migration
"stats rollups: functions and triggers"), except health counts (``health_counts.py``).
Anything that writes bookings already sold straight into the tables (demo history, benchmark
seeds) calls ``rebuild`` afterwards.
"""

from __future__ import annotations

import asyncpg

SOLD_STATUSES = ("confirmed", "checked_in", "checked_out", "no_show")
OUTCOMES = ("confirmed", "no_show", "cancelled")

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
