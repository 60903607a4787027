"""The whole booking done with the keyboard alone: Tab to reach things, Space and the arrow keys
to choose, Enter to go on. No clicks, no filling by script."""

from __future__ import annotations

import datetime as dt

import pytest

from sojourn import db as database
from tests import factories
from tests.browser.test_journey import ANSWERED_NO, Words

pytestmark = pytest.mark.timeout(180)
LOGIN = "13800138000"


async def tab_to(page, locator, *, limit: int = 150) -> None:
    """Press Tab until ``locator`` has the focus: it must be reachable by keyboard, in order."""
    target = locator.first
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{locator} never got the keyboard focus")


async def enter(page) -> None:
    """Enter on the focused link or button, and wait for the page it leads to."""
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def test_a_booking_made_with_the_keyboard_alone(page, db):
    t = Words("zh_CN")
    world = await factories.small_world()
    tour = world.tours["vacation"]
    account_id = await factories.account(LOGIN, name="王秀兰")
    traveller = await factories.traveller(account_id, name="王秀兰", birth=dt.date(1955, 4, 12))
    async with database.connection() as conn:  # her profile names an emergency contact: the form starts from it
        await conn.execute(
            "UPDATE traveller SET emergency_name = '王强', emergency_phone = '13900001111', emergency_relation = '儿子' "
            "WHERE id = $1",
            traveller["id"],
        )

    await page.goto("/login")
    await tab_to(page, page.locator("#login"))
    await page.keyboard.type(LOGIN)
    await tab_to(page, page.get_by_label(t("Password"), exact=True))
    await page.keyboard.type(factories.PASSWORD)
    await enter(page)

    await page.goto(f"/tours/{tour['id']}")
    await tab_to(page, page.locator(".book-button"))
    await enter(page)

    # Who travels: Space ticks the box, Enter on the button goes on.
    box = page.locator(f"#traveller-{traveller['id']}")
    await tab_to(page, box)
    ticked = await box.is_checked()  # the only traveller comes ticked
    await page.keyboard.press("Space")
    assert await box.is_checked() is not ticked
    if ticked:
        await page.keyboard.press("Space")
    assert await box.is_checked()
    await tab_to(page, page.get_by_role("button", name=t("Continue"), exact=True))
    await enter(page)

    await tab_to(page, page.get_by_role("button", name=t("Hold the beds for me")))
    await enter(page)
    assert "/health" in page.url

    # The health form: radio groups by arrow keys, consents by Space.
    await tab_to(page, page.get_by_role("link", name=t("Fill in the health form for %(name)s", name="王秀兰")))
    await enter(page)
    # Nothing is chosen beforehand: each question is answered, "no" here, by arrow key.
    for question in ("conditions-hypertension-has", *ANSWERED_NO, "comes-along"):
        await tab_to(page, page.locator(f"#{question}-yes"))
        await page.keyboard.press("ArrowRight")  # moves to "no" and chooses it
        assert await page.locator(f"#{question}-no").is_checked()
    for consent in ("#consent-collect", "#consent-share-with-base"):
        await tab_to(page, page.locator(consent))
        await page.keyboard.press("Space")
        assert await page.locator(consent).is_checked()
    await tab_to(page, page.get_by_role("button", name=t("Send the health form")))
    await enter(page)

    await tab_to(page, page.get_by_role("link", name=t("Continue: check and confirm")))
    await enter(page)
    await tab_to(page, page.get_by_role("button", name=t("Confirm the booking")))
    await enter(page)
    assert page.url.endswith("/confirmed")

    async with database.connection() as conn:
        status = await conn.fetchval("SELECT status FROM booking WHERE account = $1", account_id)
    assert status == "confirmed"
