"""The whole journey in a real browser, once in Chinese and once in English: search, a seasonal
stay for two (the second added on the way), health forms, confirm, cancel with undo offered,
and feedback after an earlier trip. axe-core checks every page on the way."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sojourn import db as database
from sojourn.feedback.tables import RATING_ASPECTS
from sojourn.i18n import translations
from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot
from tests.pinned import PINNED_TODAY

LOGIN = "13800138000"


class Words:
    """The page's words for a msgid, whatever the catalogs hold when the test runs."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, message: str, **values: object) -> str:
        text = translations(self.locale).gettext(message) if self.locale == "zh_CN" else message
        return text % values if values else text


async def family_account(locale: str) -> tuple[int, int]:
    """An account with one traveller (the account holder); the second is added while booking."""
    account_id = await factories.account(LOGIN, name="王秀兰")
    holder = await factories.traveller(account_id, name="王秀兰", birth=dt.date(1955, 4, 12))
    async with database.connection() as conn:
        await conn.execute("UPDATE account SET locale = $2 WHERE id = $1", account_id, locale)
        await conn.execute(
            "UPDATE traveller SET emergency_name = '王强', emergency_phone = '13900001111', emergency_relation = '儿子', "
            "is_account_holder = TRUE WHERE id = $1",
            holder["id"],
        )
    return account_id, holder["id"]


async def no_violations(page, where: str) -> None:
    assert await accessibility_violations(page) == [], where


async def sign_in_on_page(page, t) -> None:
    await page.get_by_label(t("Mobile number or e-mail address")).fill(LOGIN)
    await page.get_by_label(t("Password"), exact=True).fill(factories.PASSWORD)
    await page.get_by_role("button", name=t("Sign in"), exact=True).click()
    await page.wait_for_load_state()


ANSWERED_NO = (
    "conditions-heart-disease-has",
    "conditions-diabetes-has",
    "conditions-copd-asthma-has",
    "conditions-stroke-history-has",
    "recent-hospital-stay-had",
    "cognitive-impairment",
    "epilepsy",
    "medications-takes",
    "oxygen",
    "cpap",
    "certificate-has",
    "insurance-has",
)


async def fill_declaration(page, t, *, companion: str | None) -> None:
    await no_violations(page, "declaration form")
    # Nothing is chosen for her: every question gets its own answer.
    assert await page.locator("input[type=radio][value=no]:checked").count() == 0
    await page.check("#conditions-hypertension-has-yes")
    await page.check("#conditions-hypertension-controlled-yes")  # shown once "yes" is chosen
    for question in ANSWERED_NO:
        await page.check(f"#{question}-no")
    if companion:
        await page.check("#comes-along-yes")
        await page.fill("#companion-name", companion)
        await page.fill("#companion-relation", "丈夫")
    else:
        await page.check("#comes-along-no")
    await page.check("#consent-collect")
    await page.check("#consent-share-with-base")
    await page.get_by_role("button", name=t("Send the health form")).click()
    await page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_the_whole_journey_from_search_to_feedback(page, db, locale):
    t = Words(locale)
    tag = "zh" if locale == "zh_CN" else "en"
    world = await factories.small_world()
    account_id, holder_id = await family_account(locale)
    tour = world.tours["migratory"]
    arrival = tour["starts_on"] + dt.timedelta(days=5)
    departure = arrival + dt.timedelta(days=30)

    # Search
    await page.goto("/")
    if locale == "en":
        await page.get_by_role("button", name="English").click()
        await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == ("zh-CN" if locale == "zh_CN" else "en")
    await no_violations(page, "home")
    await page.get_by_label(t("Kind of trip")).select_option("migratory")
    await page.get_by_label(t("Where to")).select_option("460000")
    await page.get_by_role("button", name=t("Search"), exact=True).click()
    await page.wait_for_function("() => document.querySelectorAll('.tour-card').length === 1")
    await screenshot(page, f"journey-search-{tag}")
    await page.get_by_role(
        "link", name=t("三亚冬季候鸟康养" if locale == "zh_CN" else "Sanya winter stay")
    ).first.click()
    await page.wait_for_load_state()

    # The tour page: dates give nights and the total, from the server
    await no_violations(page, "tour page")
    await page.fill("#arrival", arrival.isoformat())
    await page.fill("#departure", departure.isoformat())
    await page.select_option("#party", "2")
    await page.wait_for_function("() => document.querySelector('#price-result').textContent.includes('¥5,000')")
    await screenshot(page, f"journey-tour-{tag}")
    await page.get_by_role("button", name=t("Book these dates")).click()
    await page.wait_for_load_state()

    # Not signed in yet: sign in, and come back to the same step with the dates kept
    assert "/login" in page.url
    await sign_in_on_page(page, t)
    assert f"/book/{tour['id']}" in page.url and f"arrival={arrival.isoformat()}" in page.url
    await no_violations(page, "step 1")
    await page.check(f"#traveller-{holder_id}")

    # Add a family member on the way; the ticked one stays ticked
    await page.get_by_role("button", name=t("Add a family member")).click()
    await page.wait_for_load_state()
    await no_violations(page, "add a family member")
    await page.get_by_label(t("Full name")).fill("李建国")
    await page.get_by_label(t("Year")).fill("1950")
    await page.get_by_label(t("Month"), exact=True).fill("9")
    await page.get_by_label(t("Day"), exact=True).fill("1")
    await page.fill("#emergency_name", "王强")
    await page.fill("#emergency_phone", "13900001111")
    await page.fill("#emergency_relation", "儿子")
    await page.get_by_role("button", name=t("Add and go back")).click()
    await page.wait_for_load_state()
    assert await page.locator("input[name=traveller_ids]:checked").count() == 2
    await page.get_by_role("button", name=t("Continue"), exact=True).click()
    await page.wait_for_load_state()

    # Dates (kept from the tour page)
    assert await page.input_value("#arrival") == arrival.isoformat()
    await no_violations(page, "step 2")
    await page.get_by_role("button", name=t("Continue"), exact=True).click()
    await page.wait_for_load_state()

    # Hold
    await no_violations(page, "step 3")
    assert "¥5,000" in await page.locator(".total").inner_text()
    await page.get_by_role("button", name=t("Hold the beds for me")).click()
    await page.wait_for_load_state()
    booking_id = int(re.search(r"/trips/(\d+)/health", page.url).group(1))
    await no_violations(page, "step 4")

    # A health form for each traveller
    for name, companion in (("王秀兰", "李建国"), ("李建国", None)):
        await page.get_by_role("link", name=t("Fill in the health form for %(name)s", name=name)).click()
        await page.wait_for_load_state()
        if name == "王秀兰":
            await screenshot(page, f"journey-declaration-{tag}")
        await fill_declaration(page, t, companion=companion)
        assert page.url.endswith(f"/trips/{booking_id}/health")
    assert await page.get_by_text(t("sent, the base will check it")).count() == 2

    # Check and confirm
    await page.get_by_role("link", name=t("Continue: check and confirm")).click()
    await page.wait_for_load_state()
    await no_violations(page, "step 5")
    assert "¥5,000" in await page.locator(".total").inner_text()
    await screenshot(page, f"journey-review-{tag}")
    await page.get_by_role("button", name=t("Confirm the booking")).click()
    await page.wait_for_load_state()
    assert page.url.endswith(f"/trips/{booking_id}/confirmed")
    await no_violations(page, "step 6")

    # My trips, then cancel: the refund is on the page before the button
    await page.get_by_role("link", name=t("Go to my trips")).click()
    await page.wait_for_load_state()
    await no_violations(page, "my trips")
    await screenshot(page, f"journey-trips-{tag}")
    await page.get_by_role("link", name=t("Cancel (you would get back %(price)s)", price="¥5,000")).click()
    await page.wait_for_load_state()
    await no_violations(page, "cancel page")
    assert (
        t("If you cancel now, you get back %(refund)s of %(total)s.", refund="¥5,000", total="¥5,000")
        in await page.content()
    )
    await page.get_by_role("button", name=t("Yes, cancel this booking")).click()
    await page.wait_for_load_state()
    assert await page.get_by_role("button", name=t("Undo the cancellation")).count() == 1
    await no_violations(page, "cancelled trip")
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "cancelled"

    # Feedback on an earlier trip that is over
    today = PINNED_TODAY  # the live server's clock starts there
    travellers = [row["id"] async for row in _travellers(account_id)]
    past = await factories.past_stay(
        world.tours["vacation"],
        account_id,
        travellers,
        arrival=today - dt.timedelta(days=20),
        departure=today - dt.timedelta(days=5),
    )
    await page.goto(f"/trips/{past['id']}/feedback")
    await no_violations(page, "feedback")
    await screenshot(page, f"journey-feedback-{tag}")
    for aspect in RATING_ASPECTS:
        await page.check(f"#{aspect}-4")
    await page.check("#nps-9")
    await page.fill("#comment", "护士很耐心,饭菜清淡可口。")
    await page.get_by_role("button", name=t("Save my feedback")).click()
    await page.wait_for_load_state()
    assert t("Thank you! Your feedback is saved. You can change it for 14 days.") in await page.content()
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT nps FROM feedback WHERE booking = $1", past["id"]) == 9


async def _travellers(account_id: int):
    async with database.connection() as conn:
        for row in await conn.fetch("SELECT id FROM traveller WHERE account = $1 ORDER BY id", account_id):
            yield row
