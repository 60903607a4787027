"""The undo deadline counts from the cancellation, as the trip page promises, in the base's time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sojourn import db as database
from tests import factories
from tests.bookings.test_booking_web import signed_in_family
from tests.bookings.test_trips_web import confirmed_booking
from tests.pinned import PINNED_NOW
from tests.web_helpers import post_form

URUMQI = ZoneInfo("Asia/Urumqi")


async def test_undo_is_open_until_ten_minutes_after_cancelling_at_the_bases_wall_clock(client, db, clock):
    world = await factories.small_world()
    async with database.connection() as conn:
        await conn.execute("UPDATE base SET time_zone = 'Asia/Urumqi' WHERE id = $1", world.bases["sanya"]["id"])
    _, ids = await signed_in_family(client)
    booking_id = await confirmed_booking(client, world, ids)
    cancelled_at = PINNED_NOW + dt.timedelta(hours=2)  # long after confirming
    clock.set(cancelled_at)
    await post_form(client, f"/trips/{booking_id}/cancel", {}, from_page="/trips")
    deadline = (cancelled_at + dt.timedelta(minutes=10)).astimezone(URUMQI)
    page = await client.get(f"/trips/{booking_id}")
    assert f"Until {deadline:%H:%M} you can take the booking back" in page.text
    clock.set(cancelled_at + dt.timedelta(minutes=9))
    undo = await post_form(client, f"/trips/{booking_id}/undo-cancel", {}, from_page="/trips")
    assert undo.status_code == 303
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"
