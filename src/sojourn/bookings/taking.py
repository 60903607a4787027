"""Counting and taking rooms (and so beds), seats and quota for one stay: shared by new holds, by
waiting-list offers and by undoing a cancellation. The caller holds the base's lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from sojourn.bookings import arrangement, calendar, rooms, states
from sojourn.bookings.arrangement import RoomLine
from sojourn.bookings.errors import rooms_sold_out, sold_out
from sojourn.bookings.rows import TourToBook, TravellerToBook
from sojourn.bookings.stays import Stay
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput
from sojourn.i18n import lazy_gettext as _l

TOUR_SQL = """
SELECT t.*, b.status AS base_status, b.time_zone, b.name_zh AS base_name_zh, b.name_en AS base_name_en
FROM tour t JOIN base b ON b.id = t.base WHERE t.id = $1
"""

# The tour, and whether its base has holds that ran out but still count (then they are
# released before anything is decided; usually there are none, and the release is skipped).
TOUR_AND_EXPIRED_SQL = f"""
SELECT t.*, b.status AS base_status, b.time_zone, b.name_zh AS base_name_zh, b.name_en AS base_name_en,
       EXISTS (SELECT 1 FROM booking x WHERE x.base = t.base AND {states.releasable_hold_sql("x", "$2")}) AS has_expired_holds
FROM tour t JOIN base b ON b.id = t.base WHERE t.id = $1
"""

# Travellers are locked (sorted, after the base lock) so that one person cannot be put on
# two overlapping stays by two requests racing at two different bases.
TRAVELLERS_SQL = f"""
SELECT t.id, t.account, t.name, t.birth_date, t.home_province_code,
       EXISTS (SELECT 1 FROM booking b
               WHERE b.id = ANY (ARRAY(SELECT bt.booking FROM booking_traveller bt WHERE bt.traveller = t.id))
                 AND {states.active_sql("b", "$2")}
                 AND b.arrival < $4 AND b.departure > $3) AS already_away
FROM traveller t
WHERE t.id = ANY($1::int[]) AND {{scope}}
ORDER BY t.id
FOR UPDATE OF t
"""

QUOTA_SQL = """
SELECT q.member, q.seats - q.taken AS seats_left
FROM tour_quota q JOIN member m ON m.id = q.member
WHERE q.tour = $1 AND m.code = $2
"""

# Rooms of each type on every night (capacity_night's beds follow, by trigger, in this statement).
TAKE_SQL = f"""
WITH wanted AS (
    SELECT * FROM unnest($15::int[], $16::int[]) AS w(room_type, rooms)
), calendar AS (
    UPDATE room_night n SET taken_rooms = n.taken_rooms + w.rooms
    FROM wanted w
    WHERE n.room_type = w.room_type AND n.night >= $7 AND n.night < $8
    RETURNING 1
), seats AS (
    UPDATE tour SET seats_taken = seats_taken + $6 WHERE id = $1 AND seats IS NOT NULL RETURNING 1
), quota AS (
    UPDATE tour_quota SET taken = taken + $6 WHERE tour = $1 AND member = $5 RETURNING 1
), new_booking AS (
    INSERT INTO booking (id, reference, tour, base, account, booked_by, origin_member, status, arrival,
                         departure, nights, party_size, total_fen, hold_expires_at, created_at)
    SELECT n.id, sojourn_booking_reference(n.id), $1, $2, $3, $4, $5, '{states.HELD}', $7, $8, $8 - $7, $6, $9, $10, $11
    FROM (SELECT nextval('booking_id_seq') AS id) n
    RETURNING id, reference, created_at
), travellers AS (
    INSERT INTO booking_traveller (booking, traveller, home_province_code, age_at_arrival)
    SELECT new_booking.id, x.traveller, x.province, x.age
    FROM new_booking, unnest($12::int[], $13::varchar[], $14::int[]) AS x(traveller, province, age)
    RETURNING 1
), booked_rooms AS (
    INSERT INTO booking_room (booking, room_type, rooms)
    SELECT new_booking.id, w.room_type, w.rooms FROM new_booking, wanted w
    RETURNING 1
)
SELECT id, reference, created_at, (SELECT count(*) FROM calendar)::int AS nights_taken FROM new_booking
"""


@dataclass(frozen=True)
class Party:
    """Who travels: the owning account and, per traveller, (id, home province, age at arrival)."""

    account_id: int
    travellers: list[tuple[int, str, int]]
    names: dict[int, str]

    @property
    def size(self) -> int:
        return len(self.travellers)


@dataclass(frozen=True)
class Taken:
    booking_id: int
    reference: str
    created_at: dt.datetime


TravellerScope = Callable[[str, list[Any]], str]  # (alias, args) -> SQL condition, as in accounts.policy


async def tour_to_book(conn: asyncpg.Connection, tour_id: int, now: dt.datetime) -> TourToBook | None:
    """The tour, and whether its base has holds that ran out but still count."""
    return rows.row_or_none(TourToBook, await conn.fetchrow(TOUR_AND_EXPIRED_SQL, tour_id, now))


async def lock_travellers(
    conn: asyncpg.Connection, traveller_ids: Sequence[int], stay: Stay, now: dt.datetime, scope: TravellerScope
) -> list[TravellerToBook]:
    """Lock and read the travellers that ``scope`` lets this booking include."""
    args: list[Any] = [list(traveller_ids), now, stay.arrival, stay.departure]
    condition = scope("t", args)
    return rows.rows(TravellerToBook, await conn.fetch(TRAVELLERS_SQL.format(scope=condition), *args))


def check_nobody_away(travellers: Sequence[TravellerToBook]) -> None:
    away = [traveller.name for traveller in travellers if traveller.already_away]
    if away:
        raise Conflict(
            _l("%(names)s already has a stay on some of these nights.", names="、".join(away)),
            code="traveller_already_booked",
        )


async def rooms_to_take(
    conn: asyncpg.Connection, tour: TourToBook, stay: Stay, party: Party, wanted: Sequence[tuple[int, int]] | None
) -> list[RoomLine]:
    """The rooms this party takes (``arrangement.for_party``), counted under the lock; sold out
    when no arrangement of the rooms left fits."""
    types = await rooms.rooms_left(conn, tour.base, stay.arrival, stay.departure)
    lines = arrangement.for_party(tour, types, wanted, party.size, stay.nights)
    if lines is None:
        raise sold_out(await calendar.short_nights(conn, tour.base, stay.arrival, stay.departure, party.size))
    return lines


async def check_room(
    conn: asyncpg.Connection, tour: TourToBook, stay: Stay, party: Party, lines: Sequence[RoomLine]
) -> int | None:
    """Seats, member quota and the rooms on every night; returns the origin member for exchanges."""
    seats_left = None if tour.seats is None else tour.seats - tour.seats_taken
    if seats_left is not None and seats_left < party.size:
        raise Conflict(
            _l("Only %(n)s seats are left on this tour.", n=max(seats_left, 0)),
            code="seats_short",
            seats_left=max(seats_left, 0),
        )
    origin_member = await _exchange_member(conn, tour, party) if tour.mode == "interactive" else None
    # Lines counted just now (``rooms_to_take``) know what is left; others (a booking's own rooms,
    # taken again) are counted here.
    if any(line.count > line.room.rooms_left for line in lines):
        short = await rooms.short_nights(conn, tour.base, stay.arrival, stay.departure, lines)
        if short:
            raise rooms_sold_out(short)
    return origin_member


async def _exchange_member(conn: asyncpg.Connection, tour: TourToBook, party: Party) -> int:
    provinces = {province for _, province, _ in party.travellers}
    if len(provinces) != 1:
        message = _l("On an exchange trip, travellers from different provinces must be booked separately.")
        raise InvalidInput(message, field_errors={"traveller_ids": message})
    quota = await conn.fetchrow(QUOTA_SQL, tour.id, provinces.pop())
    if quota is None:
        raise Conflict(
            _l("This exchange trip is only for travellers from its two member provinces."),
            code="not_in_exchange",
        )
    if quota["seats_left"] < party.size:
        raise Conflict(
            _l("Only %(n)s seats are left for travellers from your province.", n=max(quota["seats_left"], 0)),
            code="quota_short",
            seats_left=max(quota["seats_left"], 0),
        )
    return quota["member"]


async def take(
    conn: asyncpg.Connection,
    *,
    tour: TourToBook,
    stay: Stay,
    party: Party,
    booked_by: int,
    origin_member: int | None,
    lines: Sequence[RoomLine],
    total_fen: int,
    hold_expires_at: dt.datetime,
    now: dt.datetime,
) -> Taken:
    row = await conn.fetchrow(
        TAKE_SQL,
        tour.id,
        tour.base,
        party.account_id,
        booked_by,
        origin_member,
        party.size,
        stay.arrival,
        stay.departure,
        total_fen,
        hold_expires_at,
        now,
        [t[0] for t in party.travellers],
        [t[1] for t in party.travellers],
        [t[2] for t in party.travellers],
        [line.room.id for line in lines],
        [line.count for line in lines],
    )
    assert row is not None  # the INSERT ... RETURNING always answers one row
    if row["nights_taken"] != stay.nights * len(lines):  # impossible under the lock: a night row went missing
        raise sold_out([])
    return Taken(booking_id=row["id"], reference=row["reference"], created_at=row["created_at"])
