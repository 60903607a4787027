"""What the pay page shows before the senior pays: the amount due now and the refund schedule as
data (each stretch of days and what cancelling then gives back, counting this payment as made)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.bookings.queries import fetch_booking
from sojourn.bookings.stays import today_at
from sojourn.payments.instalments import InstalmentView, money_for_bookings
from sojourn.payments.refund_schedule import RefundWindow, refund_windows


@dataclass(frozen=True)
class PayView:
    due: InstalmentView | None  # the next amount to pay (None: nothing is due)
    later: list[InstalmentView]  # what comes after it
    paid_fen: int
    refund_schedule: list[RefundWindow]  # once ``due`` is paid


async def pay_view(principal: Principal, booking_id: int, *, now: dt.datetime) -> PayView:
    async with db.connection() as conn:
        booking = await fetch_booking(conn, principal, booking_id)
        money = (await money_for_bookings(conn, [booking_id], now=now))[booking_id]
    open_steps = [step for step in money.schedule if step.status in ("due", "pending", "overdue")]
    due = open_steps[0] if open_steps else None
    policy = booking.cancellation_policy
    windows = refund_windows(
        json.loads(policy) if isinstance(policy, str) else policy,
        total_fen=booking.total_fen,
        paid_fen=money.paid_fen - money.refunded_fen + (due.amount_fen if due else 0),
        arrival=booking.arrival,
        departure=booking.departure,
        today=today_at(booking.time_zone, now),
    )
    return PayView(due, open_steps[1:], money.paid_fen, windows)
