"""The base console in a real browser: the beds calendar's bulk edit (with HTMX) and its refusal
below what is taken, the passenger list and its CSV download, and no serious accessibility
violation on any console page. Screenshots of the dashboard, calendar and manifest."""

from __future__ import annotations

import datetime as dt

import pytest

from sojourn import db
from tests import factories
from tests.booking_helpers import booker
from tests.browser.conftest import accessibility_violations, screenshot, visitor_address
from tests.health_helpers import book, declaration_body, with_companion
from tests.pinned import PINNED_TODAY

OPERATOR = "ops@sanya.cn"


@pytest.fixture
async def signed_in(page, world):
    """The Sanya operator, signed in through the real sign-in page."""
    await factories.account(OPERATOR, role="operator", name="三亚前台", base_ids=[world.bases["sanya"]["id"]])
    await page.goto("/login?next=/operator")
    await page.fill("#login", OPERATOR)
    await page.fill("#password", factories.PASSWORD)
    await page.get_by_role("button", name="登录", exact=True).click()
    await page.wait_for_url("**/operator")
    return page


def month_of(day: dt.date) -> str:
    return day.strftime("%Y-%m")


async def beds_on(base_id: int, night: dt.date) -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT beds FROM capacity_night WHERE base = $1 AND night = $2", base_id, night)


async def test_dashboard_has_no_serious_accessibility_violations(signed_in, client, world):
    page = signed_in
    today = PINNED_TODAY  # the live server's clock starts there
    await factories.calendar(world.bases["sanya"]["id"], today, 60, 10)  # the nights before the world's start
    world.tours["early"] = await factories.tour(
        world.bases["sanya"]["id"],
        world.members["hi"]["id"],
        mode="migratory",
        title_zh="三亚初冬长住",
        starts_on=today + dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=120),
    )
    for login, days, nights, confirm in (
        ("13800000001", 2, 30, True),
        ("13800000002", 5, 40, True),
        ("13800000003", 3, 28, False),
    ):
        person = await booker(client, login, travellers=2)
        arrival = today + dt.timedelta(days=days)
        held = await client.post(
            "/api/v1/bookings",
            headers=person.headers,
            json={
                "tour_id": world.tours["early"]["id"],
                "traveller_ids": person.traveller_ids,
                "arrival": arrival.isoformat(),
                "departure": (arrival + dt.timedelta(days=nights)).isoformat(),
            },
        )
        assert held.status_code == 201, held.text
        if confirm:
            await client.post(f"/api/v1/bookings/{held.json()['id']}/confirm", headers=person.headers)
    await book(client, world, "13800000004", tour="vacation")
    await page.goto("/operator")
    assert await page.get_by_role("heading", level=1).inner_text() == "三亚候鸟康养基地 今日概况"
    assert await accessibility_violations(page) == []
    await screenshot(page, "operator-dashboard")


async def test_calendar_bulk_edit_sets_beds_on_chosen_weekdays(signed_in, world):
    page = signed_in
    base_id = world.bases["sanya"]["id"]
    start = world.start
    await page.goto(f"/operator/bases/{base_id}/calendar?month={month_of(start)}")
    assert await accessibility_violations(page) == []
    first = start
    last = start + dt.timedelta(days=13)
    await page.fill("#first_night", first.isoformat())
    await page.fill("#last_night", last.isoformat())
    await page.fill("#beds", "7")
    await page.get_by_label("周六").check()
    await page.get_by_label("周日").check()
    await page.get_by_role("button", name="设置床位").click()
    notice = page.locator(".notice.ok")
    await notice.wait_for()
    assert "床位已改为 7 张" in await notice.inner_text()
    saturday = next(first + dt.timedelta(days=i) for i in range(7) if (first + dt.timedelta(days=i)).isoweekday() == 6)
    assert await beds_on(base_id, saturday) == 7
    weekday = next(first + dt.timedelta(days=i) for i in range(7) if (first + dt.timedelta(days=i)).isoweekday() < 6)
    assert await beds_on(base_id, weekday) == 10  # not a chosen day: unchanged
    cell = page.locator("td.night", has=page.locator(".day", has_text=str(saturday.day))).first
    if saturday.month == first.month:
        assert "床位 7" in await cell.inner_text()
    assert await accessibility_violations(page) == []
    await screenshot(page, "operator-calendar")


async def test_calendar_refuses_to_go_below_what_is_taken_and_names_the_bookings(signed_in, client, world):
    page = signed_in
    booked = await book(client, world, "13800000001", tour="vacation")
    async with db.connection() as conn:
        reference = await conn.fetchval("SELECT reference FROM booking WHERE id = $1", booked.booking_id)
    base_id = world.bases["sanya"]["id"]
    arrival = world.start + dt.timedelta(days=10)
    await page.goto(f"/operator/bases/{base_id}/calendar?month={month_of(arrival)}")
    await page.fill("#first_night", arrival.isoformat())
    await page.fill("#last_night", (arrival + dt.timedelta(days=2)).isoformat())
    await page.get_by_role("button", name="关闭这几晚（不提供床位）").click()
    refusal = page.locator(".refusal")
    await refusal.wait_for()
    text = await refusal.inner_text()
    assert "没有做任何更改" in text and reference in text and arrival.isoformat() in text
    assert await page.evaluate("document.activeElement.closest('.refusal, .error-summary') !== null")
    assert await beds_on(base_id, arrival) == 10
    assert await accessibility_violations(page) == []
    await screenshot(page, "operator-calendar-refused")


async def test_calendar_form_works_without_javascript(browser, live_server, world):
    await factories.account(OPERATOR, role="operator", base_ids=[world.bases["sanya"]["id"]])
    context = await browser.new_context(
        base_url=live_server, locale="zh-CN", java_script_enabled=False, extra_http_headers=visitor_address()
    )
    page = await context.new_page()
    try:
        await page.goto("/login?next=/operator")
        await page.fill("#login", OPERATOR)
        await page.fill("#password", factories.PASSWORD)
        await page.get_by_role("button", name="登录", exact=True).click()
        base_id = world.bases["sanya"]["id"]
        night = world.start + dt.timedelta(days=3)
        await page.goto(f"/operator/bases/{base_id}/calendar?month={month_of(night)}")
        await page.fill("#first_night", night.isoformat())
        await page.fill("#last_night", night.isoformat())
        await page.fill("#beds", "4")
        await page.get_by_role("button", name="设置床位").click()
        await page.locator(".notice.ok").wait_for()
        assert await beds_on(base_id, night) == 4
    finally:
        await context.close()


async def test_manifest_page_prints_and_downloads_a_csv_for_excel(signed_in, client, world, tmp_path):
    page = signed_in
    sharing = await book(client, world, "13800000001", tour="vacation")
    await client.put(
        sharing.path, json=with_companion(diet=["diabetic"], mobility_aid="cane"), headers=sharing.booker.headers
    )
    private = await book(client, world, "13800000002", tour="vacation")
    await client.put(
        private.path,
        json=declaration_body(consent={"collect": True, "share_with_base": False}),
        headers=private.booker.headers,
    )
    tour_id = world.tours["vacation"]["id"]
    await page.goto(f"/operator/tours/{tour_id}")
    await page.get_by_role("link", name="出行名单").click()
    await page.wait_for_url(f"**/operator/tours/{tour_id}/manifest")
    table = page.locator("table.manifest")
    assert "旅客0001" in await table.inner_text() and "未共享" in await table.inner_text()
    assert await page.get_by_role("button", name="打印").is_visible()
    assert await accessibility_violations(page) == []
    await screenshot(page, "operator-manifest")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="下载 Excel 表格（CSV）").click()
    download = await waiting.value
    assert download.suggested_filename == f"manifest-tour-{tour_id}.csv"
    target = tmp_path / download.suggested_filename
    await download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("姓名,年龄,性别,预订编号")
    assert len(lines) == 3 and any("糖尿病餐" in line for line in lines) and any("未共享" in line for line in lines)


async def test_other_console_pages_have_no_serious_accessibility_violations(signed_in, client, world):
    page = signed_in
    booked = await book(client, world, "13800000001", tour="vacation")
    declaration = await client.put(booked.path, json=declaration_body(), headers=booked.booker.headers)
    account = await factories.account("13800000005")
    traveller = await factories.traveller(account)
    stay = await factories.past_stay(
        world.tours["vacation"],
        account,
        [traveller["id"]],
        arrival=world.start - dt.timedelta(days=30),
        departure=world.start - dt.timedelta(days=23),
    )
    await factories.feedback(stay, traveller["id"], comment="房间干净,饭菜可口。")
    tour_id = world.tours["vacation"]["id"]
    base_id = world.bases["sanya"]["id"]
    for path in (
        "/operator/tours",
        "/operator/tours/new",
        f"/operator/tours/{tour_id}",
        f"/operator/tours/{tour_id}/edit",
        f"/operator/tours/{tour_id}/cancel",
        f"/operator/bases/{base_id}/arrivals?date={(world.start + dt.timedelta(days=10)).isoformat()}",
        f"/operator/bases/{base_id}/manifest?date={(world.start + dt.timedelta(days=10)).isoformat()}",
        "/operator/declarations",
        f"/operator/declarations/{declaration.json()['id']}",
        "/operator/feedback",
    ):
        await page.goto(path)
        assert await page.title(), path
        assert await accessibility_violations(page) == [], path
    await page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/operator", f"/operator/tours/{tour_id}", "/operator/declarations"):
        await page.goto(path)
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, path


async def test_tour_form_shows_only_the_parts_of_the_chosen_kind(signed_in):
    page = signed_in
    await page.goto("/operator/tours/new")
    assert await page.locator("#seats").is_visible()
    assert not await page.locator("#min_nights").is_visible()
    await page.select_option("#mode", "migratory")
    assert await page.locator("#min_nights").is_visible()
    assert not await page.locator("#seats").is_visible()
