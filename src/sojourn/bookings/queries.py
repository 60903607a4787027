"""Reading bookings, always through the caller's scope (``accounts.policy``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bookings import states
from sojourn.bookings.schemas import BookingOut, BookingTravellerOut
from sojourn.bookings.stays import today_at
from sojourn.config import Settings
from sojourn.errors import NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
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
       (SELECT w.id FROM waitlist_entry w WHERE w.offered_booking = b.id) AS waitlist_entry_id
FROM booking b JOIN tour t ON t.id = b.tour JOIN base bs ON bs.id = b.base
"""

Scope = Callable[[Principal, str, list[Any]], str]


def refund_if_cancelled(row: Any, now: dt.datetime) -> int:
    """What cancelling at ``now`` gives back: nothing for a hold (nothing was paid), all of it
    within the undo window after confirming, otherwise the tour's policy by days before arrival
    counted in the base's time zone."""
    if row["status"] != states.CONFIRMED:
        return 0
    if row["confirmed_at"] is not None and now - row["confirmed_at"] <= UNDO_WINDOW:
        return row["total_fen"]
    today = today_at(row["time_zone"], now)
    policy_tiers = row["cancellation_policy"]
    if isinstance(policy_tiers, str):
        policy_tiers = json.loads(policy_tiers)
    return refund_fen(row["total_fen"], refund_percent(policy_tiers, (row["arrival"] - today).days))


def booking_out(row: Any, now: dt.datetime, settings: Settings) -> BookingOut:
    travellers = row["traveller_list"]
    if isinstance(travellers, str):
        travellers = json.loads(travellers)
    held = row["status"] == states.HELD
    shown = states.shown_status(row["status"], row["hold_expires_at"], now)
    deadline = states.cancel_deadline(shown, row["hold_expires_at"], row["departure"], row["time_zone"])
    return BookingOut(
        id=row["id"],
        reference=row["reference"],
        status=shown,
        tour_id=row["tour"],
        tour_title=pick(row, "title"),
        mode=row["mode"],
        base_id=row["base"],
        base_name=pick({"name_zh": row["base_name_zh"], "name_en": row["base_name_en"]}, "name"),
        arrival=row["arrival"],
        departure=row["departure"],
        nights=row["nights"],
        party_size=row["party_size"],
        total_fen=row["total_fen"],
        refund_fen=row["refund_fen"],
        hold_expires_at=row["hold_expires_at"] if held else None,
        hold_extensions_left=max(settings.hold_max_extensions - row["hold_extensions"], 0) if held else 0,
        travellers=[BookingTravellerOut(**traveller) for traveller in travellers],
        booked_by_account_id=row["booked_by"],
        on_behalf=row["booked_by"] != row["account"],
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        cancelled_at=row["cancelled_at"],
        refund_if_cancelled_now_fen=refund_if_cancelled(row, now) if row["status"] in states.CANCELLABLE else None,
        waitlist_entry_id=row["waitlist_entry_id"],
        time_zone=row["time_zone"],
        can_cancel=deadline is not None and now < deadline,
        cancel_deadline=deadline,
    )


async def fetch_booking(
    conn: asyncpg.Connection,
    principal: Principal,
    booking_id: int,
    scope: Scope = policy.bookings_visible,
    *,
    lock: bool = False,
) -> Any:
    """The booking if ``scope`` lets the principal see it, else NotFound; ``lock`` row-locks it."""
    args: list[Any] = [booking_id]
    condition = scope(principal, "b", args)
    suffix = " FOR UPDATE OF b" if lock else ""
    row = await conn.fetchrow(f"{BOOKING_SELECT} WHERE b.id = $1 AND {condition}{suffix}", *args)
    if row is None:
        raise NotFound(_l("There is no booking with this number in your account."))
    return row


async def get_booking(principal: Principal, booking_id: int, *, now: dt.datetime, settings: Settings) -> BookingOut:
    async with db.connection() as conn:
        return booking_out(await fetch_booking(conn, principal, booking_id), now, settings)


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
        rows = await conn.fetch(sql, *args)
    total = rows[0]["total_count"] if rows else 0
    return [booking_out(row, now, settings) for row in rows], total
