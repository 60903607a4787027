"""Shared set-up for booking tests: a pinned clock, a world, signed-in bookers, the invariant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sojourn import db
from tests import factories

HOLDING = "('held','confirmed','checked_in','checked_out','no_show')"

# Beds: what the bookings' rooms hold (a bed-only base: one room of one bed per traveller).
RECONCILIATION_SQL = f"""
SELECT c.base, c.night, c.beds, c.taken,
       coalesce((SELECT sum(r.rooms * t.beds_per_room) FROM booking b
                 JOIN booking_room r ON r.booking = b.id JOIN room_type t ON t.id = r.room_type
                 WHERE b.base = c.base AND b.status IN {HOLDING}
                   AND b.arrival <= c.night AND b.departure > c.night), 0) AS booked,
       coalesce((SELECT sum(n.rooms * t.beds_per_room) FROM room_night n JOIN room_type t ON t.id = n.room_type
                 WHERE n.base = c.base AND n.night = c.night), 0) AS room_beds
FROM capacity_night c
"""

# Rooms of each type and night: taken equals the rooms of the bookings that hold them.
ROOM_RECONCILIATION_SQL = f"""
SELECT n.base, n.room_type, n.night, n.rooms, n.taken_rooms,
       coalesce((SELECT sum(r.rooms) FROM booking b JOIN booking_room r ON r.booking = b.id
                 WHERE r.room_type = n.room_type AND b.status IN {HOLDING}
                   AND b.arrival <= n.night AND b.departure > n.night), 0) AS booked
FROM room_night n
"""


async def room_mismatches() -> list[dict]:
    """Room nights whose taken rooms differ from the bookings that hold them, or exceed the rooms;
    and bookings whose rooms do not give every traveller a bed."""
    async with db.connection() as conn:
        rooms = await conn.fetch(ROOM_RECONCILIATION_SQL)
        beds = await conn.fetch(
            "SELECT b.id, b.party_size, coalesce(sum(r.rooms * t.beds_per_room), 0) AS beds,"
            " coalesce(sum(r.rooms), 0) AS rooms FROM booking b LEFT JOIN booking_room r ON r.booking = b.id"
            " LEFT JOIN room_type t ON t.id = r.room_type GROUP BY b.id"
        )
    bad = [dict(r) for r in rooms if r["taken_rooms"] != r["booked"] or r["taken_rooms"] > r["rooms"]]
    bad += [dict(r) for r in beds if r["beds"] < r["party_size"] or r["rooms"] > r["party_size"]]
    return bad


async def calendar_mismatches() -> list[dict]:
    """Nights where ``taken`` differs from the bookings that hold beds, or exceeds beds."""
    async with db.connection() as conn:
        rows = await conn.fetch(RECONCILIATION_SQL)
        seats = await conn.fetch(
            "SELECT t.id, t.seats, t.seats_taken, coalesce((SELECT sum(b.party_size) FROM booking b WHERE b.tour = t.id"
            " AND b.status IN ('held','confirmed','checked_in','checked_out','no_show')), 0) AS booked"
            " FROM tour t WHERE t.seats IS NOT NULL"
        )
    bad = [dict(r) for r in rows if r["taken"] != r["booked"] or r["taken"] > r["beds"] or r["beds"] != r["room_beds"]]
    bad += [dict(r) for r in seats if r["seats_taken"] != r["booked"] or r["seats_taken"] > r["seats"]]
    return bad + await room_mismatches()


@dataclass
class Booker:
    login: str
    headers: dict[str, str]
    traveller_ids: list[int] = field(default_factory=list)


async def booker(client, login: str, travellers: int = 1, province: str = "230000") -> Booker:
    await factories.account(login)
    headers = await factories.bearer(client, login)
    person = Booker(login, headers)
    for i in range(travellers):
        body = factories.traveller_body(name=f"旅客{login[-4:]}{i}", home_province_code=province)
        response = await client.post("/api/v1/travellers", json=body, headers=headers)
        assert response.status_code == 201, response.text
        person.traveller_ids.append(response.json()["id"])
    return person


def migratory_body(world, arrival_offset: int = 5, nights: int = 30, travellers: list[int] | None = None) -> dict:
    arrival = world.start + dt.timedelta(days=arrival_offset)
    return {
        "tour_id": world.tours["migratory"]["id"],
        "traveller_ids": travellers or [],
        "arrival": arrival.isoformat(),
        "departure": (arrival + dt.timedelta(days=nights)).isoformat(),
    }


async def confirm(client, booking_id: int, headers: dict[str, str]) -> dict:
    """Confirm a held booking as its booker does, and return the confirmed booking: paying the first
    amount due is what confirms (WeChat Pay through the payment sandbox, ``payment_helpers.pay_first_amount``).

    Every test that needs a confirmed booking confirms through this helper: the way to pay lives here."""
    from tests.payment_helpers import pay_first_amount

    booking = await pay_first_amount(client, booking_id, headers)
    assert booking["status"] == "confirmed", booking
    return booking
