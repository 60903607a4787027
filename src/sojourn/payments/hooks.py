"""Where payments call into the booking side. Phase B replaces the body of each hook with a call
to the booking engine (``sojourn.bookings``); payments never changes a booking itself.

Each hook runs inside the transaction that records the money, so the money and its effect on
the booking commit together or not at all.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

KEEPS_MONEY = ("held", "confirmed", "checked_in", "checked_out", "no_show")


async def on_first_payment(conn: asyncpg.Connection, booking_id: int, now: dt.datetime) -> bool:
    """The booking's first amount due was paid. True: the booking keeps the money; False: the beds
    are gone (the hold lapsed and they were taken) and payments refunds it in full at once.

    Phase B: confirm a held booking (the lifecycle's confirmation, under the base's lock), or
    re-take the beds of a lapsed hold if they are still free, and answer whether it worked.
    Until then the booking is left as it is; a hold that lapsed or a booking that was cancelled
    does not keep the money.
    """
    row = await conn.fetchrow("SELECT status, hold_expires_at FROM booking WHERE id = $1 FOR UPDATE", booking_id)
    if row is None or row["status"] not in KEEPS_MONEY:
        return False
    return row["status"] != "held" or row["hold_expires_at"] > now
