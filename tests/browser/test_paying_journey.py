"""A senior pays by "scanning", in a real browser against the live server WITH payments: she holds a
trip, sees what is due and what she would get back, chooses WeChat Pay and sees the QR code; her
"phone" (a second page at the payment sandbox) opens the code and pays; WeChat's signed notification
reaches the server and confirms the trip; the receipt shows the payment. Then she cancels: the trip
says the refund is in progress, the refund waits for the end of the undo window, the refund job pays
it through the sandbox, and the trip says it arrived. The ledger balances afterwards (``paying_page``).

The server and the sandbox keep real time, so the waits are generous (a loaded 2-core machine)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from urllib.parse import quote

from sojourn.clock import Clock
from sojourn.payments import refunds
from tests.browser.conftest import accessibility_violations, screenshot, watched_page
from tests.browser.test_journey import Words, sign_in_on_page
from tests.browser.test_keyboard_booking import enter, tab_to
from tests.payment_helpers import SANDBOX, eventually, fetch, fetchval, with_payments

WAIT = 60.0  # seconds for what the sandbox and the server do on their own time
PHONE_AMOUNT = "¥3800.00"  # the sandbox's phone shows the amount as the providers write it


async def shown_after_reloads(page, text: str, *, seconds: float = WAIT) -> str:
    """Reload the page until it says ``text`` (the notification arrives on its own time); its content."""
    deadline = time.monotonic() + seconds
    while True:
        content = await page.content()
        if text in content:
            return content
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never said {text!r}; it says:\n{await page.inner_text('main')}")
        await asyncio.sleep(1)
        await page.reload()
        await page.wait_for_load_state()


async def hold_on_pages(page, t, paying_world, *, elder: bool = False) -> int:
    await page.goto("/login")
    if elder:
        await page.get_by_role("button", name=t("Larger text (elder mode)")).click()
        await page.wait_for_load_state()
    await sign_in_on_page(page, t)
    tour = paying_world.world.tours["vacation"]
    await page.goto(f"/book/{tour['id']}/hold?traveller_ids={paying_world.traveller_id}")
    await page.get_by_role("button", name=t("Hold the beds for me")).click()
    await page.wait_for_load_state()
    found = re.search(r"/trips/(\d+)/", page.url)
    assert found, page.url
    return int(found.group(1))


async def test_a_senior_pays_by_scanning_then_cancels_and_sees_her_refund_arrive(
    paying_page, paying_context, paying_world, settings, payments_server
):
    page, t = paying_page, Words("zh_CN")
    page.set_default_timeout(30_000)
    booking_id = await hold_on_pages(page, t, paying_world)

    # The trip, on hold, offers to pay; the pay page gives the amount and the refund schedule first.
    await page.goto(f"/trips/{booking_id}")
    await page.get_by_role("link", name=t("Pay"), exact=True).click()
    await page.wait_for_load_state()
    assert page.url.endswith(f"/trips/{booking_id}/pay")
    content = await page.content()
    assert t("To pay now: %(amount)s.", amount="¥3,800") in content
    assert t("Your booking is confirmed as soon as this payment arrives.") in content
    schedule = page.locator("table.refund-schedule tbody tr")
    assert await schedule.count() >= 1
    assert "¥3,800" in await schedule.first.inner_text()  # cancelling right away gives everything back
    assert await accessibility_violations(page) == []

    await page.get_by_role("button", name=t("Pay with WeChat")).click()
    await page.wait_for_load_state()
    await page.get_by_role("heading", name=t("Scan with WeChat to pay %(amount)s", amount="¥3,800")).wait_for()
    qr = page.get_by_role("img", name=t("QR code for WeChat Pay"))
    assert await qr.locator("svg").count() == 1
    await screenshot(page, "pay-wechat-qr")

    # Her phone reads the code (the code_url the QR code holds) and pays at the sandbox.
    code_url = await fetchval("SELECT code_url FROM payment WHERE booking = $1 AND status = 'pending'", booking_id)
    assert code_url.startswith("weixin://wxpay/bizpayurl?pr="), code_url
    phone = await watched_page(paying_context)
    phone.set_default_timeout(30_000)
    await phone.goto(f"{SANDBOX.url}/sandbox/scan?code_url={quote(code_url, safe='')}")
    assert await phone.title() == "扫码支付"
    assert PHONE_AMOUNT in await phone.inner_text("main")
    await phone.get_by_role("button", name="支付 Pay").click()
    await phone.wait_for_load_state()
    assert "支付成功 Paid" in await phone.inner_text("main")
    await phone.close()

    # Back on the computer: the notification confirmed the trip.
    await page.get_by_role("link", name=t("I have paid: show my trip")).click()
    await page.wait_for_load_state()
    assert page.url.endswith(f"/trips/{booking_id}")
    content = await shown_after_reloads(page, t("Confirmed"))
    assert t("Pay") not in await page.get_by_role("link").all_inner_texts()
    payment = (
        await fetch(
            "SELECT status, provider_transaction_id AS transaction_id, amount_fen FROM payment WHERE booking = $1",
            booking_id,
        )
    )[0]
    assert (payment["status"], payment["amount_fen"]) == ("paid", 380000)
    assert await fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"

    # The receipt shows the payment: how, its transaction number, the amount.
    await page.goto(f"/trips/{booking_id}/receipt")
    receipt = await page.inner_text("main")
    assert payment["transaction_id"] in receipt
    assert t("WeChat Pay") in receipt and "¥3,800" in receipt
    assert await accessibility_violations(page) == []

    # She cancels: everything back (she confirmed minutes ago), paid once the undo window is over.
    await page.goto(f"/trips/{booking_id}")
    await page.get_by_role("link", name=t("Cancel this booking")).click()
    await page.wait_for_load_state()
    assert t("If you cancel now, you get back %(refund)s of %(total)s.", refund="¥3,800", total="¥3,800") in (
        await page.content()
    )
    cancelled_at = Clock().now()
    await page.get_by_role("button", name=t("Yes, cancel this booking")).click()
    await page.wait_for_load_state()
    content = await page.content()
    assert t("Refund in progress: it goes back to the account you paid from.") in content
    assert await page.get_by_role("button", name=t("Undo the cancellation")).count() == 1
    scheduled = await fetch("SELECT amount_fen, not_before, status FROM payment_refund WHERE booking = $1", booking_id)
    assert [(r["amount_fen"], r["status"]) for r in scheduled] == [(380000, "scheduled")]
    assert scheduled[0]["not_before"] > cancelled_at + dt.timedelta(minutes=9)  # not before the undo window ends

    # The refund job (every minute on a real server) pays nothing during the undo window; after it,
    # the refund goes out through the sandbox, whose refund notification reaches the server.
    pay_settings = with_payments(settings, public_url=payments_server)
    assert await refunds.pay_due_refunds(now=Clock().now(), settings=pay_settings) == 0
    await refunds.pay_due_refunds(now=Clock().now() + dt.timedelta(minutes=11), settings=pay_settings)

    async def refund_paid() -> bool:
        return await fetchval("SELECT status = 'paid' FROM payment_refund WHERE booking = $1", booking_id)

    await eventually(refund_paid, timeout=WAIT, what="WeChat's refund notification")
    arrived = t("Refund arrived: %(price)s is back in the account you paid from.", price="¥3,800")
    await shown_after_reloads(page, arrived)
    await screenshot(page, "refund-arrived")
    assert await accessibility_violations(page) == []


async def test_the_pay_page_in_elder_mode_is_accessible_and_paid_with_the_keyboard_alone(
    paying_page, paying_context, paying_world
):
    page, t = paying_page, Words("zh_CN")
    page.set_default_timeout(30_000)
    booking_id = await hold_on_pages(page, t, paying_world, elder=True)

    async def check(where: str) -> None:
        assert await page.evaluate("document.documentElement.classList.contains('elder')"), where
        assert await accessibility_violations(page) == [], where

    await page.goto(f"/trips/{booking_id}/pay")
    await check("the pay page")
    await tab_to(page, page.get_by_role("button", name=t("Pay with WeChat")))
    await enter(page)
    await page.get_by_role("heading", name=t("Scan with WeChat to pay %(amount)s", amount="¥3,800")).wait_for()
    await check("the QR code")
    await screenshot(page, "pay-wechat-qr-elder")

    # The phone pays with its keyboard too (a senior's tablet with a keyboard case).
    code_url = await fetchval("SELECT code_url FROM payment WHERE booking = $1 AND status = 'pending'", booking_id)
    phone = await watched_page(paying_context)
    phone.set_default_timeout(30_000)
    await phone.goto(f"{SANDBOX.url}/sandbox/scan?code_url={quote(code_url, safe='')}")
    await tab_to(phone, phone.get_by_role("button", name="支付 Pay"))
    await enter(phone)
    assert "支付成功 Paid" in await phone.inner_text("main")
    await phone.close()

    await tab_to(page, page.get_by_role("link", name=t("I have paid: show my trip")))
    await enter(page)
    assert page.url.endswith(f"/trips/{booking_id}")
    await shown_after_reloads(page, t("Confirmed"))
    await check("the confirmed trip")
    assert await fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"
