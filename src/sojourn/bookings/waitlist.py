"""Joining, reading and leaving the waiting list of a sold-out stay."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Any

import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bookings import admission, idempotency, taking, waitlist_offers
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.holds import base_of_tour_id
from sojourn.bookings.locking import lock_base
from sojourn.bookings.rows import WaitlistEntryRow
from sojourn.bookings.schemas import BookingIn, WaitlistOut
from sojourn.bookings.stays import check_tour_open, check_travellers, stay_for, today_at
from sojourn.config import Settings
from sojourn.db import rows
from sojourn.errors import Conflict, NotFound
from sojourn.i18n import lazy_gettext as _l

IDEMPOTENCY_SCOPE = "waitlist.create"

ENTRY_SELECT = """
SELECT w.*,
       CASE WHEN w.status = 'waiting' THEN (
           SELECT count(*) FROM waitlist_entry ahead
           WHERE ahead.base = w.base AND ahead.status = 'waiting'
             AND (ahead.created_at, ahead.id) <= (w.created_at, w.id))::int END AS position
FROM waitlist_entry w
"""

# One round trip under the base's lock: no twin entry for these travellers and dates, the entry,
# and its place (the rows ahead of it, as ENTRY_SELECT counts them: the new row is not in the
# statement's snapshot, hence + 1). No row back: the travellers were already waiting.
JOIN_SQL = """
WITH new AS (
    INSERT INTO waitlist_entry (tour, base, account, booked_by, traveller_ids, party_size, arrival, departure,
                                status, created_at, rooms)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, $10::jsonb
    WHERE NOT EXISTS (
        SELECT 1 FROM waitlist_entry twin
        WHERE twin.tour = $1 AND twin.status IN ('waiting', 'offered') AND twin.traveller_ids && $5::int[]
          AND twin.arrival < $8 AND twin.departure > $7)
    RETURNING *
)
SELECT new.*,
       (SELECT count(*) FROM waitlist_entry ahead
        WHERE ahead.base = new.base AND ahead.status = 'waiting'
          AND (ahead.created_at, ahead.id) < (new.created_at, new.id))::int + 1 AS position
FROM new
"""


def entry_out(record: Any) -> WaitlistOut:
    entry = rows.row(WaitlistEntryRow, record)
    return WaitlistOut(
        id=entry.id,
        status=entry.status,
        tour_id=entry.tour,
        arrival=entry.arrival,
        departure=entry.departure,
        party_size=entry.party_size,
        traveller_ids=list(entry.traveller_ids),
        position=entry.position,
        offered_booking_id=entry.offered_booking,
        created_at=entry.created_at,
    )


async def join_waitlist(
    principal: Principal,
    tour_id: int,
    request: BookingIn,
    *,
    settings: Settings,
    now: dt.datetime,
    idempotency_key: str | None = None,
) -> tuple[WaitlistOut, bool]:
    """Queue for a stay that is sold out now. If beds are free, say so: book them instead."""
    key = idempotency.check_key(idempotency_key)
    base_id = await base_of_tour_id(tour_id)
    async with admission.turn(base_id, wait_ms=settings.booking_queue_ms) as conn:

        async def attempt() -> WaitlistOut:
            with map_database_errors():
                return await _join(conn, principal, tour_id, request, base_id, settings, now)

        return await idempotency.run_once(
            conn,
            account_id=principal.account_id,
            scope=IDEMPOTENCY_SCOPE,
            key=key,
            request={"tour_id": tour_id, **msgspec.to_builtins(request)},
            result_type=WaitlistOut,
            operation=attempt,
            still_visible=lambda conn, entry: policy.waitlist_entry_visible(conn, principal, entry.id),
        )


async def _join(
    conn: asyncpg.Connection,
    principal: Principal,
    tour_id: int,
    request: BookingIn,
    base_id: int,
    settings: Settings,
    now: dt.datetime,
) -> WaitlistOut:
    await lock_base(conn, base_id, settings.lock_timeout_ms)
    tour = check_tour_open(
        await waitlist_offers.tour_after_releasing_expired(conn, tour_id, settings=settings, now=now)
    )
    stay = stay_for(tour, request.arrival, request.departure, today_at(tour.time_zone, now))
    people = await taking.lock_travellers(
        conn, request.traveller_ids, stay, now, partial(policy.travellers_visible, principal)
    )
    account_id, travellers = check_travellers(request.traveller_ids, people, stay.arrival)
    taking.check_nobody_away(people)
    party = taking.Party(account_id, travellers, {person.id: person.name for person in people})
    try:
        async with conn.transaction():  # a savepoint: counting must leave nothing behind
            lines = await taking.rooms_to_take(conn, tour, stay, party, request.rooms_wanted())
            await taking.check_room(conn, tour, stay, party, lines)
    except Conflict as full:
        if full.code not in ("sold_out", "seats_short", "quota_short"):
            raise
    else:
        raise Conflict(_l("Beds are free for these dates. You can book them now."), code="beds_available")
    entry = await conn.fetchrow(
        JOIN_SQL,
        tour_id,
        base_id,
        account_id,
        principal.account_id,
        [t[0] for t in travellers],
        party.size,
        stay.arrival,
        stay.departure,
        now,
        json.dumps([{"room_type_id": t, "count": n} for t, n in request.rooms_wanted() or []]),
    )
    if entry is None:
        raise Conflict(_l("These travellers are already on the waiting list for these dates."), code="already_waiting")
    return entry_out(entry)


async def list_entries(principal: Principal, limit: int = 50, offset: int = 0) -> tuple[list[WaitlistOut], int]:
    args: list[Any] = []
    condition = policy.waitlist_visible(principal, "w", args)
    async with db.connection() as conn:
        records = await conn.fetch(
            f"{ENTRY_SELECT.replace('SELECT w.*', 'SELECT count(*) OVER () AS total_count, w.*', 1)} "
            f"WHERE {condition} ORDER BY w.created_at DESC LIMIT {int(limit)} OFFSET {int(offset)}",
            *args,
        )
    return [entry_out(record) for record in records], (records[0]["total_count"] if records else 0)


async def withdraw_entry(principal: Principal, entry_id: int) -> WaitlistOut:
    args: list[Any] = [entry_id]
    condition = policy.waitlist_changeable(principal, "w", args)
    async with db.connection() as conn:
        row = await conn.fetchrow(
            f"UPDATE waitlist_entry w SET status = 'withdrawn' WHERE w.id = $1 AND {condition} "
            "AND w.status = 'waiting' RETURNING w.id",
            *args,
        )
        if row is None:
            exists = await conn.fetchval(
                f"SELECT w.status FROM waitlist_entry w WHERE w.id = $1 AND {condition}", *args
            )
            if exists is None:
                raise NotFound(_l("There is no waiting-list entry with this number in your account."))
            raise Conflict(_l("This entry is no longer waiting."), code="not_waiting")
        return entry_out(await conn.fetchrow(f"{ENTRY_SELECT} WHERE w.id = $1", entry_id))
