"""Where payments call into the booking side (``sojourn.bookings``); payments never changes a booking itself.

Each hook runs inside the transaction that records the money, so the money and its effect on
the booking commit together or not at all.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from sojourn.bookings import lifecycle
from sojourn.bookings.locking import lock_base

# Recording money waits at most this long for a busy base (the caller has usually taken the lock first
# with the settings' timeout); Busy rolls the notification back, and the provider sends it again.
LOCK_TIMEOUT_MS = 10_000


async def on_first_payment(conn: asyncpg.Connection, booking_id: int, now: dt.datetime) -> bool:
    """The booking's first amount due was paid. True: the booking keeps the money (a held booking is
    confirmed; a lapsed hold takes its beds again if they are still free); False: the beds are gone or
    the booking was cancelled, and payments refunds it in full at once."""
    return await lifecycle.confirm_paid_booking(conn, booking_id, now=now, lock_timeout_ms=LOCK_TIMEOUT_MS)


async def lock_base_of_payment(conn: asyncpg.Connection, provider: str, out_trade_no: str, timeout_ms: int) -> None:
    """The base's lock for the booking an order pays, taken first in a transaction that may confirm it
    (the lock rule: the base lock before any row lock). An unknown order takes no lock."""
    base_id = await conn.fetchval(
        "SELECT b.base FROM payment p JOIN booking b ON b.id = p.booking WHERE p.provider = $1 AND p.out_trade_no = $2",
        provider,
        out_trade_no,
    )
    if base_id is not None:
        await lock_base(conn, base_id, timeout_ms)
