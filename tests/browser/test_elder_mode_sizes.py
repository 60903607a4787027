"""Elder mode (长辈版) is large enough: body text at least 24 px, every target at least 60 × 60 px,
and on a phone (390 × 844) the price and the main booking button on the first screen of a tour."""

from __future__ import annotations

from sojourn import db as database
from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.test_journey import Words, family_account, sign_in_on_page

PHONE = {"width": 390, "height": 844}

# Buttons, fields and links that stand alone (links inside a sentence are exempt, as in WCAG 2.5.8).
TARGETS = """[...document.querySelectorAll(
    'button, .button, input:not([type=hidden]), select, .site-nav a, .back a, .month-nav a, .pager a')]
  .filter(e => e.offsetParent)
  .map(e => { const r = e.getBoundingClientRect();
              return {text: (e.textContent || e.name || '').trim().slice(0, 30), width: r.width, height: r.height}; })"""

SMALLEST_TEXT = """Math.min(...[...document.querySelectorAll('body *')]
  .filter(e => e.offsetParent && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => parseFloat(getComputedStyle(e).fontSize)))"""


async def _elder_mode_on(page) -> None:
    await page.get_by_role("button", name="长辈版(大字)").click()
    await page.wait_for_load_state()
    assert await page.evaluate("document.documentElement.classList.contains('elder')")


async def _box(page, selector: str) -> dict:
    box = await page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


async def test_elder_mode_text_is_24_px_and_targets_60_px_on_a_phone(page, db):
    world = await factories.small_world()
    await page.set_viewport_size(PHONE)
    for tour in (world.tours["vacation"], world.tours["migratory"]):
        await page.goto(f"/tours/{tour['id']}")
        if not await page.evaluate("document.documentElement.classList.contains('elder')"):
            await _elder_mode_on(page)
        assert await page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24
        assert await page.evaluate(SMALLEST_TEXT) >= 24, tour["mode"]
        small = [t for t in await page.evaluate(TARGETS) if t["width"] < 60 or t["height"] < 60]
        assert small == [], (tour["mode"], small)
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, tour["mode"]
        assert await accessibility_violations(page) == [], tour["mode"]


async def test_on_a_phone_in_elder_mode_the_price_and_the_book_button_are_on_the_first_screen(page, db):
    world = await factories.small_world()
    _, holder = await family_account("zh_CN")
    async with database.connection() as conn:  # she lives in Beijing: the exchange is open to her
        await conn.execute("UPDATE traveller SET home_province_code = '110000' WHERE id = $1", holder)
    await page.set_viewport_size(PHONE)
    await page.goto("/login")
    await _elder_mode_on(page)
    await sign_in_on_page(page, Words("zh_CN"))  # signed in, the menu is at its longest
    header = await page.locator(".site-header").bounding_box()
    assert header["height"] <= 200, header  # was 310 px: the header must not push the page away
    for tour in (world.tours["vacation"], world.tours["interactive"]):
        await page.goto(f"/tours/{tour['id']}")
        await screenshot(page, f"tour-{tour['mode']}-elder-phone")
        for selector in (".book-panel .price", ".book-panel .book-button"):
            box = await _box(page, selector)
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (tour["mode"], selector, box)
    # A long stay asks for dates first: its price and the first date field are on the first screen.
    await page.goto(f"/tours/{world.tours['migratory']['id']}")
    for selector in (".book-panel .price", "#arrival"):
        box = await _box(page, selector)
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], ("migratory", selector, box)
