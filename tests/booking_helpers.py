"""Shared set-up for booking tests: a pinned clock, a world, signed-in bookers, the invariant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sojourn import db
from tests import factories

RECONCILIATION_SQL = """
SELECT c.base, c.night, c.beds, c.taken,
       coalesce((SELECT sum(b.party_size) FROM booking b
                 WHERE b.base = c.base AND b.status IN ('held','confirmed','checked_in','checked_out','no_show')
                   AND b.arrival <= c.night AND b.departure > c.night), 0) AS booked
FROM capacity_night c
"""


async def calendar_mismatches() -> list[dict]:
    """Nights where ``taken`` differs from the bookings that hold beds, or exceeds beds."""
    async with db.connection() as conn:
        rows = await conn.fetch(RECONCILIATION_SQL)
        seats = await conn.fetch(
            "SELECT t.id, t.seats, t.seats_taken, coalesce((SELECT sum(b.party_size) FROM booking b WHERE b.tour = t.id"
            " AND b.status IN ('held','confirmed','checked_in','checked_out','no_show')), 0) AS booked"
            " FROM tour t WHERE t.seats IS NOT NULL"
        )
    bad = [dict(r) for r in rows if r["taken"] != r["booked"] or r["taken"] > r["beds"]]
    bad += [dict(r) for r in seats if r["seats_taken"] != r["booked"] or r["seats_taken"] > r["seats"]]
    return bad


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
