"""Concurrency: the race is real without the lock, and never happens with it.

The unlocked path is the engine's own code with ``take_lock=False`` and the CHECK
constraint dropped for the duration of that test: it shows that without the lock
the count-then-take step oversells. Everything else goes over real HTTP to a real
``sojourn serve`` process on the test database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter

import httpx
import pytest

from sojourn.accounts.principal import principal_for_account
from sojourn.bookings.holds import hold_beds
from sojourn.bookings.schemas import BookingIn
from sojourn.db import connection
from sojourn.errors import DomainError
from tests import factories
from tests.booking_helpers import calendar_mismatches
from tests.pinned import PINNED_NOW

pytestmark = pytest.mark.usefixtures("db")

BEDS = 10


async def hot_world(beds: int = BEDS, min_nights: int = 1) -> tuple[factories.World, dict]:
    """A base with ``beds`` beds a night and a migratory tour open for any stay of 1+ nights."""
    world = await factories.small_world(beds=beds)
    tour = await factories.tour(
        world.bases["sanya"]["id"],
        world.members["hi"]["id"],
        mode="migratory",
        starts_on=world.start,
        ends_on=world.start + dt.timedelta(days=120),
        min_nights=min_nights,
        title_zh="压测候鸟团",
        title_en="Load test stay",
    )
    return world, tour


def stay(world: factories.World, tour: dict, person: dict, offset: int = 3, nights: int = 5) -> dict:
    arrival = world.start + dt.timedelta(days=offset)
    return {
        "tour_id": tour["id"],
        "traveller_ids": [person["traveller_id"]],
        "arrival": arrival.isoformat(),
        "departure": (arrival + dt.timedelta(days=nights)).isoformat(),
    }


async def test_without_the_lock_the_same_code_oversells(settings):
    world, tour = await hot_world()
    people = await factories.bulk_bookers(40)
    principals = [await principal_for_account(p["account_id"]) for p in people]
    async with connection() as conn:
        await conn.execute("ALTER TABLE capacity_night DROP CONSTRAINT capacity_night_taken_within_beds")
        await conn.execute("ALTER TABLE room_night DROP CONSTRAINT room_night_taken_within_rooms")
    try:
        now = PINNED_NOW  # the clock every test starts at (tests.pinned)

        async def unlocked(principal, person):
            request = BookingIn(**_as_request(stay(world, tour, person)))
            try:
                await hold_beds(principal, request, settings=settings, now=now, take_lock=False)
                return "held"
            except DomainError:
                return "refused"

        outcomes = Counter(await asyncio.gather(*(unlocked(pr, pe) for pr, pe in zip(principals, people, strict=True))))
        async with connection() as conn:
            worst = await conn.fetchval("SELECT max(taken) FROM capacity_night WHERE base = $1", tour["base"])
        assert outcomes["held"] > BEDS, outcomes  # the race is real
        assert worst > BEDS
    finally:
        async with connection() as conn:
            await conn.execute("TRUNCATE booking, booking_traveller CASCADE")
            await conn.execute("UPDATE capacity_night SET taken = 0")
            await conn.execute(
                "ALTER TABLE capacity_night ADD CONSTRAINT capacity_night_taken_within_beds "
                "CHECK (taken >= 0 AND taken <= beds)"
            )
            await conn.execute(
                "ALTER TABLE room_night ADD CONSTRAINT room_night_taken_within_rooms "
                "CHECK (taken_rooms >= 0 AND taken_rooms <= rooms)"
            )


async def test_two_hundred_concurrent_holds_over_http_get_exactly_the_free_beds(live_server):
    world, tour = await hot_world()
    people = await factories.bulk_bookers(200)
    async with httpx.AsyncClient(base_url=live_server, timeout=60, limits=httpx.Limits(max_connections=200)) as http:
        responses = await asyncio.gather(
            *(http.post("/api/v1/bookings", json=stay(world, tour, p), headers=p["headers"]) for p in people)
        )
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == BEDS, statuses
    assert set(statuses) <= {201, 409, 503}, statuses
    assert all(r.json()["code"] == "sold_out" for r in responses if r.status_code == 409)
    async with connection() as conn:
        assert await conn.fetchval("SELECT max(taken) FROM capacity_night WHERE base = $1", tour["base"]) == BEDS
        assert await conn.fetchval("SELECT count(*) FROM booking") == BEDS
    assert await calendar_mismatches() == []


async def test_two_hundred_concurrent_holds_of_double_rooms_get_exactly_the_free_doubles(live_server):
    """Room types under the same race: 200 singles each ask for a double room (one of 10) at a base that
    also sells 10 beds; exactly 10 doubles are sold, no bed is touched, and the bed figure follows."""
    world, tour = await hot_world()
    double = await factories.room_type(
        tour["base"], "double", beds_per_room=2, rooms=BEDS, start=world.start, nights=120, price_fen=40000
    )
    people = await factories.bulk_bookers(200)

    def wants_a_double(person: dict) -> dict:
        return {**stay(world, tour, person), "rooms": [{"room_type_id": double["id"], "count": 1}]}

    async with httpx.AsyncClient(base_url=live_server, timeout=60, limits=httpx.Limits(max_connections=200)) as http:
        responses = await asyncio.gather(
            *(http.post("/api/v1/bookings", json=wants_a_double(p), headers=p["headers"]) for p in people)
        )
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == BEDS, statuses
    assert set(statuses) <= {201, 409, 503}, statuses
    refused = [r.json() for r in responses if r.status_code == 409]
    assert all(p["code"] == "sold_out" and p["nights_short"][0]["room_type"] == "double" for p in refused)
    async with connection() as conn:
        assert await conn.fetchval("SELECT max(taken_rooms) FROM room_night WHERE room_type = $1", double["id"]) == BEDS
        assert (
            await conn.fetchval(
                "SELECT max(taken_rooms) FROM room_night WHERE base = $1 AND room_type <> $2",
                tour["base"],
                double["id"],
            )
            == 0
        )
        assert await conn.fetchval("SELECT max(taken) FROM capacity_night WHERE base = $1", tour["base"]) == 2 * BEDS
    assert await calendar_mismatches() == []


async def test_overlapping_stays_of_mixed_lengths_never_deadlock_or_overbook(live_server):
    world, tour = await hot_world(beds=15)
    people = await factories.bulk_bookers(160)
    rng = random.Random(20261123)

    async def client_session(http: httpx.AsyncClient, person: dict) -> list[int]:
        nights = rng.choice([1, 2, 3, 7, 14, 30, 45, 60, 90])
        offset = rng.randint(1, 120 - nights - 1)
        held = await http.post(
            "/api/v1/bookings", json=stay(world, tour, person, offset=offset, nights=nights), headers=person["headers"]
        )
        codes = [held.status_code]
        if held.status_code == 201:
            action = rng.choice(["confirm", "cancel", "keep"])
            booking_id = held.json()["id"]
            if action == "confirm":
                codes.append(
                    (await http.post(f"/api/v1/bookings/{booking_id}/confirm", headers=person["headers"])).status_code
                )
            elif action == "cancel":
                codes.append(
                    (await http.post(f"/api/v1/bookings/{booking_id}/cancel", headers=person["headers"])).status_code
                )
        return codes

    async with httpx.AsyncClient(base_url=live_server, timeout=60, limits=httpx.Limits(max_connections=160)) as http:
        results = await asyncio.gather(*(client_session(http, p) for p in people))
    codes = Counter(code for result in results for code in result)
    assert not any(code >= 500 and code != 503 for code in codes), codes
    assert codes[503] == 0, codes  # no lock wait ran out and no deadlock reached anyone
    assert codes[201] > 15, codes  # stays of different dates share the beds
    async with connection() as conn:
        assert await conn.fetchval("SELECT max(taken - beds) FROM capacity_night") <= 0
    assert await calendar_mismatches() == []


def _as_request(body: dict) -> dict:
    return {
        "tour_id": body["tour_id"],
        "traveller_ids": body["traveller_ids"],
        "arrival": dt.date.fromisoformat(body["arrival"]),
        "departure": dt.date.fromisoformat(body["departure"]),
    }
