""" "Sold out", answered without waiting in the base's line: a read that changes nothing.

At a release hour most requests arrive after the last bed went. Each of them waited in line
(bookings.admission) and then held the base's lock for several round trips only to hear "sold
out", so the people behind them waited for nothing. This read answers them first, outside the
line and the lock, and only when its answer is the one the locked path would give:

- the tour is open and the dates fit it (anything else takes the normal path, and its error);
- every traveller is one the caller may book for (otherwise the normal path's error);
- the base has no hold that ran out but still counts (the locked path gives those back first and
  could then find room), and the tour is not an exchange trip (its quota is counted per member);
- the base sells beds only (one room type) and no rooms were asked for: where rooms are sold, the
  locked path names the room type that is short;
- the calendar, read in one statement, lacks beds on some night of the stay.

A calendar read in one statement is a consistent snapshot of committed bookings, so "sold out"
was true at that instant; a bed freed a moment later goes to the waiting list, which is what the
answer invites the senior to join. Requests with an ``Idempotency-Key`` skip this read: a replay of
their first answer must win over today's calendar.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bookings import calendar, taking
from sojourn.bookings.errors import sold_out
from sojourn.bookings.schemas import BookingIn
from sojourn.bookings.stays import check_tour_open, stay_for, today_at
from sojourn.errors import Conflict, DomainError


async def sold_out_now(
    conn: asyncpg.Connection, principal: Principal, request: BookingIn, now: dt.datetime
) -> Conflict | None:
    """The "sold out" answer for ``request`` when it is certain without the lock; else None."""
    try:
        tour = check_tour_open(await taking.tour_to_book(conn, request.tour_id, now))
        stay = stay_for(tour, request.arrival, request.departure, today_at(tour.time_zone, now))
    except DomainError:
        return None
    if tour.has_expired_holds or tour.mode == "interactive" or request.rooms_wanted():
        return None
    if await conn.fetchval("SELECT count(*) FROM room_type WHERE base = $1", tour.base) != 1:
        return None
    wanted = set(request.traveller_ids)
    if len(wanted) != len(request.traveller_ids):
        return None
    if tour.seats is not None and tour.seats - tour.seats_taken < len(wanted):
        return None  # the locked path names the seats that are short
    args: list[object] = [list(wanted)]
    scope = policy.travellers_visible(principal, "t", args)
    mine = await conn.fetchval(f"SELECT count(*) FROM traveller t WHERE t.id = ANY($1::int[]) AND {scope}", *args)
    if mine != len(wanted):
        return None
    short = await calendar.short_nights(conn, tour.base, stay.arrival, stay.departure, len(wanted))
    return sold_out(short) if short else None
