"""The periodic sweep: release holds that ran out everywhere and pass their beds on.

Correctness never waits for this job (every decision releases expired holds of its
base first, under the lock); it keeps calendars tidy and makes waiting-list offers
happen soon after a hold or an offer lapses, even when nobody else books.
"""

from __future__ import annotations

import datetime as dt
import logging

from sojourn import db
from sojourn.bookings import calendar, states, waitlist_offers
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.locking import lock_base
from sojourn.config import Settings
from sojourn.errors import Busy

log = logging.getLogger(__name__)

BASES_WITH_EXPIRED_SQL = f"SELECT DISTINCT base FROM booking WHERE {states.releasable_hold_sql('booking', '$1')}"


async def release_expired_holds_everywhere(settings: Settings, now: dt.datetime) -> int:
    """Release expired holds at every base; return how many holds were released."""
    async with db.connection() as conn:
        bases = [row["base"] for row in await conn.fetch(BASES_WITH_EXPIRED_SQL, now)]
        released = 0
        for base_id in bases:
            try:
                with map_database_errors():
                    async with conn.transaction():
                        await lock_base(conn, base_id, settings.lock_timeout_ms)
                        count = await calendar.release_expired_holds(conn, base_id, now)
                        if count:
                            await waitlist_offers.offer_freed_beds(conn, base_id, settings=settings, now=now)
                        released += count
            except Busy:
                log.info("base %s busy; its expired holds wait for the next sweep", base_id)
    return released
