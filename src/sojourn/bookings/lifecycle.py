"""A booking after its hold: more time, confirmation, cancellation with refund, undoing it.

Changes that give beds back or take them again hold the base's lock; confirming
and extending only lock the booking row, which is enough to keep them from
crossing the expiry of the same hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import calendar, live, rooms, states, taking, waitlist_offers
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.locking import lock_base
from sojourn.bookings.queries import (
    BOOKING_SELECT,
    UNDO_WINDOW,
    booking_with_money,
    fetch_booking,
    refund_of_paid,
    refund_percent_if_cancelled,
)
from sojourn.bookings.rows import BookingRow, TourToBook
from sojourn.bookings.schemas import BookingOut
from sojourn.bookings.stays import Stay
from sojourn.config import Settings
from sojourn.db import rows
from sojourn.errors import Conflict, DomainError
from sojourn.formatting import desk_number
from sojourn.i18n import lazy_gettext as _l
from sojourn.notifications import outbox
from sojourn.payments import instalments, refunds, repair
from sojourn.payments.providers import registry as payment_registry
from sojourn.tours.pricing import refund_fen

CONFIRM_SQL = f"UPDATE booking SET status = '{states.CONFIRMED}', confirmed_at = $2 WHERE id = $1"
CANCEL_SQL = f"""
UPDATE booking SET status = '{states.CANCELLED}', refund_fen = $2, cancelled_at = $3, cancelled_by = $4, cancel_reason = $5
WHERE id = $1
"""
UNDO_CANCEL_SQL = f"""
UPDATE booking SET status = '{states.CONFIRMED}', refund_fen = NULL, cancelled_at = NULL, cancelled_by = NULL,
                   cancel_reason = ''
WHERE id = $1
"""


def _expired(row: BookingRow, now: dt.datetime) -> bool:
    return states.has_run_out(row.status, row.hold_expires_at, now)


def _hold_expired() -> Conflict:
    return Conflict(
        _l("Your hold has run out and the beds were released. Please start the booking again."),
        code="hold_expired",
    )


async def _locked_row(conn: asyncpg.Connection, principal: Principal, booking_id: int) -> BookingRow:
    """The booking, row-locked, if the caller may change it (404 otherwise)."""
    return await fetch_booking(conn, principal, booking_id, policy.bookings_changeable, lock=True)


async def extend_hold(principal: Principal, booking_id: int, *, settings: Settings, now: dt.datetime) -> BookingOut:
    """Give the booker more time (WCAG 2.2.1), a bounded number of times."""
    async with db.connection() as conn, conn.transaction():
        with map_database_errors():
            row = await _locked_row(conn, principal, booking_id)
            if _expired(row, now):
                raise _hold_expired()
            if row.status != states.HELD:
                raise Conflict(_l("Only a booking that is still on hold can get more time."), code="not_held")
            if row.hold_extensions >= settings.hold_max_extensions:
                raise Conflict(
                    _l("The time cannot be extended again. Please confirm now, or call 96111 for help."),
                    code="no_more_extensions",
                )
            assert row.hold_expires_at is not None  # a CHECK: every hold has an expiry
            new_expiry = max(row.hold_expires_at, now) + dt.timedelta(minutes=settings.hold_extension_minutes)
            await conn.execute(
                "UPDATE booking SET hold_expires_at = $2, hold_extensions = hold_extensions + 1 WHERE id = $1",
                booking_id,
                new_expiry,
            )
            return await booking_with_money(conn, await fetch_booking(conn, principal, booking_id), now, settings)


async def confirm_booking(principal: Principal, booking_id: int, *, settings: Settings, now: dt.datetime) -> BookingOut:
    """Confirm a hold that owes nothing first. Where money is taken online (a provider is configured),
    paying the first amount due is what confirms (``confirm_paid_booking``): until then 409 payment_required."""
    async with db.connection() as conn, conn.transaction():
        with map_database_errors():
            row = await _locked_row(conn, principal, booking_id)
            if row.status == states.CONFIRMED:
                return await booking_with_money(conn, row, now, settings)  # confirming twice is harmless
            if _expired(row, now):
                raise _hold_expired()
            if row.status != states.HELD:
                raise Conflict(_l("This booking cannot be confirmed in its current state."), code="not_held")
            if payment_registry.configured(settings) and await instalments.first_payment_due(conn, booking_id):
                raise Conflict(
                    _l("Please pay first: your booking is confirmed as soon as the first payment arrives."),
                    code="payment_required",
                )
            await _confirm_locked(conn, row, now)
            return await booking_with_money(conn, await fetch_booking(conn, principal, booking_id), now, settings)


async def _confirm_locked(conn: asyncpg.Connection, row: BookingRow, now: dt.datetime) -> None:
    """Confirm ``row`` (locked): status, its waiting-list offer taken up, the senior told."""
    await conn.execute(CONFIRM_SQL, row.id, now)
    await conn.execute(
        "UPDATE waitlist_entry SET status = 'booked' WHERE offered_booking = $1 AND status IN ('offered', 'lapsed')",
        row.id,
    )
    await outbox.enqueue(
        conn,
        "booking_confirmed",
        row.account,
        {
            "booking_id": row.id,
            "reference": row.reference,
            "arrival": row.arrival.isoformat(),
            # Booked by the hotline: the senior is told so, with the desk (never the agent's name).
            "hotline_desk": desk_number(row.booked_by) if row.booked_by != row.account else None,
        },
        dedupe_key=f"booking_confirmed:{row.id}:{now.isoformat()}",
        deliver_after=now,
    )


async def confirm_paid_booking(
    conn: asyncpg.Connection, booking_id: int, *, now: dt.datetime, lock_timeout_ms: int
) -> bool:
    """The booking's first amount due was paid (inside the transaction recording the money). Under the
    base's lock: a hold is confirmed, even one past its time (a hold with a payment in flight keeps its
    beds); a hold already released takes its beds again if they are still free. True: the booking keeps
    the money; False: the beds are gone (or the booking was cancelled), and the caller refunds it all."""
    base_id = await conn.fetchval("SELECT base FROM booking WHERE id = $1", booking_id)
    if base_id is None:
        return False
    await lock_base(conn, base_id, lock_timeout_ms)  # re-entrant: the caller may hold it already
    row = rows.row(BookingRow, await conn.fetchrow(f"{BOOKING_SELECT} WHERE b.id = $1 FOR UPDATE OF b", booking_id))
    if row.status in states.SOLD:
        return True
    if row.status == states.HELD:
        await _confirm_locked(conn, row, now)
        return True
    if row.status != states.EXPIRED:
        return False
    await calendar.release_expired_holds(conn, base_id, now)
    party = await _party_of(conn, row)
    tour = rows.row(TourToBook, await conn.fetchrow(taking.TOUR_SQL, row.tour))
    stay = Stay(row.arrival, row.departure)

    def own(alias: str, args: list[Any]) -> str:
        args.append(row.account)
        return f"{alias}.account = ${len(args)}"

    try:
        async with conn.transaction():  # a savepoint: beds that are gone leave no trace
            # Meanwhile a traveller may have booked these nights elsewhere, or the beds gone to someone else.
            taking.check_nobody_away(
                await taking.lock_travellers(conn, [t[0] for t in party.travellers], stay, now, own)
            )
            await taking.check_room(conn, tour, stay, party, await rooms.booking_rooms(conn, row.id))
            await calendar.adjust_taken(conn, row, party.size)
            await _confirm_locked(conn, row, now)
    except DomainError:
        return False
    return True


async def _party_of(conn: asyncpg.Connection, row: BookingRow) -> taking.Party:
    travellers = await conn.fetch(
        "SELECT traveller, home_province_code, age_at_arrival FROM booking_traveller WHERE booking = $1 ORDER BY traveller",
        row.id,
    )
    return taking.Party(
        row.account, [(t["traveller"], t["home_province_code"], t["age_at_arrival"]) for t in travellers], {}
    )


async def cancel_booking(
    principal: Principal, booking_id: int, *, reason: str, settings: Settings, now: dt.datetime, ip: str = ""
) -> BookingOut:
    """The booker cancels: beds back at once, money paid refunded per the tour's policy, waiting list served."""
    async with db.connection() as conn:
        base_id = (await fetch_booking(conn, principal, booking_id, policy.bookings_changeable)).base
        async with conn.transaction():
            with map_database_errors():
                await lock_base(conn, base_id, settings.lock_timeout_ms)
                row = await _locked_row(conn, principal, booking_id)
                percent = refund_percent_if_cancelled(row, now)
                await _cancel_locked(conn, row, percent, principal, reason, settings, now, ip)
                cancelled = await booking_with_money(
                    conn, await fetch_booking(conn, principal, booking_id), now, settings
                )
    await live.capacity_changed(base_id)
    # A payment still open (her phone showing the code) is closed; one paid meanwhile goes back in full.
    await repair.close_open_payments(booking_id, settings=settings, now=now)
    return cancelled


async def cancel_with_full_refund(
    conn: asyncpg.Connection,
    booking_id: int,
    *,
    actor: Principal,
    reason: str,
    settings: Settings,
    now: dt.datetime,
    ip: str = "",
) -> int:
    """Cancel on the provider's side (a declined health review, a cancelled departure): everything
    is refunded. The caller has already checked that ``actor`` may do this, and runs inside a
    transaction; returns the refund in fen. Bookings that are already over or cancelled are left alone.
    """
    base_id = await conn.fetchval("SELECT base FROM booking WHERE id = $1", booking_id)
    await lock_base(conn, base_id, settings.lock_timeout_ms)  # re-entrant within one transaction
    row = rows.row_or_none(
        BookingRow, await conn.fetchrow(f"{BOOKING_SELECT} WHERE b.id = $1 FOR UPDATE OF b", booking_id)
    )
    if row is None or row.status not in states.CANCELLABLE or _expired(row, now):
        return 0
    # Everything paid goes back (its open payments are closed by the repair job once they run out,
    # and money paid on them after this goes back in full: the booking no longer keeps money).
    return await _cancel_locked(conn, row, 100, actor, reason, settings, now, ip)


async def _cancel_locked(
    conn: asyncpg.Connection,
    row: BookingRow,
    refund_percent: int,
    actor: Principal | None,
    reason: str,
    settings: Settings,
    now: dt.datetime,
    ip: str,
) -> int:
    """Cancel ``row`` (locked, base lock held): status, beds, offer, notification, audit, waiting list,
    and the refund of money paid (``refund_percent`` of the price, at most what was paid above what the
    base keeps), sent once the undo window is over. Returns the refund in fen."""
    if _expired(row, now):
        raise _hold_expired()
    if row.status not in states.CANCELLABLE:
        raise Conflict(_l("This booking cannot be cancelled in its current state."), code="not_cancellable")
    if now >= states.stay_over_at(row.departure, row.time_zone):
        raise Conflict(_l("This stay has already ended."), code="stay_ended")
    booking_id = row.id
    money = (await instalments.money_for_bookings(conn, [booking_id], now=now))[booking_id]
    online = bool(payment_registry.configured(settings))
    refund = refund_fen(row.total_fen, refund_percent if row.status == states.CONFIRMED else 0)
    if online:  # only money paid goes back; without a provider it was paid at the base (as before phase B)
        refund = refund_of_paid(
            total_fen=row.total_fen, refund_of_total_fen=refund, paid_fen=money.paid_fen - money.refunded_fen
        )
    if refund and online:
        await refunds.schedule_refund(
            conn, booking_id, refund, reason="cancelled", not_before=now + UNDO_WINDOW, now=now
        )
    await conn.execute(
        CANCEL_SQL,
        booking_id,
        refund,
        now,
        actor.account_id if actor else None,  # None: the rules did it (an unpaid balance)
        reason.strip()[:500],
    )
    await calendar.adjust_taken(conn, row, -row.party_size)
    await conn.execute(
        "UPDATE waitlist_entry SET status = 'withdrawn' WHERE offered_booking = $1 AND status = 'offered'",
        booking_id,
    )
    await outbox.enqueue(
        conn,
        "booking_cancelled",
        row.account,
        {"booking_id": booking_id, "reference": row.reference, "refund_fen": refund, "reason": reason[:500]},
        dedupe_key=f"booking_cancelled:{booking_id}:{now.isoformat()}",
        deliver_after=now,
    )
    await audit.record(
        "booking_cancelled",
        actor=actor,
        object_type="booking",
        object_id=booking_id,
        on_behalf_of=row.account if actor is None or row.account != actor.account_id else None,
        ip=ip,
        detail={"refund_fen": refund, "previous_status": row.status},
        conn=conn,
    )
    await waitlist_offers.offer_freed_beds(conn, row.base, settings=settings, now=now)
    return refund


async def cancel_for_unpaid_balance(
    conn: asyncpg.Connection, booking_id: int, *, reason: str, settings: Settings, now: dt.datetime
) -> bool:
    """The balance was not paid by its date (plus the grace the caller allows): the booking is cancelled
    under its own terms, as if she had cancelled today (money paid above what the base keeps goes back).
    Inside the caller's transaction; False if it was paid or changed meanwhile."""
    base_id = await conn.fetchval("SELECT base FROM booking WHERE id = $1", booking_id)
    await lock_base(conn, base_id, settings.lock_timeout_ms)
    row = rows.row(BookingRow, await conn.fetchrow(f"{BOOKING_SELECT} WHERE b.id = $1 FOR UPDATE OF b", booking_id))
    unpaid = await conn.fetchval(
        "SELECT id FROM payment_instalment WHERE booking = $1 AND kind = 'balance' AND status = 'due' FOR UPDATE",
        booking_id,
    )
    if row.status != states.CONFIRMED or unpaid is None:
        return False
    await _cancel_locked(conn, row, refund_percent_if_cancelled(row, now), None, reason, settings, now, "")
    await conn.execute("UPDATE payment_instalment SET status = 'waived' WHERE id = $1", unpaid)
    return True


async def undo_cancel(principal: Principal, booking_id: int, *, settings: Settings, now: dt.datetime) -> BookingOut:
    """Within ten minutes of cancelling a confirmed booking, take it back if the beds are still free."""
    async with db.connection() as conn:
        base_id = (await fetch_booking(conn, principal, booking_id, policy.bookings_changeable)).base
        async with conn.transaction():
            with map_database_errors():
                await lock_base(conn, base_id, settings.lock_timeout_ms)
                row = await _locked_row(conn, principal, booking_id)
                if (
                    row.status != states.CANCELLED
                    or row.confirmed_at is None
                    or row.cancelled_at is None
                    or now - row.cancelled_at > UNDO_WINDOW
                ):
                    raise Conflict(
                        _l("A cancellation can be undone only within 10 minutes. Please book again."),
                        code="undo_window_passed",
                    )
                await calendar.release_expired_holds(conn, base_id, now)
                tour = rows.row(TourToBook, await conn.fetchrow(taking.TOUR_SQL, row.tour))
                stay = Stay(row.arrival, row.departure)
                party = await _party_of(conn, row)
                await taking.check_room(conn, tour, stay, party, await rooms.booking_rooms(conn, row.id))
                await calendar.adjust_taken(conn, row, party.size)
                await conn.execute(UNDO_CANCEL_SQL, booking_id)
                await outbox.enqueue(
                    conn,
                    "booking_cancel_undone",
                    row.account,
                    {"booking_id": booking_id, "reference": row.reference, "arrival": row.arrival.isoformat()},
                    dedupe_key=f"booking_cancel_undone:{booking_id}:{now.isoformat()}",
                    deliver_after=now,
                )
                await refunds.cancel_scheduled_refunds(conn, booking_id)  # nothing goes out for an undone one
                await audit.record(
                    "booking_cancel_undone", actor=principal, object_type="booking", object_id=booking_id, conn=conn
                )
                restored = await booking_with_money(
                    conn, await fetch_booking(conn, principal, booking_id), now, settings
                )
    await live.capacity_changed(base_id)
    return restored
