"""The new account pages (issue 15) in a browser: axe-clean, usable without JavaScript."""

from tests import factories
from tests.browser.conftest import accessibility_violations

ME = "13800138000"


async def test_recovery_registration_and_invitation_pages_are_accessible(page, db):
    for path in ("/password/forgot", "/register", "/invitation"):
        await page.goto(path)
        assert await accessibility_violations(page) == [], path
    await page.goto("/password/forgot")
    await page.fill("#login", ME)
    async with page.expect_navigation():
        await page.click("form[action='/password/forgot'] button[type=submit]")
    assert await page.locator("#code").count() == 1
    assert await accessibility_violations(page) == []
    await page.goto("/register")
    await page.fill("#display_name", "李阿姨")
    await page.fill("#phone", "13900001234")
    async with page.expect_navigation():
        await page.click("form[action='/register/code'] button[type=submit]")
    assert await page.locator("#code").count() == 1
    assert await accessibility_violations(page) == []


async def test_the_account_page_offers_the_rights(page, db):
    await factories.account(ME, name="王秀兰")
    await page.goto("/login")
    await page.fill("#login", ME)
    await page.fill("#password", factories.PASSWORD)
    async with page.expect_navigation():
        await page.press("#password", "Enter")
    await page.goto("/account")
    assert await page.locator("a[href='/account/export']").count() == 1
    assert await page.locator("form[action='/account/close']").count() == 1
    assert await accessibility_violations(page) == []
