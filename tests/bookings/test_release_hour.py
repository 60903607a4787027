"""The release hour: more seniors than beds, all at once, and nobody gets an error for being behind.

Over real HTTP to a ``sojourn serve`` of its own whose lock wait is cut to 50 ms: before the
per-base line (bookings.admission), every request of the crowd waited at PostgreSQL's lock with a
pooled connection, and with this bound most of them got 503. With the line, at most one request per
process waits there, so the bound is never reached however long the line.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from sojourn.bookings import admission
from sojourn.bookings.errors import sold_out
from sojourn.db import connection
from sojourn.errors import Conflict, Crowded
from tests import factories
from tests.booking_helpers import calendar_mismatches
from tests.conftest import _free_port, _serving
from tests.pinned import PINNED_NOW

pytestmark = pytest.mark.usefixtures("db")

BEDS = 10
SENIORS = 90


@pytest.fixture(scope="module")
def tight_server(migrated_database) -> Iterator[str]:
    """``sojourn serve`` on the test database, with a base's lock waited for 50 ms at most."""
    env = {
        **os.environ,
        "SOJOURN_LOG_LEVEL": "WARNING",
        "SOJOURN_JOBS_IN_PROCESS": "no",
        "SOJOURN_CLOCK_START": PINNED_NOW.isoformat(),
        "SOJOURN_LOCK_TIMEOUT_MS": "50",
    }
    with _serving(env, _free_port()) as url:
        yield url


async def test_a_crowd_larger_than_the_beds_each_gets_a_hold_or_a_place_on_the_waiting_list(tight_server):
    world = await factories.small_world(beds=BEDS)
    tour = await factories.tour(
        world.bases["sanya"]["id"],
        world.members["hi"]["id"],
        mode="migratory",
        starts_on=world.start,
        ends_on=world.start + dt.timedelta(days=60),
        min_nights=1,
        title_zh="放号",
        title_en="Release",
    )
    people = await factories.bulk_bookers(SENIORS)
    arrival = world.start + dt.timedelta(days=5)
    statuses: Counter[tuple[str, int]] = Counter()

    async def senior(http: httpx.AsyncClient, person: dict) -> tuple[str, int | None]:
        body = {
            "tour_id": tour["id"],
            "traveller_ids": [person["traveller_id"]],
            "arrival": arrival.isoformat(),
            "departure": (arrival + dt.timedelta(days=7)).isoformat(),
        }
        path = "/api/v1/bookings"
        for _ in range(20):
            answer = await http.post(path, json=body, headers=person["headers"])
            statuses[(path.rsplit("/", 1)[1], answer.status_code)] += 1
            if answer.status_code == 201:
                return ("held", None) if path == "/api/v1/bookings" else ("waiting", answer.json()["position"])
            if answer.status_code == 409 and answer.json()["code"] == "sold_out":
                path = f"/api/v1/tours/{tour['id']}/waitlist"  # the answer offers the waiting list
                continue
            if answer.status_code == 429:
                await asyncio.sleep(float(answer.headers["Retry-After"]))
                continue
            return "refused", answer.status_code
        return "gave up", None

    limits = httpx.Limits(max_connections=SENIORS)
    async with httpx.AsyncClient(base_url=tight_server, timeout=120, limits=limits) as http:
        outcomes = await asyncio.gather(*(senior(http, person) for person in people))

    assert not [status for (_, status) in statuses if status >= 500], statuses
    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"held": BEDS, "waiting": SENIORS - BEDS}, (kinds, statuses)
    # Each was told a different place, 1 to N, and the list keeps them in the order the engine took them.
    assert sorted(position for kind, position in outcomes if kind == "waiting") == list(range(1, SENIORS - BEDS + 1))
    async with connection() as conn:
        listed = [
            row["id"]
            for row in await conn.fetch(
                "SELECT id FROM waitlist_entry WHERE tour = $1 AND status = 'waiting' ORDER BY created_at, id",
                tour["id"],
            )
        ]
        assert listed == sorted(listed)
        assert await conn.fetchval("SELECT count(*) FROM booking WHERE status = 'held'") == BEDS
        assert await conn.fetchval("SELECT max(taken) FROM capacity_night WHERE base = $1", tour["base"]) == BEDS
    assert await calendar_mismatches() == []


async def test_the_line_serves_in_order_of_arrival_and_hands_on_one_connection():
    order: list[int] = []
    seen: set[int] = set()

    async def person(number: int) -> None:
        async with admission.turn(7001, wait_ms=10_000) as conn:
            order.append(number)
            seen.add(id(conn))
            await conn.fetchval("SELECT pg_sleep(0.005)")

    await asyncio.gather(*(person(number) for number in range(30)))
    assert order == list(range(30))
    assert len(seen) == 1  # the connection went from one person to the next, not back to the pool
    assert admission.people_in_line(7001) == 0


async def test_too_long_a_wait_says_how_many_were_ahead_and_changes_nothing():
    async with admission.turn(7002, wait_ms=10_000):
        with pytest.raises(Crowded) as crowded:
            async with admission.turn(7002, wait_ms=50):
                pytest.fail("the second person must not get the turn while the first has it")
    assert crowded.value.status == 429
    assert crowded.value.extra["people_ahead"] == 1
    assert int(crowded.value.headers["Retry-After"]) >= 1
    assert admission.people_in_line(7002) == 0
    async with admission.turn(7002, wait_ms=50) as conn:  # the line is free again
        assert await conn.fetchval("SELECT 1") == 1


async def test_after_a_sold_out_turn_those_waiting_look_again_and_leave_or_keep_their_place():
    turns: list[str] = []

    async def first() -> None:
        with pytest.raises(Conflict):
            async with admission.turn(7003, wait_ms=10_000):
                turns.append("first")
                await asyncio.sleep(0.05)
                raise sold_out([])

    async def sold_out_too() -> Conflict | None:
        return sold_out([])

    async def still_room() -> Conflict | None:
        return None

    async def waiting(name: str, look) -> str:
        try:
            async with admission.turn(7003, wait_ms=10_000, leave_if=look):
                turns.append(name)
                return "served"
        except Conflict as answer:
            return answer.code

    started = asyncio.create_task(first())
    await asyncio.sleep(0.01)
    # The next in line takes her turn when it comes; the others look again meanwhile.
    results = await asyncio.gather(
        waiting("next", still_room), waiting("full", sold_out_too), waiting("room", still_room)
    )
    await started
    assert results == ["served", "sold_out", "served"]
    assert turns == ["first", "next", "room"]  # the one told "sold out" left the line without a turn


async def test_a_base_is_selling_out_from_a_sold_out_turn_until_a_turn_ends_otherwise():
    release = asyncio.Event()

    async def next_in_line() -> None:
        async with admission.turn(7004, wait_ms=10_000):
            await release.wait()

    assert not admission.selling_out(7004)
    with pytest.raises(Conflict):
        async with admission.turn(7004, wait_ms=10_000):
            behind = asyncio.create_task(next_in_line())
            await asyncio.sleep(0.01)
            assert not admission.selling_out(7004)
            raise sold_out([])
    assert admission.selling_out(7004)  # newcomers wanting a hold look before they queue
    release.set()
    await behind
    assert not admission.selling_out(7004)
