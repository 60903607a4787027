"""Serving the waiting list when beds free up (cancellation, expiry, more capacity).

Under the base's lock, waiting entries are visited first come, first served; the
earliest entry that now fits gets an offer: a hold of its own, with a longer
expiry, and a notification. An offer that lapses is marked so when its hold
expires, and the beds it gave back go to the next entry in line.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import asyncpg

from sojourn.bookings import arrangement, calendar, taking
from sojourn.bookings.rows import TourToBook, WaitlistEntryRow
from sojourn.bookings.stays import Stay, today_at
from sojourn.config import Settings
from sojourn.db import rows
from sojourn.errors import DomainError
from sojourn.notifications import outbox
from sojourn.payments import instalments
from sojourn.travellers.identity import age_on

log = logging.getLogger(__name__)

# Bound the work one freed bed can cause; the periodic job picks up the rest.
MAX_ENTRIES_PER_PASS = 50

WAITING_SQL = """
SELECT w.* FROM waitlist_entry w
WHERE w.base = $1 AND w.status = 'waiting'
ORDER BY w.created_at, w.id
LIMIT $2
"""


def _owned_by(account_id: int) -> taking.TravellerScope:
    def scope(alias: str, args: list[Any]) -> str:
        args.append(account_id)
        return f"{alias}.account = ${len(args)}"

    return scope


async def tour_after_releasing_expired(
    conn: asyncpg.Connection, tour_id: int, *, settings: Settings, now: dt.datetime
) -> TourToBook | None:
    """Under the base's lock: the tour, after giving back (and re-offering) expired holds."""
    tour = await taking.tour_to_book(conn, tour_id, now)
    if tour is None or not tour.has_expired_holds:
        return tour
    if await calendar.release_expired_holds(conn, tour.base, now):
        await offer_freed_beds(conn, tour.base, settings=settings, now=now)
    return rows.row_or_none(TourToBook, await conn.fetchrow(taking.TOUR_SQL, tour_id))


async def offer_freed_beds(conn: asyncpg.Connection, base_id: int, *, settings: Settings, now: dt.datetime) -> int:
    """Make offers to every waiting entry at this base that now fits; return how many."""
    entries = rows.rows(WaitlistEntryRow, await conn.fetch(WAITING_SQL, base_id, MAX_ENTRIES_PER_PASS))
    offers = 0
    for entry in entries:
        tour = rows.row_or_none(TourToBook, await conn.fetchrow(taking.TOUR_SQL, entry.tour))
        if tour is None or tour.status != "published" or tour.base_status != "admitted":
            await _close(conn, entry.id, "withdrawn")
            continue
        today = today_at(tour.time_zone, now)
        if entry.arrival <= today:
            await _close(conn, entry.id, "lapsed")
            continue
        stay = Stay(entry.arrival, entry.departure)
        try:
            # A savepoint per entry: an entry that does not fit leaves no trace.
            async with conn.transaction():
                if await _offer(conn, entry, tour, stay, settings, now):
                    offers += 1
        except DomainError:
            continue
    return offers


async def _offer(
    conn: asyncpg.Connection,
    entry: WaitlistEntryRow,
    tour: TourToBook,
    stay: Stay,
    settings: Settings,
    now: dt.datetime,
) -> bool:
    travellers = await taking.lock_travellers(conn, entry.traveller_ids, stay, now, _owned_by(entry.account))
    if len(travellers) != len(entry.traveller_ids) or any(person.already_away for person in travellers):
        return False
    party = taking.Party(
        entry.account,
        [(person.id, person.home_province_code, age_on(person.birth_date, stay.arrival)) for person in travellers],
        {person.id: person.name for person in travellers},
    )
    # The rooms of the type asked for (none asked: the cheapest arrangement left, as for a new hold).
    lines = await taking.rooms_to_take(conn, tour, stay, party, _rooms_asked(entry))
    origin_member = await taking.check_room(conn, tour, stay, party, lines)
    hold_expires_at = now + dt.timedelta(hours=settings.offer_hours)
    taken = await taking.take(
        conn,
        tour=tour,
        stay=stay,
        party=party,
        booked_by=entry.booked_by,
        origin_member=origin_member,
        lines=lines,
        total_fen=arrangement.price_fen(tour, lines, party.size, stay.nights),
        hold_expires_at=hold_expires_at,
        now=now,
    )
    # Its schedule too (a cap breach skips this entry: the savepoint takes the offer back).
    await instalments.create_schedule(conn, taken.booking_id, now=now)
    await conn.execute(
        "UPDATE waitlist_entry SET status = 'offered', offered_booking = $2, offered_at = $3 WHERE id = $1",
        entry.id,
        taken.booking_id,
        now,
    )
    await outbox.enqueue(
        conn,
        "offer_made",
        entry.account,
        {
            "booking_id": taken.booking_id,
            "reference": taken.reference,
            "tour_id": tour.id,
            "title_zh": tour.title_zh,
            "title_en": tour.title_en,
            "arrival": stay.arrival.isoformat(),
            "departure": stay.departure.isoformat(),
            "expires_at": hold_expires_at.isoformat(),
        },
        dedupe_key=f"offer_made:{taken.booking_id}",
        deliver_after=now,
    )
    return True


def _rooms_asked(entry: WaitlistEntryRow) -> list[tuple[int, int]] | None:
    asked = json.loads(entry.rooms) if isinstance(entry.rooms, str) else entry.rooms
    return [(room["room_type_id"], room["count"]) for room in asked] if asked else None


async def _close(conn: asyncpg.Connection, entry_id: int, status: str) -> None:
    await conn.execute("UPDATE waitlist_entry SET status = $2 WHERE id = $1", entry_id, status)
