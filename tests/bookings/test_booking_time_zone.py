"""The base's time zone decides a booking's dates, on the pages as in the engine and the API."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sojourn import db as database
from tests import factories
from tests.bookings.test_booking_web import signed_in_family
from tests.bookings.test_trips_web import confirmed_booking
from tests.web_helpers import post_form, sign_in

BEIJING = ZoneInfo("Asia/Shanghai")
URUMQI = ZoneInfo("Asia/Urumqi")  # two hours behind Beijing


async def test_cancelling_follows_the_bases_day_on_the_page_and_in_the_api(client, world, clock):
    async with database.connection() as conn:
        await conn.execute("UPDATE base SET time_zone = 'Asia/Urumqi' WHERE id = $1", world.bases["sanya"]["id"])
    _, ids = await signed_in_family(client)
    booking_id = await confirmed_booking(client, world, ids)
    departure = world.tours["vacation"]["ends_on"]
    # 01:00 in Beijing on the departure day is still the evening before at the base.
    clock.set(dt.datetime.combine(departure, dt.time(1, 0), BEIJING))
    await sign_in(client, "13800138000", factories.PASSWORD)  # weeks later: a session lasts 7 days
    bearer = await factories.bearer(client, "13800138000")

    answer = (await client.get(f"/api/v1/bookings/{booking_id}", headers=bearer)).json()
    assert answer["time_zone"] == "Asia/Urumqi"
    assert answer["can_cancel"] is True
    deadline = dt.datetime.fromisoformat(answer["cancel_deadline"])
    assert deadline == dt.datetime.combine(departure, dt.time(0, 0), URUMQI)
    assert "Cancel this booking" in (await client.get(f"/trips/{booking_id}")).text
    assert f"/trips/{booking_id}/cancel" in (await client.get("/trips")).text

    clock.set(deadline)
    answer = (await client.get(f"/api/v1/bookings/{booking_id}", headers=bearer)).json()
    assert answer["can_cancel"] is False
    page = await client.get(f"/trips/{booking_id}")
    assert page.status_code == 200 and "Cancel this booking" not in page.text
    refused = await post_form(client, f"/trips/{booking_id}/cancel", {}, from_page="/trips")
    assert refused.status_code in (303, 409)
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"
