"""The hotline desk in a real browser: find a senior, record their consent, see them; open an
account for a senior who has none; no serious accessibility problems in normal and elder mode."""

import datetime as dt

from sojourn import db as sojourn_db
from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.test_travellers_pages import keyboard_sign_in

AGENT = "13300000001"
SENIOR = "13800138000"


async def seed_senior() -> tuple[int, int]:
    account_id = await factories.account(SENIOR, name="王秀兰")
    traveller = await factories.traveller(account_id, name="王秀兰", birth=dt.date(1955, 4, 12))
    async with sojourn_db.connection() as conn:
        await conn.execute(
            "UPDATE traveller SET phone = $2, emergency_name = '王强', emergency_phone = '13900001111', "
            "emergency_relation = '儿子' WHERE id = $1",
            traveller["id"],
            SENIOR,
        )
    return account_id, traveller["id"]


async def find(page, number: str) -> None:
    await page.fill("#query", number)
    async with page.expect_navigation():
        await page.click("#find-senior")


async def test_agent_finds_a_senior_records_consent_and_sees_them(page, db):
    await factories.account(AGENT, role="agent", name="热线小李")
    account_id, traveller_id = await seed_senior()
    await keyboard_sign_in(page, AGENT)
    await page.goto("/hotline")
    assert await accessibility_violations(page) == []

    await find(page, "138 0013 8000")
    result = page.locator(f"#senior-{account_id}")
    assert await result.count() == 1
    text = await result.inner_text()
    assert "王**" in text and "138****8000" in text and "王秀兰" not in text
    assert await accessibility_violations(page) == []
    await screenshot(page, "hotline-search-results")

    await page.fill(f"#reference-{traveller_id}", "96111-20261201-0042")
    await page.check(f"#confirmed-{traveller_id}")
    async with page.expect_navigation():
        await page.click(f"form[action='/hotline/travellers/{traveller_id}/mandate'] button[type=submit]")
    assert page.url.endswith(f"/hotline/seniors/{account_id}")
    main = await page.inner_text("main")
    assert "王秀兰" in main and "王强" in main and "96111-20261201-0042" in main
    assert await page.get_attribute("#book-for-senior", "href") == f"/tours?for={account_id}"
    assert await accessibility_violations(page) == []
    await screenshot(page, "hotline-senior")

    await page.goto("/hotline")
    assert await page.locator(f"a[href='/hotline/seniors/{account_id}']").count() >= 1
    await screenshot(page, "hotline-desk")


async def test_agent_opens_an_account_for_a_senior_who_has_none(page, db):
    await factories.account(AGENT, role="agent", name="热线小李")
    await keyboard_sign_in(page, AGENT)
    await page.goto("/hotline")
    await find(page, "13600136000")
    async with page.expect_navigation():
        await page.click("#open-account")
    assert await page.input_value("#login_phone") == "13600136000"
    await page.fill("#name", "李桂英")
    await page.fill("#birth_date", "1952-08-01")
    await page.select_option("#home_province_code", "220000")
    await page.fill("#emergency_name", "李强")
    await page.fill("#emergency_phone", "13900001111")
    await page.fill("#emergency_relation", "儿子")
    await page.fill("#reference", "96111-0007")
    async with page.expect_navigation():
        await page.click("#open-account-submit")
    # Not ticked "the senior said yes": explained, and nothing typed is lost.
    assert await page.locator("#confirmed-error").count() == 1
    assert await page.input_value("#name") == "李桂英"
    assert await accessibility_violations(page) == []
    await page.check("#confirmed")
    async with page.expect_navigation():
        await page.click("#open-account-submit")
    assert "/hotline/seniors/" in page.url
    assert "李桂英" in await page.inner_text("h1")


async def test_desk_pages_have_no_serious_accessibility_violations_in_normal_and_elder_mode(page, db):
    world = await factories.small_world()
    agent_id = await factories.account(AGENT, role="agent", name="热线小李")
    account_id, traveller_id = await seed_senior()
    spouse = await factories.traveller(account_id, name="王建国", birth=dt.date(1950, 6, 15))
    await factories.agent_mandate(traveller_id, agent_id)
    await factories.past_stay(
        world.tours["vacation"],
        account_id,
        [traveller_id],
        arrival=world.start,
        departure=world.start + dt.timedelta(days=7),
    )
    await keyboard_sign_in(page, AGENT)
    for mode in ("normal", "elder"):
        if mode == "elder":
            await page.goto("/hotline")
            async with page.expect_navigation():
                await page.click("form[action='/preferences/elder-mode'] button")
            assert await page.evaluate("document.body.classList.contains('elder')")
        for path in (
            "/hotline",
            f"/hotline/seniors/{account_id}",
            "/hotline/seniors/new",
            f"/hotline/seniors/{account_id}/travellers/new",
        ):
            await page.goto(path)
            assert await accessibility_violations(page) == [], (mode, path)
        await page.goto("/hotline")
        await find(page, SENIOR)  # results: one senior with consent, one person without
        assert await page.locator(f"#reference-{spouse['id']}").count() == 1
        assert await accessibility_violations(page) == [], (mode, "results")
        async with page.expect_navigation():
            await page.click(f"form[action='/hotline/travellers/{spouse['id']}/mandate'] button[type=submit]")
        assert await page.locator("#reference-error").count() == 1  # the consent page with its errors
        assert await accessibility_violations(page) == [], (mode, "consent errors")
        await page.goto("/hotline")
        await find(page, "12")
        assert await page.locator("#query-error").count() == 1
        assert await accessibility_violations(page) == [], (mode, "search errors")
        await page.goto(f"/hotline/seniors/{account_id}")
        await screenshot(page, f"hotline-senior-{mode}")
        await page.goto("/hotline")
        await screenshot(page, f"hotline-{mode}")
    await page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/hotline", f"/hotline/seniors/{account_id}"):
        await page.goto(path)
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, path
