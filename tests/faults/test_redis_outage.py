"""Redis stops during load: requests that need it answer a clean 503 (never a 500, nothing
half-written), and service comes back by itself when Redis does."""

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
from tests.web_helpers import sign_in

pytestmark = pytest.mark.timeout(180)


async def test_a_redis_outage_gives_clean_503s_and_service_returns_with_redis(db: None, own_redis, servers):
    server = SojournServer(server_env(SOJOURN_REDIS_URL=own_redis.url))
    server.start()
    servers.append(server)
    world, tour = await hot_world(beds=400)
    people = await factories.bulk_bookers(400)
    await factories.account("13800138000")
    booking_statuses: list[int] = []
    page_statuses: list[int] = []
    acknowledged: list[int] = []

    async def booker(http: httpx.AsyncClient, deadline: float) -> None:
        while people and time.monotonic() < deadline:
            person = people.pop()
            body = stay(world, tour, person, offset=1 + person["account_id"] % 60, nights=2)
            response = await http.post(f"{server.url}/api/v1/bookings", json=body, headers=person["headers"])
            booking_statuses.append(response.status_code)
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])
            await asyncio.sleep(0.02)

    async def reader(http: httpx.AsyncClient, deadline: float) -> None:
        while time.monotonic() < deadline:
            page_statuses.append((await http.get(f"{server.url}/account")).status_code)
            await asyncio.sleep(0.05)

    async with httpx.AsyncClient(base_url=server.url, timeout=10) as browser:
        await sign_in(browser, "13800138000", factories.PASSWORD)
        async with httpx.AsyncClient(timeout=10) as http:
            deadline = time.monotonic() + 5
            load = asyncio.gather(*(booker(http, deadline) for _ in range(6)), reader(browser, deadline))
            await asyncio.sleep(1.5)
            await asyncio.to_thread(own_redis.stop)
            outage_began = len(booking_statuses)
            await asyncio.sleep(2)
            outage_ended = len(booking_statuses)
            await asyncio.to_thread(own_redis.start)
            await load

    during = booking_statuses[outage_began:outage_ended]
    assert 503 in during, booking_statuses  # Redis really was needed, and its loss was clean
    assert set(booking_statuses) <= {201, 503}, (booking_statuses, server.log_tail())
    assert set(page_statuses) <= {200, 401, 503} and 503 in page_statuses, (page_statuses, server.log_tail())
    async with database.connection() as conn:
        assert sorted(r["id"] for r in await conn.fetch("SELECT id FROM booking")) == sorted(acknowledged)
    assert await calendar_mismatches() == []

    # Back by itself: the same process books and signs people in again (Redis came back empty).
    person = (await factories.bulk_bookers(1, prefix="1390000"))[0]
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        response = await http.post(
            "/api/v1/bookings", json=stay(world, tour, person, offset=70), headers=person["headers"]
        )
        assert response.status_code == 201, response.text
        await sign_in(http, "13800138000", factories.PASSWORD)
        assert (await http.get("/account")).status_code == 200
