"""The frame every page shares: languages, elder mode, keyboard, reflow, no accessibility errors."""

from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot


async def test_home_page_in_both_languages_has_no_serious_accessibility_violations(page, db):
    await factories.small_world()
    await page.goto("/")
    assert await page.get_attribute("html", "lang") == "zh-CN"
    assert await accessibility_violations(page) == []
    await page.get_by_role("button", name="English").click()
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "en"
    assert await accessibility_violations(page) == []
    await screenshot(page, "home-en")


async def smallest_text(page) -> float:
    """The smallest font size of any visible element with text."""
    return await page.evaluate(
        "Math.min(...[...document.querySelectorAll('body *')].filter(e => e.offsetParent && e.textContent.trim())"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
    )


async def test_elder_mode_makes_text_and_targets_larger(page, db):
    await page.goto("/login")
    body_size = await page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size >= 18
    assert await smallest_text(page) >= 18
    await page.get_by_role("button", name="长辈版(大字)").click()
    await page.wait_for_load_state()
    elder_size = await page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder_size > body_size
    button = page.get_by_role("button", name="登录", exact=True)
    box = await button.bounding_box()
    assert box["height"] >= 60 and box["width"] >= 60
    heading = await page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert heading >= 30
    # Every piece of text on the page, hints included, is at least 20 px in elder mode.
    assert await smallest_text(page) >= 20
    assert await accessibility_violations(page) == []
    await screenshot(page, "login-elder-mode")


async def test_sign_in_works_with_the_keyboard_alone(page, db):
    await factories.account("13800138000", name="王秀兰")
    await page.goto("/login")
    await page.keyboard.press("Tab")  # skip link first
    focused = await page.evaluate("document.activeElement.textContent")
    assert "跳到正文" in focused
    await page.focus("#login")
    await page.keyboard.type("13800138000")
    await page.keyboard.press("Tab")
    await page.keyboard.type(factories.PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/")
    assert "王秀兰" in await page.content() or await page.get_by_role("link", name="我的账户").count() == 1


async def test_pages_reflow_at_320_pixels_without_sideways_scrolling(page, db):
    await factories.small_world()
    await page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/login", "/register"):
        await page.goto(path)
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, path
