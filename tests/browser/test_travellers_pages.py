"""The people-I-book-for pages in a real browser: a family member added with the keyboard alone,
and no serious accessibility problems in normal and elder mode."""

import datetime as dt

from sojourn import db as sojourn_db
from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot

ME = "13800138000"


async def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has focus: it must be reachable with the keyboard."""
    for _ in range(limit):
        if await page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never got the focus with Tab")


async def keyboard_sign_in(page, login: str) -> None:
    await page.goto("/login")
    await tab_to(page, "login")
    await page.keyboard.type(login)
    await page.keyboard.press("Tab")
    await page.keyboard.type(factories.PASSWORD)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert "/login" not in page.url


async def test_adding_a_family_member_with_the_keyboard_alone(page, db):
    account_id = await factories.account(ME, name="王秀兰")
    await factories.traveller(account_id, name="王秀兰")
    await keyboard_sign_in(page, ME)
    await page.goto("/account/travellers")
    await tab_to(page, "add-traveller")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/account/travellers/new")

    await tab_to(page, "name")
    await page.keyboard.type("王建国")
    await page.keyboard.press("Tab")
    await page.keyboard.type("1950-06-15")
    await page.keyboard.press("Tab")  # gender
    await page.keyboard.press("ArrowDown")  # "Female" after "Prefer not to say"
    await page.keyboard.press("ArrowDown")  # "Male"
    await page.keyboard.press("Tab")
    await page.keyboard.type("1390013")  # too short: the page must say so
    await page.keyboard.press("Tab")  # home province: Heilongjiang is the 8th province
    for _ in range(8):
        await page.keyboard.press("ArrowDown")
    await tab_to(page, "emergency_name")
    await page.keyboard.type("王强")
    await page.keyboard.press("Tab")
    await page.keyboard.type("13900001111")
    await page.keyboard.press("Tab")
    await page.keyboard.type("儿子")
    await tab_to(page, "save-traveller")
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus can be seen
    async with page.expect_navigation():
        await page.keyboard.press("Enter")

    # The error is explained next to the field and everything typed is still there.
    assert await page.locator("#phone-error").count() == 1
    assert await page.input_value("#name") == "王建国"
    assert await page.input_value("#home_province_code") == "230000"
    assert await page.evaluate("document.activeElement.id") == "error-summary"
    await tab_to(page, "phone")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("13900139000")
    await tab_to(page, "save-traveller")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.locator(".notice.ok").count() == 1
    assert await page.locator("text=王建国").count() >= 1
    async with sojourn_db.connection() as conn:
        row = await conn.fetchrow("SELECT gender, phone, home_province_code FROM traveller WHERE name = '王建国'")
    assert dict(row) == {"gender": "male", "phone": "13900139000", "home_province_code": "230000"}


async def test_traveller_pages_have_no_serious_accessibility_violations_in_normal_and_elder_mode(page, db):
    world = await factories.small_world()
    account_id = await factories.account(ME, name="王秀兰")
    booked = await factories.traveller(account_id, name="王秀兰")
    free = await factories.traveller(account_id, name="王建国", birth=dt.date(1950, 6, 15))
    agent_id = await factories.account("13300000001", role="agent")
    await factories.agent_mandate(booked["id"], agent_id)
    await factories.past_stay(
        world.tours["vacation"],
        account_id,
        [booked["id"]],
        arrival=world.start,
        departure=world.start + dt.timedelta(days=7),
    )
    await keyboard_sign_in(page, ME)
    pages = [
        "/account/travellers",
        "/account/travellers/new?next=/account",
        f"/account/travellers/{free['id']}/edit",
        f"/account/travellers/{free['id']}/delete",
    ]
    for mode in ("normal", "elder"):
        if mode == "elder":
            await page.goto("/account/travellers")
            async with page.expect_navigation():
                await page.click("form[action='/preferences/elder-mode'] button")
            assert await page.evaluate("document.body.classList.contains('elder')")
        for path in pages:
            await page.goto(path)
            assert await accessibility_violations(page) == [], (mode, path)
        # A form with errors, too.
        await page.goto("/account/travellers/new")
        async with page.expect_navigation():
            await page.click("#save-traveller")
        assert await page.locator(".field-error").count() >= 4
        assert await accessibility_violations(page) == [], (mode, "errors")
        await page.goto("/account/travellers")
        await screenshot(page, f"account-travellers-{mode}")
    await page.set_viewport_size({"width": 320, "height": 640})
    await page.goto("/account/travellers")
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
