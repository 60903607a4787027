"""Cancel a booking, then undo it, on the trip page in a real browser: the undo form works
(it once carried an empty CSRF token and always failed), the beds are taken again, and the
senior is told both times, on the page and by message."""

from __future__ import annotations

import json

from sojourn import db as database
from sojourn.notifications.messages import render
from tests.booking_helpers import booker, calendar_mismatches, confirm
from tests.browser.conftest import accessibility_violations
from tests.browser.test_journey import LOGIN, Words, sign_in_on_page


async def test_cancel_then_undo_on_the_trip_page_and_the_senior_hears_both(page, world, client):
    t = Words("zh_CN")
    senior = await booker(client, LOGIN, travellers=2)
    tour = world.tours["vacation"]
    held = await client.post(
        "/api/v1/bookings", json={"tour_id": tour["id"], "traveller_ids": senior.traveller_ids}, headers=senior.headers
    )
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    await confirm(client, booking_id, senior.headers)
    night = tour["starts_on"]

    async def beds_taken() -> int:
        async with database.connection() as conn:
            return await conn.fetchval(
                "SELECT taken FROM capacity_night WHERE base = $1 AND night = $2", tour["base"], night
            )

    assert await beds_taken() == 2

    await page.goto(f"/trips/{booking_id}")
    await sign_in_on_page(page, t)
    assert page.url.endswith(f"/trips/{booking_id}")
    await page.get_by_role("link", name=t("Cancel this booking")).click()
    await page.wait_for_load_state()
    await page.get_by_role("button", name=t("Yes, cancel this booking")).click()
    await page.wait_for_load_state()
    assert t("The booking is cancelled. %(refund)s will be paid back to you today.", refund="¥7,600") in (
        await page.content()
    )
    assert await beds_taken() == 0

    await page.get_by_role("button", name=t("Undo the cancellation")).click()
    await page.wait_for_load_state()
    content = await page.content()
    assert t("Your booking is back, as it was. Nothing was refunded.") in content
    assert t("这个表单已过期") not in content and "403" not in await page.title()
    assert await page.get_by_role("button", name=t("Undo the cancellation")).count() == 0
    assert await accessibility_violations(page) == []
    assert await beds_taken() == 2
    assert await calendar_mismatches() == []

    async with database.connection() as conn:
        assert await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"
        outbox = await conn.fetch(
            "SELECT kind, payload FROM outbox_message WHERE account = (SELECT account FROM booking WHERE id = $1) "
            "AND kind IN ('booking_cancelled', 'booking_cancel_undone') ORDER BY id",
            booking_id,
        )
    told = [render(row["kind"], json.loads(row["payload"]), "zh_CN", "https://sojourn.example") for row in outbox]
    assert [m.subject for m in told] == [t("Your booking is cancelled"), t("Your booking stands again")]
    assert held.json()["reference"] in told[1].body
