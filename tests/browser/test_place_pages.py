"""Knowing the place before going, in a real browser: the photo gallery (lazy, WebP with JPEG,
by keyboard, in elder mode on a phone), the climate chart over its table, the trip page and the
printable confirmation with its QR code, search by dates, and the operators' place page with a
photo upload. axe-core checks each page; the pages' CSP stays strict."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from sojourn import db
from sojourn.bases.photo_store import store_processed
from sojourn.bases.photos import process_photo
from sojourn.demo.seed_places import draw_illustration
from tests import booking_helpers, factories, photo_helpers
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.test_journey import LOGIN, Words, family_account, sign_in_on_page
from tests.pinned import PINNED_NOW

pytestmark = pytest.mark.browser
OPERATOR = "ops@sanya.cn"


@pytest.fixture
async def world(db, client):
    world = await factories.small_world(beds=10)
    sanya = world.bases["sanya"]["id"]
    async with db_connection() as conn:
        await conn.execute(
            "INSERT INTO base_place (base, latitude, longitude, airport_zh, airport_en, airport_km, pickup_offered,"
            " climate_source) VALUES ($1, 18.318, 109.735, '三亚凤凰国际机场', 'Sanya Phoenix International Airport', 42,"
            " TRUE, '测试数据')",
            sanya,
        )
        await conn.execute("UPDATE base SET contact_phone = '0898-0000 0101' WHERE id = $1", sanya)
        await conn.executemany(
            "INSERT INTO base_climate_month (base, month, high_c, low_c, rain_mm, rainy) VALUES ($1, $2, $3, $4, $5, $6)",
            [(sanya, m, 26 + m % 6, 18 + m % 5, 20 * m, m in (8, 9)) for m in range(1, 13)],
        )
        for n, (scene, land) in enumerate((("outside", "beach"), ("room", "beach"), ("outside", "forest"))):
            processed = process_photo(draw_illustration(scene, land, seed=n))
            await store_processed(
                conn,
                sanya,
                processed,
                f"示意图{n}：海边的楼",
                f"Illustration {n}: the building",
                uploaded_by=None,
                now=PINNED_NOW,  # when the photo was uploaded: the pinned instant, like every test
            )
    return world


def db_connection():
    return db.connection()


async def test_the_gallery_works_by_keyboard_and_in_elder_mode_on_a_phone(page, world):
    sanya = world.bases["sanya"]["id"]
    await page.goto(f"/bases/{sanya}")
    assert await accessibility_violations(page) == []
    images = page.locator(".gallery img")
    assert await images.count() == 3
    assert await images.nth(0).get_attribute("loading") is None  # the first one is wanted at once
    assert await images.nth(1).get_attribute("loading") == "lazy"
    assert await page.locator('.gallery source[type="image/webp"]').count() == 3
    assert await images.nth(0).evaluate("img => img.complete && img.naturalWidth > 0")
    await page.wait_for_selector(".climate-chart[data-chart-ready]")
    assert await page.locator(".climate-table tbody tr").count() == 12

    large = page.locator(".photo-large").first
    for _ in range(60):  # Tab until the first "see it larger" link has the focus
        await page.keyboard.press("Tab")
        if await large.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("the 'see it larger' link cannot be reached with Tab")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith(".jpg")

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"/bases/{sanya}")
    await page.get_by_role("button", name="长辈版").click()
    await page.wait_for_load_state()
    assert await page.evaluate("document.documentElement.classList.contains('elder')")
    assert await accessibility_violations(page) == []
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    await screenshot(page, "base-page-elder-phone")

    await page.goto(f"/tours/{world.tours['migratory']['id']}")
    assert await page.locator(".gallery img").count() == 3
    assert await accessibility_violations(page) == []


async def test_the_trip_page_and_the_printable_confirmation(page, world, client):
    t = Words("zh_CN")
    _account, holder = await family_account("zh_CN")
    headers = await factories.bearer(client, LOGIN)
    held = await client.post(
        "/api/v1/bookings", json={"tour_id": world.tours["vacation"]["id"], "traveller_ids": [holder]}, headers=headers
    )
    booking = held.json()
    await booking_helpers.confirm(client, booking["id"], headers)

    await page.goto(f"/login?next=/trips/{booking['id']}")
    await sign_in_on_page(page, t)
    assert await accessibility_violations(page) == []
    assert await page.locator('a[href="tel:089800000101"]').count() >= 1
    assert await page.get_by_text("12393").count() >= 1

    await page.get_by_role("link", name=t("Confirmation to print or share")).click()
    await page.wait_for_load_state()
    assert await accessibility_violations(page) == []
    assert await page.locator(".qr-code svg path").count() == 1
    print_button = page.get_by_role("button", name=t("Print this page"))
    assert await print_button.is_visible()  # shown by its script (hidden without JavaScript)
    await screenshot(page, "trip-confirmation")
    async with page.expect_download() as download:
        await page.get_by_role("link", name=t("Add to my calendar (.ics)")).click()
    path = await (await download.value).path()
    assert (await asyncio.to_thread(Path(path).read_bytes)).startswith(b"BEGIN:VCALENDAR\r\n")


async def test_searching_by_dates_with_the_keyboard(page, world):
    t = Words("zh_CN")
    start = world.start
    await page.goto("/tours")
    await page.fill("#arrival", (start + dt.timedelta(days=5)).isoformat())
    await page.fill("#departure", (start + dt.timedelta(days=41)).isoformat())
    await page.focus("#party")
    await page.keyboard.press("ArrowDown")  # two people
    await page.focus("#q")
    await page.keyboard.press("Enter")  # HTMX swaps the results in and puts the search in the address
    await page.wait_for_url("**arrival=**")
    assert "party=2" in page.url
    await page.get_by_text(t("For your dates")).first.wait_for()
    assert await accessibility_violations(page) == []
    await screenshot(page, "search-by-dates")


async def test_an_operator_adds_a_photo_on_the_place_page(page, world, tmp_path):
    await factories.account(OPERATOR, role="operator", name="三亚前台", base_ids=[world.bases["sanya"]["id"]])
    await page.goto(f"/login?next=/operator/bases/{world.bases['sanya']['id']}/place")
    await page.fill("#login", OPERATOR)
    await page.fill("#password", factories.PASSWORD)
    await page.get_by_role("button", name="登录", exact=True).click()
    await page.wait_for_url("**/place")
    assert await accessibility_violations(page) == []
    photo = tmp_path / "IMG_0001.HEIC"
    photo.write_bytes(photo_helpers.heic())
    await page.set_input_files("#photo", str(photo))
    await page.fill("#alt_zh", "餐厅里的圆桌")
    await page.fill("#alt_en", "Round tables in the dining room")
    await page.get_by_role("button", name="添加照片").click()
    await page.wait_for_load_state()
    assert await page.locator(".photo-admin > li").count() == 4
    assert await page.locator('.photo-admin img[alt="餐厅里的圆桌"]').count() == 1
    assert await accessibility_violations(page) == []
