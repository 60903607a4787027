"""Balances owed before arrival (a deposit paid at booking, the rest by a date): the stated rule.
A reminder in the week before the due date; once the date has passed by a day of grace, the booking
is cancelled under its own terms (what was paid above what the base keeps goes back).
Run by the job ``settle_overdue_balances``; safe to run twice (dedupe keys, row checks under the lock)."""

from __future__ import annotations

import datetime as dt
import logging

from sojourn import db
from sojourn.bookings import lifecycle, live
from sojourn.config import Settings
from sojourn.errors import Busy
from sojourn.notifications import outbox

log = logging.getLogger(__name__)

REMIND_BEFORE = dt.timedelta(days=7)
GRACE = dt.timedelta(days=1)
REASON = "余款逾期未付 / balance not paid by its date"

DUE_SOON_SQL = """
SELECT i.id, i.booking, i.amount_fen, i.due_at, b.account, b.reference, b.base
FROM payment_instalment i JOIN booking b ON b.id = i.booking
WHERE i.kind = 'balance' AND i.status = 'due' AND b.status = 'confirmed' AND i.due_at > $1 AND i.due_at <= $2
ORDER BY i.due_at, i.id
"""

OVERDUE_SQL = """
SELECT i.booking, b.base FROM payment_instalment i JOIN booking b ON b.id = i.booking
WHERE i.kind = 'balance' AND i.status = 'due' AND b.status = 'confirmed' AND i.due_at <= $1
ORDER BY i.due_at, i.id
"""


async def settle_overdue_balances(*, now: dt.datetime, settings: Settings) -> int:
    """Remind balances due within a week; cancel bookings whose balance is past due. Returns how many
    bookings were cancelled."""
    async with db.connection() as conn:
        for due in await conn.fetch(DUE_SOON_SQL, now, now + REMIND_BEFORE):
            await outbox.enqueue(
                conn,
                "balance_due",
                due["account"],
                {
                    "booking_id": due["booking"],
                    "reference": due["reference"],
                    "amount_fen": due["amount_fen"],
                    "due_at": due["due_at"].isoformat(),
                },
                dedupe_key=f"balance_due:{due['id']}",
                deliver_after=now,
            )
        cancelled = 0
        for overdue in await conn.fetch(OVERDUE_SQL, now - GRACE):
            try:
                async with conn.transaction():
                    done = await lifecycle.cancel_for_unpaid_balance(
                        conn, overdue["booking"], reason=REASON, settings=settings, now=now
                    )
            except Busy:
                log.info("base %s busy; booking %s waits for the next run", overdue["base"], overdue["booking"])
                continue
            if done:
                cancelled += 1
                await live.capacity_changed(overdue["base"])
    return cancelled
