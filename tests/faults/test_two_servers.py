"""Two server processes on one PostgreSQL and one Redis: they share the booking race without
overbooking, and a session made on one is valid on the other. Both tests use the same two
servers (started once for the module, their Redis emptied before each test, as the tables are)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from sojourn import db as database
from tests import factories
from tests.booking_helpers import calendar_mismatches
from tests.bookings.test_booking_races import hot_world, stay
from tests.faults.conftest import RedisProcess, SojournServer, server_env
from tests.web_helpers import sign_in

pytestmark = pytest.mark.timeout(180)

BEDS = 10


@pytest.fixture(scope="module")
def two_servers(migrated_database) -> Iterator[tuple[list[SojournServer], RedisProcess]]:
    redis = RedisProcess()
    redis.start()
    started: list[SojournServer] = []
    try:
        for _ in range(2):
            server = SojournServer(server_env(SOJOURN_REDIS_URL=redis.url))
            started.append(server)
            server.start()
        yield started, redis
    finally:
        for server in started:
            server.stop()
        redis.stop()


@pytest.fixture
def servers(two_servers, db: None) -> list[SojournServer]:
    """The two servers, with nothing left in their Redis (sessions, rate limits, caches)."""
    from redis import Redis

    started, redis = two_servers
    with Redis.from_url(redis.url) as client:
        client.flushall()
    return started


async def test_two_servers_share_the_race_and_never_overbook(servers):
    world, tour = await hot_world(beds=BEDS)
    people = await factories.bulk_bookers(120)
    limits = httpx.Limits(max_connections=120)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    f"{servers[i % 2].url}/api/v1/bookings", json=stay(world, tour, person), headers=person["headers"]
                )
                for i, person in enumerate(people)
            )
        )
    statuses = Counter(response.status_code for response in responses)
    assert statuses[201] == BEDS, statuses
    assert set(statuses) <= {201, 409, 503}, statuses
    winners = Counter(str(r.url).split("/api/")[0] for r in responses if r.status_code == 201)
    assert sum(winners.values()) == BEDS
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM booking") == BEDS
    assert await calendar_mismatches() == []


async def test_a_session_made_on_one_server_is_valid_on_the_other(servers):
    await factories.account("13800138000", name="两台服务器")
    async with httpx.AsyncClient(base_url=servers[0].url, timeout=10) as first:
        await sign_in(first, "13800138000", factories.PASSWORD)
        cookies = dict(first.cookies)
        assert (await first.get("/account")).status_code == 200
    async with httpx.AsyncClient(base_url=servers[1].url, timeout=10, cookies=cookies) as second:
        page = await second.get("/account")
        assert page.status_code == 200 and "两台服务器" in page.text
    async with httpx.AsyncClient(base_url=servers[1].url, timeout=10) as stranger:
        assert (await stranger.get("/account")).status_code == 401
