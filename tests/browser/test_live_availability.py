"""With Redis, an open tour page hears about a booking at once (Litestar channels + server-sent
events) instead of at its next poll; without Redis the page polls (tests/tours/test_tours_web.py)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests import factories
from tests.faults.conftest import RedisProcess, SojournServer, server_env

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def redis_backed_server(migrated_database):
    redis = RedisProcess()
    redis.start()
    server = SojournServer(server_env(SOJOURN_REDIS_URL=redis.url))
    try:
        server.start()
        yield server
    finally:
        server.stop()
        redis.stop()


async def test_the_calendar_updates_live_when_someone_books(browser, db, redis_backed_server):
    world = await factories.small_world()
    tour = world.tours["migratory"]  # a stay with dates of one's own: the page has the calendar
    night = tour["starts_on"].isoformat()
    departure = (tour["starts_on"] + dt.timedelta(days=28)).isoformat()
    await factories.account("13800138001")
    context = await browser.new_context(base_url=redis_backed_server.url, locale="zh-CN")
    try:
        page = await context.new_page()
        await page.goto(f"/tours/{tour['id']}?month={tour['starts_on']:%Y-%m}")
        grid = page.locator("[data-capacity-stream]")
        assert await grid.count() == 1  # live mode: the page listens to the stream
        cell = page.locator(f'td.night[data-date="{night}"] .beds')
        assert (await cell.inner_text()).strip() == "10"

        async with httpx.AsyncClient(base_url=redis_backed_server.url, timeout=10) as http:
            headers = await factories.bearer(http, "13800138001")
            traveller = await http.post("/api/v1/travellers", json=factories.traveller_body(), headers=headers)
            assert traveller.status_code == 201, traveller.text
            held = await http.post(
                "/api/v1/bookings",
                json={
                    "tour_id": tour["id"],
                    "traveller_ids": [traveller.json()["id"]],
                    "arrival": night,
                    "departure": departure,
                },
                headers=headers,
            )
            assert held.status_code == 201, held.text

        # Far sooner than the page's safety poll (minutes): the event made it reload.
        await page.wait_for_function(
            f"""() => document.querySelector('td.night[data-date="{night}"] .beds').textContent.trim() === '9'""",
            timeout=10_000,
        )
    finally:
        await context.close()
