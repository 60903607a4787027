"""Elder mode (长辈版) on the booking pages: no serious or critical accessibility violation, and
no sideways scrolling on a phone, from the search to my trips."""

from __future__ import annotations

import re

from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.test_journey import Words, family_account, sign_in_on_page


async def test_the_booking_pages_in_elder_mode_on_a_phone(page, db):
    t = Words("zh_CN")
    world = await factories.small_world()
    _, holder = await family_account("zh_CN")
    tour = world.tours["vacation"]
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto("/login")
    await page.get_by_role("button", name=t("Larger text (elder mode)")).click()
    await page.wait_for_load_state()
    assert await page.evaluate("document.documentElement.classList.contains('elder')")
    await sign_in_on_page(page, t)

    async def check(where: str) -> None:
        assert await page.evaluate("document.documentElement.classList.contains('elder')"), where
        assert await accessibility_violations(page) == [], where
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, where

    for path in ("/", f"/tours/{tour['id']}", f"/book/{tour['id']}"):
        await page.goto(path)
        await check(path)
    await page.goto(f"/book/{tour['id']}/hold?traveller_ids={holder}")
    await check("hold step")
    await page.get_by_role("button", name=t("Hold the beds for me")).click()
    await page.wait_for_load_state()
    booking_id = int(re.search(r"/trips/(\d+)/health", page.url).group(1))
    await check("health step")
    await page.goto(f"/trips/{booking_id}/health/{holder}")
    await check("health form")
    await screenshot(page, "health-form-elder-phone")
    for path in (f"/trips/{booking_id}/review", "/trips", f"/trips/{booking_id}"):
        await page.goto(path)
        await check(path)
