"""The hold countdown (WCAG 2.2.1): a warning at least two minutes before the beds are released,
spoken politely at 2 minutes (not every second), "more time" in one press, and a clear ending.
The live server keeps its default 15-minute holds; the tests move a hold's end with SQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from zoneinfo import ZoneInfo

from sojourn import db as database
from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot, visitor_address
from tests.browser.test_journey import Words, family_account, sign_in_on_page


async def held_booking(page, locale: str = "zh_CN") -> tuple[int, Words]:
    t = Words(locale)
    world = await factories.small_world()
    _, holder = await family_account(locale)
    await page.goto("/login")
    await sign_in_on_page(page, t)
    await page.goto(f"/book/{world.tours['vacation']['id']}/hold?traveller_ids={holder}")
    await page.get_by_role("button", name=t("Hold the beds for me")).click()
    await page.wait_for_load_state()
    return int(re.search(r"/trips/(\d+)/health", page.url).group(1)), t


async def until(read, expected, seconds: float = 5.0):
    """Poll ``read()`` until it returns ``expected`` (pages run under a CSP without eval)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await read()
        if value == expected or asyncio.get_running_loop().time() > deadline:
            assert value == expected
            return
        await asyncio.sleep(0.2)


async def ends_in(page, booking_id: int, seconds: int) -> dt.datetime:
    """Make the hold end ``seconds`` after the live server's now — its clock, read from the page it
    serves (the server's clock is pinned: tests.pinned), not the database's."""
    await page.goto(f"/trips/{booking_id}/review")
    server_now = dt.datetime.fromisoformat(await page.locator("#hold-countdown").get_attribute("data-now"))
    async with database.connection() as conn:
        return await conn.fetchval(
            "UPDATE booking SET hold_expires_at = $2 WHERE id = $1 RETURNING hold_expires_at",
            booking_id,
            server_now + dt.timedelta(seconds=seconds),
        )


async def test_the_warning_comes_two_minutes_before_and_more_time_extends_the_hold(page, db):
    booking_id, t = await held_booking(page)
    before = await ends_in(page, booking_id, 124)
    await page.goto(f"/trips/{booking_id}/review")
    box = page.locator("#hold-countdown")
    assert "warning" not in (await box.get_attribute("class"))
    # Only the slowly changing minutes are a timer; the ticking clock is hidden from screen readers.
    assert await box.locator("[role=timer]").count() == 1
    assert await box.locator("[data-clock]").get_attribute("aria-hidden") == "true"
    await page.wait_for_function(
        "() => document.querySelector('#hold-countdown').classList.contains('warning')", timeout=15000
    )
    announced = t("Less than 2 minutes left. Press More time if you need longer.")
    await until(lambda: page.locator("[data-announce]").text_content(), announced)
    assert await box.locator(".warning-text").is_visible()
    assert await accessibility_violations(page) == []
    await screenshot(page, "journey-hold-warning")

    await page.get_by_role("button", name=t("More time")).click()
    await page.wait_for_function(
        "() => !document.querySelector('#hold-countdown').classList.contains('warning')", timeout=5000
    )
    async with database.connection() as conn:
        after = await conn.fetchval("SELECT hold_expires_at FROM booking WHERE id = $1", booking_id)
    assert after - before == dt.timedelta(minutes=15)
    assert "/review" in page.url  # swapped in place: nothing on the page was lost
    assert await page.evaluate("document.activeElement.hasAttribute('data-more-time')")
    until_time = after.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    await until(
        lambda: page.locator("[data-announce]").text_content(),
        t("More time: your beds are now held until %(time)s.", time=until_time),
    )


async def test_when_time_is_up_the_page_says_so_and_offers_to_start_again(page, db):
    booking_id, t = await held_booking(page)
    await ends_in(page, booking_id, 3)
    await page.goto(f"/trips/{booking_id}/review")
    await page.wait_for_function(
        "() => document.querySelector('#hold-countdown').classList.contains('expired')", timeout=10000
    )
    assert await page.get_by_role("link", name=t("Start again with the same choices")).is_visible()
    assert await page.get_by_role("button", name=t("Confirm the booking")).is_disabled()
    # The server says so too (its clock may be a moment behind the page's countdown).
    for _ in range(10):
        await page.reload()
        if await page.get_by_role("heading", name=t("The time ran out")).count() == 1:
            break
        await asyncio.sleep(0.5)
    assert await page.get_by_role("heading", name=t("The time ran out")).count() == 1
    assert await accessibility_violations(page) == []


async def test_without_javascript_the_page_gives_the_time_and_a_more_time_button(browser, live_server, db):
    context = await browser.new_context(
        base_url=live_server, locale="zh-CN", java_script_enabled=False, extra_http_headers=visitor_address()
    )
    page = await context.new_page()
    try:
        booking_id, t = await held_booking(page)
        await page.goto(f"/trips/{booking_id}/review")
        held = await page.locator("#hold-countdown").inner_text()
        assert re.search(r"\d{2}:\d{2}", held)
        before = await ends_in(page, booking_id, 600)
        await page.get_by_role("button", name=t("More time")).click()
        await page.wait_for_load_state()
        assert page.url.endswith(f"/trips/{booking_id}/review")
        async with database.connection() as conn:
            after = await conn.fetchval("SELECT hold_expires_at FROM booking WHERE id = $1", booking_id)
        assert after - before == dt.timedelta(minutes=15)
    finally:
        await context.close()
