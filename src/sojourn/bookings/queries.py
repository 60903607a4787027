"""Reading bookings, always through the caller's scope (``accounts.policy``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bookings import states
from sojourn.bookings.rows import BookingRow
from sojourn.bookings.schemas import BookingOut, BookingRoomOut, BookingTravellerOut, PaymentStepOut
from sojourn.bookings.stays import today_at
from sojourn.config import Settings
from sojourn.db import rows
from sojourn.errors import NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.payments import instalments
from sojourn.payments.providers import registry as payment_registry
from sojourn.tours.pricing import refund_fen, refund_percent

# Cancelling within this time of confirming is an undo: everything is refunded.
UNDO_WINDOW = dt.timedelta(minutes=10)

BOOKING_SELECT = """
SELECT b.*, t.title_zh, t.title_en, t.mode, t.cancellation_policy,
       bs.name_zh AS base_name_zh, bs.name_en AS base_name_en, bs.time_zone,
       coalesce((SELECT json_agg(json_build_object('id', tr.id, 'name', tr.name,
                                 'age_at_arrival', bt.age_at_arrival) ORDER BY tr.id)
                 FROM booking_traveller bt JOIN traveller tr ON tr.id = bt.traveller
                 WHERE bt.booking = b.id), '[]') AS traveller_list,
       coalesce((SELECT json_agg(json_build_object('room_type_id', rt.id, 'code', rt.code, 'name_zh', rt.name_zh,
                                 'name_en', rt.name_en, 'beds_per_room', rt.beds_per_room, 'count', br.rooms)
                                 ORDER BY rt.sort_order, rt.id)
                 FROM booking_room br JOIN room_type rt ON rt.id = br.room_type
                 WHERE br.booking = b.id), '[]') AS room_list,
       (SELECT w.id FROM waitlist_entry w WHERE w.offered_booking = b.id) AS waitlist_entry_id
FROM booking b JOIN tour t ON t.id = b.tour JOIN base bs ON bs.id = b.base
"""

Scope = Callable[[Principal, str, list[Any]], str]


def refund_percent_if_cancelled(booking: BookingRow, now: dt.datetime) -> int:
    """What share of the price cancelling at ``now`` gives back: nothing for a hold (it was never
    confirmed), all of it within the undo window after confirming, otherwise the tour's policy by
    days before arrival counted in the base's time zone."""
    if booking.status != states.CONFIRMED:
        return 0
    if booking.confirmed_at is not None and now - booking.confirmed_at <= UNDO_WINDOW:
        return 100
    today = today_at(booking.time_zone, now)
    policy_tiers = booking.cancellation_policy
    if isinstance(policy_tiers, str):
        policy_tiers = json.loads(policy_tiers)
    return refund_percent(policy_tiers, (booking.arrival - today).days)


def refund_if_cancelled(booking: BookingRow, now: dt.datetime) -> int:
    """What cancelling at ``now`` gives back of the full price (before knowing what was paid)."""
    return refund_fen(booking.total_fen, refund_percent_if_cancelled(booking, now))


def refund_of_paid(*, total_fen: int, refund_of_total_fen: int, paid_fen: int) -> int:
    """Only money paid goes back: all that was paid above what the base keeps of the full price
    (``payments.refund_schedule.refund_due``, from the refund of the full price)."""
    return max(paid_fen - (total_fen - refund_of_total_fen), 0)


def booking_out(booking: BookingRow, now: dt.datetime, settings: Settings) -> BookingOut:
    travellers = booking.traveller_list
    if isinstance(travellers, str):
        travellers = json.loads(travellers)
    held = booking.status == states.HELD
    shown = states.shown_status(booking.status, booking.hold_expires_at, now)
    deadline = states.cancel_deadline(shown, booking.hold_expires_at, booking.departure, booking.time_zone)
    return BookingOut(
        id=booking.id,
        reference=booking.reference,
        status=shown,
        tour_id=booking.tour,
        tour_title=pick(booking, "title"),
        mode=booking.mode,
        base_id=booking.base,
        base_name=pick(booking, "base_name"),
        arrival=booking.arrival,
        departure=booking.departure,
        nights=booking.nights,
        party_size=booking.party_size,
        total_fen=booking.total_fen,
        refund_fen=booking.refund_fen,
        hold_expires_at=booking.hold_expires_at if held else None,
        hold_extensions_left=max(settings.hold_max_extensions - booking.hold_extensions, 0) if held else 0,
        travellers=[BookingTravellerOut(**traveller) for traveller in travellers],
        booked_by_account_id=booking.booked_by,
        on_behalf=booking.booked_by != booking.account,
        created_at=booking.created_at,
        confirmed_at=booking.confirmed_at,
        cancelled_at=booking.cancelled_at,
        refund_if_cancelled_now_fen=refund_if_cancelled(booking, now) if booking.status in states.CANCELLABLE else None,
        waitlist_entry_id=booking.waitlist_entry_id,
        time_zone=booking.time_zone,
        can_cancel=deadline is not None and now < deadline,
        cancel_deadline=deadline,
        rooms=_rooms(booking.room_list),
    )


def _rooms(room_list: Any) -> list[BookingRoomOut]:
    if isinstance(room_list, str):
        room_list = json.loads(room_list)
    return [
        BookingRoomOut(room["room_type_id"], room["code"], pick(room, "name"), room["beds_per_room"], room["count"])
        for room in room_list or []
    ]


async def with_money(
    conn: asyncpg.Connection, bookings: list[BookingOut], now: dt.datetime, settings: Settings
) -> list[BookingOut]:
    """The bookings with their money: payment schedule, paid, refunded and how the refund goes."""
    money = await instalments.money_for_bookings(conn, [booking.id for booking in bookings], now=now)
    online = bool(payment_registry.configured(settings))
    return [_with(booking, money.get(booking.id), online) for booking in bookings]


def _with(booking: BookingOut, money: instalments.BookingMoney | None, online: bool) -> BookingOut:
    if money is None:
        return booking
    refund_now = booking.refund_if_cancelled_now_fen
    if refund_now is not None and online:  # without a provider the money is taken at the base, as before
        refund_now = refund_of_paid(
            total_fen=booking.total_fen, refund_of_total_fen=refund_now, paid_fen=money.paid_fen - money.refunded_fen
        )
    return msgspec.structs.replace(
        booking,
        refund_if_cancelled_now_fen=refund_now,
        payment_schedule=[PaymentStepOut(s.kind, s.amount_fen, s.due_at, s.status) for s in money.schedule],
        paid_fen=money.paid_fen,
        refunded_fen=money.refunded_fen,
        refund_status=money.refund_status,
    )


async def booking_with_money(
    conn: asyncpg.Connection, booking: BookingRow, now: dt.datetime, settings: Settings
) -> BookingOut:
    return (await with_money(conn, [booking_out(booking, now, settings)], now, settings))[0]


async def fetch_booking(
    conn: asyncpg.Connection,
    principal: Principal,
    booking_id: int,
    scope: Scope = policy.bookings_visible,
    *,
    lock: bool = False,
) -> BookingRow:
    """The booking if ``scope`` lets the principal see it, else NotFound; ``lock`` row-locks it."""
    args: list[Any] = [booking_id]
    condition = scope(principal, "b", args)
    suffix = " FOR UPDATE OF b" if lock else ""
    record = await conn.fetchrow(f"{BOOKING_SELECT} WHERE b.id = $1 AND {condition}{suffix}", *args)
    if record is None:
        raise NotFound(_l("There is no booking with this number in your account."))
    return rows.row(BookingRow, record)


async def get_booking(principal: Principal, booking_id: int, *, now: dt.datetime, settings: Settings) -> BookingOut:
    async with db.connection() as conn:
        return await booking_with_money(conn, await fetch_booking(conn, principal, booking_id), now, settings)


async def list_bookings(
    principal: Principal,
    *,
    now: dt.datetime,
    settings: Settings,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[BookingOut], int]:
    args: list[Any] = []
    condition = policy.bookings_visible(principal, "b", args)
    if status:
        args.append(status)
        condition += f" AND b.status = ${len(args)}"
    sql = (
        f"{BOOKING_SELECT.replace('SELECT b.*', 'SELECT count(*) OVER () AS total_count, b.*', 1)}"
        f" WHERE {condition} ORDER BY b.arrival DESC, b.id DESC LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    async with db.connection() as conn:
        records = await conn.fetch(sql, *args)
        out = [booking_out(booking, now, settings) for booking in rows.rows(BookingRow, records)]
        out = await with_money(conn, out, now, settings)
    total = records[0]["total_count"] if records else 0
    return out, total
