"""Reading a booking's payments, with its money summary and its refund schedule as data."""

from __future__ import annotations

import datetime as dt
import json

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.bookings import states
from sojourn.bookings.queries import fetch_booking
from sojourn.bookings.stays import today_at
from sojourn.payments.instalments import money_for_bookings
from sojourn.payments.refund_schedule import refund_windows
from sojourn.payments.schemas import PaymentsOut, RefundWindowOut
from sojourn.payments.starting import payment_out

PAYMENTS_SQL = """
SELECT p.*, i.kind FROM payment p JOIN payment_instalment i ON i.id = p.instalment
WHERE p.booking = $1 AND p.status <> 'creating' ORDER BY p.created_at, p.id
"""


async def list_payments(principal: Principal, booking_id: int, *, now: dt.datetime) -> PaymentsOut:
    async with db.connection() as conn:
        booking = await fetch_booking(conn, principal, booking_id)
        rows = await conn.fetch(PAYMENTS_SQL, booking_id)
        money = (await money_for_bookings(conn, [booking_id], now=now))[booking_id]
    windows = []
    live = booking.status == states.CONFIRMED or states.is_live_hold(booking.status, booking.hold_expires_at, now)
    if live:
        policy = booking.cancellation_policy
        windows = refund_windows(
            json.loads(policy) if isinstance(policy, str) else policy,
            total_fen=booking.total_fen,
            paid_fen=money.paid_fen - money.refunded_fen,
            arrival=booking.arrival,
            departure=booking.departure,
            today=today_at(booking.time_zone, now),
        )
    return PaymentsOut(
        items=[payment_out(row, row["kind"]) for row in rows],
        total=len(rows),
        paid_fen=money.paid_fen,
        refunded_fen=money.refunded_fen,
        refund_status=money.refund_status,
        refund_schedule=[RefundWindowOut(w.first_day, w.last_day, w.refund_percent, w.refund_fen) for w in windows],
    )
