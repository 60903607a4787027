"""Fapiao in a real browser against the live server WITH payments: a senior in elder mode, with the
keyboard alone, asks for a company fapiao on her paid trip's page (a mistyped tax number explained
first), and finance (a coordinator of the base's member) records it issued from the alliance pages;
her trip then says it is issued. Every page axe-clean. (Paying by scanning: test_paying_journey.)"""

from __future__ import annotations

from sojourn.clock import Clock
from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot, visitor_address, watched_page
from tests.browser.test_journey import Words
from tests.browser.test_keyboard_booking import enter, tab_to
from tests.browser.test_paying_journey import hold_on_pages, shown_after_reloads
from tests.payment_helpers import china_today, fetch, fetchval

FINANCE = "caiwu@hainan.example"
COMPANY = "三亚阳光养老服务有限公司"
TAX_NUMBER = "91350100M000100Y43"
FAPIAO_NUMBER = "26462000000012345678"


async def test_a_senior_asks_for_a_fapiao_by_keyboard_in_elder_mode_and_finance_records_it(
    paying_page, paying_world, sandbox, browser, payments_server
):
    page, t = paying_page, Words("zh_CN")
    page.set_default_timeout(30_000)
    booking_id = await hold_on_pages(page, t, paying_world, elder=True)
    await page.goto(f"/trips/{booking_id}/pay")
    await page.get_by_role("button", name=t("Pay with WeChat")).click()
    await page.wait_for_load_state()
    out_trade_no = await fetchval("SELECT out_trade_no FROM payment WHERE booking = $1", booking_id)
    sandbox.control("pay", {"provider": "wechat", "out_trade_no": out_trade_no})
    await page.goto(f"/trips/{booking_id}")
    await shown_after_reloads(page, t("Whose name goes on the fapiao?"))

    async def check(where: str) -> None:
        assert await page.evaluate("document.documentElement.classList.contains('elder')"), where
        assert await accessibility_violations(page) == [], where

    await check("the paid trip with the fapiao form")
    # The radio group is one tab stop (the checked "personal"); the arrow key moves to "company".
    await tab_to(page, page.locator("#title_kind-personal"))
    await page.keyboard.press("ArrowRight")
    assert await page.locator("#title_kind-company").is_checked()
    await tab_to(page, page.locator("#title"))
    await page.keyboard.type(COMPANY)
    await tab_to(page, page.locator("#tax_number"))
    await page.keyboard.type(TAX_NUMBER[:-1] + "4")  # one character mistyped
    await tab_to(page, page.get_by_role("button", name=t("Request a fapiao")))
    await enter(page)
    summary = page.locator("#error-summary")
    assert t("This tax number is not right: a character was mistyped. Copy it again from the company's papers.") in (
        await summary.inner_text()
    )
    assert await page.locator("#title").input_value() == COMPANY  # what she typed is kept
    await check("the form with its error")
    await screenshot(page, "fapiao-form-error-elder")

    await tab_to(page, page.locator("#tax_number"))
    await page.keyboard.press("Control+A")
    await page.keyboard.type(TAX_NUMBER)
    await tab_to(page, page.get_by_role("button", name=t("Request a fapiao")))
    await enter(page)
    assert page.url.endswith(f"/trips/{booking_id}#fapiao")
    section = await page.locator("#fapiao").inner_text()
    assert t("Requested") in section and COMPANY in section and TAX_NUMBER in section
    await check("the trip with the fapiao requested")

    # Finance: the coordinator of the base's member, on the alliance pages.
    await factories.account(FINANCE, role="coordinator", member_ids=[paying_world.world.members["hi"]["id"]])
    context = await browser.new_context(
        base_url=payments_server,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        extra_http_headers=visitor_address(),
    )
    desk = await watched_page(context)
    desk.set_default_timeout(30_000)
    await desk.goto("/login")
    await desk.get_by_label(t("Mobile number or e-mail address")).fill(FINANCE)
    await desk.get_by_label(t("Password"), exact=True).fill(factories.PASSWORD)
    await desk.get_by_role("button", name=t("Sign in"), exact=True).click()
    await desk.wait_for_load_state()
    await desk.goto("/alliance")
    await desk.get_by_role("link", name=t("Fapiao requests")).click()
    await desk.wait_for_load_state()
    assert COMPANY in await desk.locator("table.fapiao-queue").inner_text()
    assert await accessibility_violations(desk) == [], "the fapiao queue"
    reference = await fetchval("SELECT reference FROM booking WHERE id = $1", booking_id)
    await tab_to(desk, desk.get_by_role("link", name=f"{t('Mark issued')} {reference}"))
    await enter(desk)
    assert await accessibility_violations(desk) == [], "marking a fapiao issued"
    await tab_to(desk, desk.locator("#invoice_number"))
    await desk.keyboard.type(FAPIAO_NUMBER)
    await desk.locator("#issued_on").fill(china_today(Clock().now()).isoformat())
    await tab_to(desk, desk.get_by_role("button", name=t("Record as issued and tell the senior")))
    await enter(desk)
    assert desk.url.endswith("/alliance/invoices")
    assert await fetchval("SELECT status FROM invoice_request") == "issued"
    await screenshot(desk, "fapiao-queue-after-issue")
    await context.close()

    await page.reload()
    section = await page.locator("#fapiao").inner_text()
    assert t("Issued") in section and FAPIAO_NUMBER in section
    await check("the trip with the fapiao issued")
    told = await fetch("SELECT kind FROM outbox_message WHERE kind = 'fapiao_issued'")
    assert len(told) == 1
