"""The front desk in a real browser: the week of arrivals and departures leads to the day, where
each traveller of a couple is checked in on their own, with a warning for a health form that is
missing, and a check-in by mistake is undone. The live server's clock is PINNED_NOW."""

from __future__ import annotations

import datetime as dt

from sojourn import db
from tests import factories
from tests.booking_helpers import booker, confirm
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.test_operator_console import signed_in  # noqa: F401 - the signed-in operator's page
from tests.pinned import PINNED_NOW, PINNED_TODAY


async def arriving_today(client, clock, world) -> tuple[int, list[str]]:
    """A couple who booked yesterday to arrive today (the live server's today) for thirty nights."""
    base_id = world.bases["sanya"]["id"]
    await factories.calendar(base_id, PINNED_TODAY, 45, 10)  # the nights before the world's start
    tour = await factories.tour(
        base_id,
        world.members["hi"]["id"],
        mode="migratory",
        title_zh="三亚初冬长住",
        starts_on=PINNED_TODAY,
        ends_on=PINNED_TODAY + dt.timedelta(days=40),
    )
    clock.set(PINNED_NOW - dt.timedelta(days=1))
    couple = await booker(client, "13800000001", travellers=2)
    held = await client.post(
        "/api/v1/bookings",
        headers=couple.headers,
        json={
            "tour_id": tour["id"],
            "traveller_ids": couple.traveller_ids,
            "arrival": PINNED_TODAY.isoformat(),
            "departure": (PINNED_TODAY + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert held.status_code == 201, held.text
    await confirm(client, held.json()["id"], couple.headers)
    clock.set(PINNED_NOW)
    return held.json()["id"], ["旅客00010", "旅客00011"]


async def test_week_view_leads_to_the_day_where_each_traveller_is_checked_in(signed_in, client, clock, world):  # noqa: F811
    page = signed_in
    booking_id, (wife, husband) = await arriving_today(client, clock, world)
    base_id = world.bases["sanya"]["id"]
    await page.goto(f"/operator/bases/{base_id}/arrivals")
    await page.get_by_role("link", name="从这天起的一周").click()
    await page.wait_for_url(f"**/operator/bases/{base_id}/week?start={PINNED_TODAY.isoformat()}")
    today_row = page.locator(f'tr[data-day="{PINNED_TODAY.isoformat()}"]')
    text = await today_row.inner_text()
    assert f"{wife} (待入住)" in text and f"{husband} (待入住)" in text and "2 人入住" in text
    assert await accessibility_violations(page) == []
    await screenshot(page, "operator-week")

    await today_row.get_by_role("link").click()
    await page.wait_for_url(f"**/operator/bases/{base_id}/arrivals?date={PINNED_TODAY.isoformat()}")
    await page.get_by_role("button", name=f"为 {wife} 办理入住").click()
    await page.locator(".notice.ok").wait_for()
    assert f"{wife} 已入住。" in await page.locator(".notice.ok").inner_text()
    assert f"{wife} 还没有提交健康申报。" in await page.locator(".notice.warn").inner_text()
    her_row = page.locator("table.desk tr", has=page.get_by_role("rowheader", name=wife)).first
    his_row = page.locator("table.desk tr", has=page.get_by_role("rowheader", name=husband)).first
    assert "已入住" in await her_row.inner_text()
    # Check-out is in its own column, as a link to a page that asks first; his check-in is still there.
    assert await her_row.locator("td.leave").get_by_role("link", name=f"为 {wife} 办理退房…").is_visible()
    assert await her_row.locator("td.arrive button").count() == 0
    assert await his_row.locator("td.arrive").get_by_role("button", name=f"为 {husband} 办理入住").is_visible()
    assert await accessibility_violations(page) == []
    await screenshot(page, "operator-arrivals-per-traveller")

    await her_row.get_by_role("button", name=f"撤销：{wife} 已入住").click()
    await page.locator(".notice.ok").wait_for()
    assert f"已为 {wife} 撤销。" in await page.locator(".notice.ok").inner_text()
    her_row = page.locator("table.desk tr", has=page.get_by_role("rowheader", name=wife)).first
    assert await her_row.locator("td.arrive").get_by_role("button", name=f"为 {wife} 办理入住").is_visible()
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"
        actions = await conn.fetch("SELECT action FROM audit_event WHERE object_id = $1 ORDER BY id", booking_id)
    assert [row["action"] for row in actions][-2:] == ["traveller_checked_in", "traveller_attendance_undone"]
