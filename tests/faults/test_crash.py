"""`kill -9` a server during load and start it again: every booking acknowledged with 201
still exists, nothing half-written is left, and the calendar's invariant holds."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from sojourn import db as database
from tests import factories
from tests.booking_helpers import calendar_mismatches
from tests.bookings.test_booking_races import hot_world, stay
from tests.faults.conftest import SojournServer, server_env

pytestmark = pytest.mark.timeout(180)


async def test_bookings_acknowledged_before_a_kill_9_survive_it(db: None, own_redis, servers):
    server = SojournServer(server_env(SOJOURN_REDIS_URL=own_redis.url))
    server.start()
    servers.append(server)
    world, tour = await hot_world(beds=400)
    people = await factories.bulk_bookers(700)
    acknowledged: list[int] = []
    statuses: list[int | str] = []
    last = people.pop()  # books after the restart
    queue = list(people)

    # Load runs until a few seconds after the restarted server answers, however slow the machine.
    deadline = [float("inf")]

    async def client(http: httpx.AsyncClient) -> None:
        while queue and time.monotonic() < deadline[0]:
            person = queue.pop()
            offset = 1 + person["account_id"] % 60
            try:
                response = await http.post(
                    f"{server.url}/api/v1/bookings",
                    json=stay(world, tour, person, offset=offset, nights=3),
                    headers=person["headers"],
                )
            except httpx.ConnectError:
                queue.insert(0, person)  # never reached the server: this person may try again
                await asyncio.sleep(0.05)
                continue
            except httpx.TransportError as error:
                statuses.append(type(error).__name__)  # cut off by the kill: no acknowledgement
                continue
            statuses.append(response.status_code)
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])

    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=16)) as http:
        load = asyncio.gather(*(client(http) for _ in range(16)))
        started = time.monotonic()
        while len(acknowledged) < 20 and time.monotonic() - started < 30:
            await asyncio.sleep(0.05)
        before_kill = len(acknowledged)
        server.kill()
        await asyncio.sleep(0.5)
        await asyncio.to_thread(server.start)
        deadline[0] = time.monotonic() + 3
        await load

    assert before_kill > 0 and len(acknowledged) > before_kill, (before_kill, len(acknowledged))
    assert any(isinstance(s, str) for s in statuses)  # the kill really cut requests off
    assert not [s for s in statuses if isinstance(s, int) and s >= 500 and s != 503], statuses
    async with database.connection() as conn:
        stored = {row["id"] for row in await conn.fetch("SELECT id FROM booking")}
        orphans = await conn.fetchval(
            "SELECT count(*) FROM booking b WHERE NOT EXISTS (SELECT 1 FROM booking_traveller t WHERE t.booking = b.id)"
        )
    assert set(acknowledged) <= stored
    assert orphans == 0
    assert await calendar_mismatches() == []
    async with httpx.AsyncClient(timeout=10) as http:  # the restarted server serves
        response = await http.post(
            f"{server.url}/api/v1/bookings", json=stay(world, tour, last), headers=last["headers"]
        )
        assert response.status_code == 201, response.text
