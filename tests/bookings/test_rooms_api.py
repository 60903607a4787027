"""Booking rooms through the API: chosen rooms, the cheapest arrangement when none is chosen, sold out
per room type, bad choices refused with nothing changed, and rooms given back and offered again."""

import datetime as dt

import pytest

from sojourn import db
from tests import factories
from tests.booking_helpers import booker, calendar_mismatches, migratory_body

SINGLE, DOUBLE, TWIN = 30000, 40000, 45000  # fen per room and night


@pytest.fixture
async def rooms(world) -> dict[str, dict]:
    """Sanya sells rooms now: its beds are gone (0 a night), 4 singles, 1 double and 2 twins a night."""
    sanya = world.bases["sanya"]["id"]
    async with db.connection() as conn:
        await conn.execute("UPDATE room_night SET rooms = 0 WHERE base = $1", sanya)
    made = {}
    for order, (code, beds, count, price) in enumerate(
        [("single", 1, 4, SINGLE), ("double", 2, 1, DOUBLE), ("twin", 2, 2, TWIN)], start=1
    ):
        made[code] = await factories.room_type(
            sanya,
            code,
            name_zh={"single": "单人间", "double": "大床房", "twin": "双床房"}[code],
            name_en={"single": "Single", "double": "Double", "twin": "Twin"}[code],
            beds_per_room=beds,
            rooms=count,
            start=world.start,
            nights=120,
            price_fen=price,
            sort_order=order,
        )
    return made


def _body(world, people, nights=30, rooms=None) -> dict:
    body = migratory_body(world, nights=nights, travellers=people.traveller_ids)
    if rooms is not None:
        body["rooms"] = rooms
    return body


async def _taken(room_type_id: int, night: dt.date) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT taken_rooms FROM room_night WHERE room_type = $1 AND night = $2", room_type_id, night
        )


async def test_a_couple_books_a_double_room_priced_per_room(client, world, rooms):
    couple = await booker(client, "13800000001", travellers=2)
    response = await client.post(
        "/api/v1/bookings",
        json=_body(world, couple, rooms=[{"room_type_id": rooms["double"]["id"], "count": 1}]),
        headers=couple.headers,
    )
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["total_fen"] == DOUBLE * 30
    assert [(r["code"], r["count"], r["beds_per_room"]) for r in booking["rooms"]] == [("double", 1, 2)]
    again = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=couple.headers)).json()
    assert again["rooms"] == booking["rooms"]
    arrival = dt.date.fromisoformat(booking["arrival"])
    assert await _taken(rooms["double"]["id"], arrival) == 1
    async with db.connection() as conn:  # the base's bed figure follows: 4 + 2 + 4 beds, 2 taken
        beds, taken = await conn.fetchrow(
            "SELECT beds, taken FROM capacity_night WHERE base = $1 AND night = $2", world.bases["sanya"]["id"], arrival
        )
    assert (beds, taken) == (10, 2)
    assert await calendar_mismatches() == []


async def test_without_a_choice_the_cheapest_arrangement_that_fits_is_booked(client, world, rooms):
    couple = await booker(client, "13800000001", travellers=2)
    response = await client.post("/api/v1/bookings", json=_body(world, couple), headers=couple.headers)
    assert response.status_code == 201, response.text
    assert [(r["code"], r["count"]) for r in response.json()["rooms"]] == [("double", 1)]
    # The double is gone: three friends get the cheapest of what is left, a twin and a single.
    friends = await booker(client, "13800000002", travellers=3)
    response = await client.post("/api/v1/bookings", json=_body(world, friends), headers=friends.headers)
    assert response.status_code == 201, response.text
    assert [(r["code"], r["count"]) for r in response.json()["rooms"]] == [("single", 1), ("twin", 1)]
    assert response.json()["total_fen"] == (SINGLE + TWIN) * 30
    assert await calendar_mismatches() == []


async def test_a_sold_out_room_type_is_named_and_other_rooms_stay_bookable(client, world, rooms):
    double = [{"room_type_id": rooms["double"]["id"], "count": 1}]
    first = await booker(client, "13800000001", travellers=2)
    assert (
        await client.post("/api/v1/bookings", json=_body(world, first, rooms=double), headers=first.headers)
    ).status_code == 201
    second = await booker(client, "13800000002", travellers=2)
    refused = await client.post("/api/v1/bookings", json=_body(world, second, rooms=double), headers=second.headers)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "sold_out" and "大床房" in problem["detail"]
    assert len(problem["nights_short"]) == 30
    assert {(n["room_type"], n["room_type_id"], n["rooms_left"]) for n in problem["nights_short"]} == {
        ("double", rooms["double"]["id"], 0)
    }
    twins = [{"room_type_id": rooms["twin"]["id"], "count": 1}]
    assert (
        await client.post("/api/v1/bookings", json=_body(world, second, rooms=twins), headers=second.headers)
    ).status_code == 201
    assert await calendar_mismatches() == []


@pytest.mark.parametrize(
    ("choice", "travellers"),
    [
        (lambda r, other: [{"room_type_id": other, "count": 1}], 1),
        (lambda r, other: [{"room_type_id": r["double"]["id"], "count": 1}], 3),
        (lambda r, other: [{"room_type_id": r["single"]["id"], "count": 2}], 1),
        (lambda r, other: [{"room_type_id": r["single"]["id"], "count": 1}] * 2, 2),
    ],
    ids=["another base's room type", "too few beds", "an empty room", "a type twice"],
)
async def test_rooms_that_do_not_fit_are_refused_and_nothing_changes(client, world, rooms, choice, travellers):
    other = await factories.room_type(
        world.bases["hulunbuir"]["id"], "suite", beds_per_room=2, rooms=1, start=world.start, nights=120
    )
    senior = await booker(client, "13800000001", travellers=travellers)
    response = await client.post(
        "/api/v1/bookings", json=_body(world, senior, rooms=choice(rooms, other["id"])), headers=senior.headers
    )
    assert response.status_code == 422, response.text
    assert "rooms" in response.json()["field_errors"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM booking") == 0
        assert await conn.fetchval("SELECT coalesce(sum(taken_rooms), 0) FROM room_night") == 0


async def test_cancelling_gives_the_rooms_back_and_the_waiting_list_gets_the_type_it_asked_for(client, world, rooms):
    double = [{"room_type_id": rooms["double"]["id"], "count": 1}]
    first = await booker(client, "13800000001", travellers=2)
    held = await client.post("/api/v1/bookings", json=_body(world, first, rooms=double), headers=first.headers)
    second = await booker(client, "13800000002", travellers=2)
    joined = await client.post(
        f"/api/v1/tours/{world.tours['migratory']['id']}/waitlist",
        json=_body(world, second, rooms=double),
        headers=second.headers,
    )
    assert joined.status_code == 201, joined.text
    arrival = dt.date.fromisoformat(held.json()["arrival"])
    cancelled = await client.post(f"/api/v1/bookings/{held.json()['id']}/cancel", json={}, headers=first.headers)
    assert cancelled.status_code == 200
    offers = (await client.get("/api/v1/bookings", headers=second.headers)).json()["items"]
    assert len(offers) == 1 and offers[0]["status"] == "held"
    assert [(r["code"], r["count"]) for r in offers[0]["rooms"]] == [("double", 1)]
    assert await _taken(rooms["double"]["id"], arrival) == 1
    assert await _taken(rooms["single"]["id"], arrival) == 0
    assert await calendar_mismatches() == []
