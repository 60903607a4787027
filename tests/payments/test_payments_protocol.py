"""The whole payment path with the real SDKs against the sandbox process: Sojourn asks the sandbox
over HTTP with signed requests, the sandbox notifies a real ``sojourn serve`` with signed
notifications, and the tests check what ended up in PostgreSQL. No SDK, HTTP or database is mocked.

The sandbox keeps real time (as the providers do), so these tests use a real clock and dates
counted from it. After every test the ledger must balance for every booking with money.
"""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from sojourn import db as sojourn_db
from sojourn.clock import Clock
from sojourn.payments import ledger, reconciliation, refunds, repair
from tests import factories
from tests.payment_helpers import (
    PayingWorld,
    china_today,
    eventually,
    fetch,
    fetchval,
    held_booking,
    money_fingerprint,
    wechat_paid_notification,
    with_payments,
)
from tests.web_helpers import sign_in

pytestmark = pytest.mark.slow


@pytest.fixture
def real_clock() -> Clock:
    return Clock()


@pytest.fixture
def pay_settings(settings, payments_server):
    return with_payments(settings, public_url=payments_server)


@pytest.fixture
async def pay_client(db, pay_settings, real_clock, sandbox):
    from sojourn.app import create_app

    app = create_app(pay_settings, clock=real_clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client
    assert await ledger.check_ledger(now=real_clock.now()) == []


async def _paid(payment_id: int) -> bool:
    return await fetchval("SELECT status = 'paid' FROM payment WHERE id = $1", payment_id)


async def _pay(
    client, w: PayingWorld, provider: str = "wechat", channel: str = "native", **headers: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/bookings/{w.booking['id']}/payments",
        json={"provider": provider, "channel": channel},
        headers={**w.headers, **headers},
    )


async def _confirm_and_cancel(client, w: PayingWorld, settings, now: dt.datetime) -> int:
    """The payment confirmed the booking; then she cancels, and the refund the policy gives is scheduled
    after the undo window by the cancellation itself. Returns the refund in fen."""
    shown = await client.get(f"/api/v1/bookings/{w.booking['id']}", headers=w.headers)
    assert shown.json()["status"] == "confirmed", shown.text
    cancelled = await client.post(
        f"/api/v1/bookings/{w.booking['id']}/cancel", json={"reason": "家里有事"}, headers=w.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["refund_status"] == "scheduled"
    scheduled = await fetch("SELECT amount_fen, not_before FROM payment_refund WHERE booking = $1", w.booking["id"])
    assert [r["amount_fen"] for r in scheduled] == [cancelled.json()["refund_fen"]]
    assert scheduled[0]["not_before"] > now + dt.timedelta(minutes=9)  # not before the undo window is over
    return cancelled.json()["refund_fen"]


async def test_a_wechat_payment_notified_three_times_is_recorded_once(pay_client, pay_settings, real_clock, sandbox):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    first = await _pay(pay_client, w, **{"Idempotency-Key": "pay-1"})
    assert first.status_code == 201, first.text
    payment = first.json()
    assert payment["status"] == "pending" and payment["amount_fen"] == 380000 and payment["kind"] == "full"
    assert payment["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    # The same key repeats the answer; without a key the open payment is handed out again, never a twin.
    again = await _pay(pay_client, w, **{"Idempotency-Key": "pay-1"})
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == payment
    twin = await _pay(pay_client, w)
    assert twin.status_code == 201 and twin.json()["id"] == payment["id"]
    assert await fetchval("SELECT count(*) FROM payment WHERE booking = $1", w.booking["id"]) == 1

    assert sandbox.control("pay", {"provider": "wechat", "out_trade_no": payment["out_trade_no"], "copies": 3})["paid"]
    await eventually(lambda: _paid(payment["id"]), what="the payment notification")
    await eventually(lambda: _all_delivered(sandbox, 3), what="all three deliveries answered")
    assert await fetchval("SELECT count(*) FROM ledger_entry WHERE booking = $1", w.booking["id"]) == 1
    assert await fetchval("SELECT count(*) FROM payment_notification") == 1  # one event, received three times
    listed = await pay_client.get(f"/api/v1/bookings/{w.booking['id']}/payments", headers=w.headers)
    body = listed.json()
    assert body["paid_fen"] == 380000 and body["items"][0]["transaction_id"].startswith("4200")
    assert body["refund_schedule"][0]["refund_fen"] == 380000  # the tour's policy, shown as data
    nothing = await _pay(pay_client, w)
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_due"


async def _all_delivered(sandbox, count: int) -> bool:
    accepted = [d for d in sandbox.deliveries() if d["accepted"]]
    return len(accepted) >= count


async def test_alipay_page_payment_through_the_cashier(pay_client, pay_settings, real_clock, sandbox):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    started = await _pay(pay_client, w, provider="alipay", channel="page")
    assert started.status_code == 201, started.text
    payment = started.json()
    async with httpx.AsyncClient() as browser:
        cashier = await browser.get(payment["pay_url"])  # the senior's browser carries the signed request
        assert cashier.status_code == 200 and "支付宝收银台" in cashier.text
        action = re.search(r'action="(/sandbox/phone/[^"]+/pay)"', cashier.text).group(1)
        paid = await browser.post(f"{sandbox.url}{action}")
        assert "支付成功" in paid.text
    await eventually(lambda: _paid(payment["id"]), what="Alipay's notification")
    assert any(d["accepted"] and "'success'" in d["answer"] for d in sandbox.deliveries())


async def test_a_tampered_alipay_request_is_refused_by_the_provider(pay_client, pay_settings, real_clock, sandbox):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w, provider="alipay", channel="wap")).json()
    tampered = payment["pay_url"].replace("total_amount%22%3A%223800.00", "total_amount%22%3A%220.01")
    assert tampered != payment["pay_url"]
    async with httpx.AsyncClient() as browser:
        refused = await browser.get(tampered)
    assert refused.status_code == 400 and "invalid-signature" in refused.text


async def test_a_wrong_amount_is_quarantined_then_repaired_by_asking_the_provider(
    pay_client, pay_settings, real_clock, sandbox
):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w)).json()
    sandbox.control("pay", {"provider": "wechat", "out_trade_no": payment["out_trade_no"], "amount_fen": 1})

    async def quarantined() -> bool:
        return await fetchval("SELECT count(*) FROM payment_notification WHERE outcome = 'quarantined'") == 1

    await eventually(quarantined, what="the wrong amount quarantined")
    reason = await fetchval("SELECT reason FROM payment_notification")
    assert "1 fen notified, 380000 fen ordered" in reason
    assert not await _paid(payment["id"]) and await fetchval("SELECT count(*) FROM ledger_entry") == 0
    # The provider's own record has the right amount: query-and-repair records the payment.
    outcome = await repair.repair_payment(payment["id"], settings=pay_settings, now=real_clock.now())
    assert outcome == "paid" and await _paid(payment["id"])


async def test_notifications_out_of_order_end_in_the_right_state(pay_client, pay_settings, real_clock, sandbox):
    """The payment's notification is held back (the server missed it); the refund's arrives first."""
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w)).json()
    sandbox.control("faults", {"hold_notifications": True})
    sandbox.control("pay", {"provider": "wechat", "out_trade_no": payment["out_trade_no"]})
    assert await repair.repair_payment(payment["id"], settings=pay_settings, now=real_clock.now()) == "paid"
    now = real_clock.now()
    amount = await _confirm_and_cancel(pay_client, w, pay_settings, now)
    assert amount == 380000  # within 10 minutes of confirming: all of it
    assert await refunds.pay_due_refunds(now=now, settings=pay_settings) == 0  # not before the undo window ends
    assert await refunds.pay_due_refunds(now=now + dt.timedelta(minutes=11), settings=pay_settings) == 1

    async def both_held() -> bool:
        # The payment's, and the refund's once WeChat settles it a moment after accepting it.
        return len(sandbox.held()) == 2

    await eventually(both_held, what="two notifications held at the sandbox")
    assert sandbox.control("release", {"newest_first": True})["released"] == 2

    async def refunded() -> bool:
        return (
            await fetchval("SELECT status = 'paid' FROM payment_refund")
            and await fetchval("SELECT count(*) FROM payment_notification") == 2
        )

    await eventually(refunded, what="both notifications handled")
    outcomes = [row["outcome"] for row in await fetch("SELECT outcome FROM payment_notification ORDER BY id")]
    assert outcomes == ["processed", "ignored"]  # the refund first; the late payment news changes nothing
    assert await fetchval("SELECT status FROM payment WHERE id = $1", payment["id"]) == "paid"
    listed = (await pay_client.get(f"/api/v1/bookings/{w.booking['id']}/payments", headers=w.headers)).json()
    assert (listed["paid_fen"], listed["refunded_fen"], listed["refund_status"]) == (380000, 380000, "paid")


async def test_a_bad_signature_or_a_replay_changes_nothing(pay_client, pay_settings, real_clock, sandbox):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w)).json()
    before = await money_fingerprint()
    for headers, body in (
        wechat_paid_notification(payment["out_trade_no"], 380000, real_clock.now(), forged=True),
        wechat_paid_notification(payment["out_trade_no"], 380000, real_clock.now() - dt.timedelta(minutes=11)),
    ):
        answer = await pay_client.post("/api/v1/payments/notify/wechat", content=body, headers=headers)
        assert answer.status_code == 400 and answer.json()["code"] == "FAIL"
    assert await money_fingerprint() == before


async def test_a_cancelled_booking_is_refunded_after_the_undo_window_and_she_sees_it_arrive(
    pay_client, pay_settings, real_clock, sandbox
):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w)).json()
    sandbox.control("pay", {"provider": "wechat", "out_trade_no": payment["out_trade_no"]})
    await eventually(lambda: _paid(payment["id"]), what="the payment notification")
    now = real_clock.now()
    refund = await _confirm_and_cancel(pay_client, w, pay_settings, now)
    assert refund == 380000  # just confirmed: everything paid goes back
    assert await refunds.pay_due_refunds(now=now + dt.timedelta(minutes=5), settings=pay_settings) == 0  # undo time
    await refunds.pay_due_refunds(now=now + dt.timedelta(minutes=11), settings=pay_settings)

    async def arrived() -> bool:
        shown = await pay_client.get(f"/api/v1/bookings/{w.booking['id']}", headers=w.headers)
        return shown.json()["refund_status"] == "paid"

    await eventually(arrived, what="WeChat's refund notification")
    shown = (await pay_client.get(f"/api/v1/bookings/{w.booking['id']}", headers=w.headers)).json()
    assert (shown["paid_fen"], shown["refunded_fen"]) == (380000, 380000)
    told = await fetch("SELECT payload FROM outbox_message WHERE kind = 'refund_paid'")
    assert len(told) == 1 and '"refund_fen": 380000' in told[0]["payload"]
    await sign_in(pay_client, "13900000001", factories.PASSWORD)
    page = await pay_client.get(f"/trips/{w.booking['id']}", headers={"Accept-Language": "zh-CN"})
    assert "已到账：¥3,800 已退回您付款的账户。" in page.text


async def test_a_refused_refund_is_retried_until_it_is_paid(pay_client, pay_settings, real_clock, sandbox):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w, provider="alipay", channel="page")).json()
    async with httpx.AsyncClient() as browser:
        await browser.get(payment["pay_url"])
    sandbox.control("pay", {"provider": "alipay", "out_trade_no": payment["out_trade_no"]})
    await eventually(lambda: _paid(payment["id"]), what="Alipay's notification")
    now = real_clock.now()
    await _confirm_and_cancel(pay_client, w, pay_settings, now)
    sandbox.control("faults", {"failing_refunds": 1})
    later = now + dt.timedelta(minutes=11)
    await refunds.pay_due_refunds(now=later, settings=pay_settings)
    refund = (await fetch("SELECT * FROM payment_refund"))[0]
    assert (refund["status"], refund["attempts"]) == ("scheduled", 1) and "SELLER_BALANCE_NOT_ENOUGH" in refund[
        "last_error"
    ]
    assert await refunds.pay_due_refunds(now=later, settings=pay_settings) == 0  # waits for its backoff
    await refunds.pay_due_refunds(now=later + dt.timedelta(minutes=2), settings=pay_settings)
    refund = (await fetch("SELECT * FROM payment_refund"))[0]
    assert (refund["status"], refund["attempts"]) == ("paid", 2)
    assert await fetchval("SELECT sum(amount_fen) FROM ledger_entry WHERE kind = 'refund'") == -380000


async def test_a_refund_that_keeps_failing_surfaces_to_an_admin(pay_client, pay_settings, real_clock, sandbox):
    from dataclasses import replace

    settings = replace(pay_settings, refund_max_attempts=2)
    w = await held_booking(pay_client, settings, real_clock.now())
    payment = (await _pay(pay_client, w)).json()
    sandbox.control("pay", {"provider": "wechat", "out_trade_no": payment["out_trade_no"]})
    await eventually(lambda: _paid(payment["id"]), what="the payment notification")
    now = real_clock.now()
    await _confirm_and_cancel(pay_client, w, settings, now)
    sandbox.control("faults", {"failing_refunds": 5})
    for minutes in (11, 30):
        await refunds.pay_due_refunds(now=now + dt.timedelta(minutes=minutes), settings=settings)
    async with sojourn_db.connection() as conn:
        waiting = await refunds.refunds_needing_attention(conn)
    assert [(r["status"], r["attempts"]) for r in waiting] == [("failed", 2)]
    assert "NOT_ENOUGH" in waiting[0]["last_error"]
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'refund_failed'") == 1
    listed = (await pay_client.get(f"/api/v1/bookings/{w.booking['id']}/payments", headers=w.headers)).json()
    assert listed["refund_status"] == "failed"


async def test_reconciliation_lists_differences_and_repairs_a_lost_notification(
    pay_client, pay_settings, real_clock, sandbox
):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w)).json()
    sandbox.control("pay", {"provider": "wechat", "out_trade_no": payment["out_trade_no"], "silent": True})
    now = real_clock.now()
    # A ledger line the provider never saw (a bug, or money recorded against the wrong merchant).
    async with sojourn_db.connection() as conn:
        await conn.execute(
            "INSERT INTO ledger_entry (booking, base, member, payee, payment, provider, kind, provider_ref, amount_fen, occurred_at) "
            "SELECT b.id, b.base, bs.member, $2, $3, 'wechat', 'payment', '4200PHANTOM', 100, $4 "
            "FROM booking b JOIN base bs ON bs.id = b.base WHERE b.id = $1",
            w.booking["id"], w.payees["wechat"], payment["id"], now,
        )  # fmt: skip
    found = await reconciliation.reconcile_day(china_today(now), settings=pay_settings, now=now)
    differences = {row["kind"]: row for row in await fetch("SELECT * FROM reconciliation_difference")}
    assert found == 2 and set(differences) == {"missing_in_ledger", "missing_in_bill"}
    assert differences["missing_in_ledger"]["resolved_at"] is not None  # repaired by asking the provider
    assert (
        differences["missing_in_bill"]["reference"] == "4200PHANTOM"
        and differences["missing_in_bill"]["resolved_at"] is None
    )
    assert await _paid(payment["id"])
    # Run again: nothing new is listed twice, and the provider's fee is now in the ledger once.
    assert await reconciliation.reconcile_day(china_today(now), settings=pay_settings, now=now) == 0
    fee = await fetchval("SELECT amount_fen FROM ledger_entry WHERE kind = 'fee'")
    assert fee == -((380000 * 6 + 500) // 1000)  # the sandbox charges 0.6 %
    await _remove_phantom()


async def _remove_phantom() -> None:
    # The phantom entry breaks the ledger on purpose; take it out so the after-test check sees the real books.
    async with sojourn_db.connection() as conn:
        await conn.execute("DELETE FROM ledger_entry WHERE provider_ref = '4200PHANTOM'")


async def test_the_money_report_counts_a_refund_paid_at_the_sandbox_and_the_escrow_gives_it_back(
    pay_client, pay_settings, real_clock, sandbox
):
    from tests.stats_helpers import coordinator

    w = await held_booking(pay_client, pay_settings, real_clock.now())
    hainan = w.world.members["hi"]["id"]
    headers = await coordinator(pay_client, "hainan@sojourn.example", hainan)
    payment = (await _pay(pay_client, w)).json()
    sandbox.control("pay", {"provider": "wechat", "out_trade_no": payment["out_trade_no"]})
    await eventually(lambda: _paid(payment["id"]), what="the payment notification")

    async def report() -> dict:
        answer = await pay_client.get("/api/v1/stats/money", headers=headers)
        assert answer.status_code == 200, answer.text
        (row,) = answer.json()
        return row

    paid = await report()
    assert (paid["collected_fen"], paid["refunded_fen"], paid["escrow_fen"]) == (380000, 0, 380000)
    now = real_clock.now()
    assert await _confirm_and_cancel(pay_client, w, pay_settings, now) == 380000
    assert (await report())["escrow_fen"] == 380000  # owed back, still in escrow until it is paid
    await refunds.pay_due_refunds(now=now + dt.timedelta(minutes=11), settings=pay_settings)

    async def refunded() -> bool:
        return await fetchval("SELECT status = 'paid' FROM payment_refund")

    await eventually(refunded, what="WeChat's refund notification")
    row = await report()
    # The same figures recounted from the raw rows of the payment and the refund.
    assert row["collected_fen"] == await fetchval("SELECT sum(amount_fen) FROM payment WHERE status = 'paid'")
    assert row["refunded_fen"] == await fetchval("SELECT sum(amount_fen) FROM payment_refund WHERE status = 'paid'")
    assert (row["collected_fen"], row["refunded_fen"], row["outstanding_fen"], row["escrow_fen"]) == (
        380000, 380000, 0, 0
    )  # fmt: skip


async def test_an_alipay_refund_notification_with_milliseconds_is_accepted(
    pay_client, pay_settings, real_clock, sandbox
):
    """Alipay writes a refund's time with milliseconds (gmt_refund "2015-04-28 15:45:57.320"), a payment's without."""
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w, provider="alipay", channel="page")).json()
    async with httpx.AsyncClient() as browser:
        cashier = await browser.get(payment["pay_url"])
        action = re.search(r'action="(/sandbox/phone/[^"]+/pay)"', cashier.text).group(1)
        await browser.post(f"{sandbox.url}{action}")
    await eventually(lambda: _paid(payment["id"]), what="Alipay's payment notification")
    now = real_clock.now()
    await _confirm_and_cancel(pay_client, w, pay_settings, now)
    await refunds.pay_due_refunds(now=now + dt.timedelta(minutes=11), settings=pay_settings)

    async def refund_news_handled() -> bool:
        return await fetchval("SELECT count(*) FROM payment_notification") == 2

    await eventually(refund_news_handled, what="Alipay's refund notification")
    refused = [d for d in sandbox.deliveries() if not d["accepted"]]
    assert refused == []
    assert await fetchval("SELECT status FROM payment_refund") == "paid"


async def test_a_booking_refunded_in_full_cancels_its_open_fapiao_request_and_says_why(
    pay_client, pay_settings, real_clock, sandbox
):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w, provider="alipay", channel="page")).json()
    async with httpx.AsyncClient() as browser:
        await browser.get(payment["pay_url"])
    sandbox.control("pay", {"provider": "alipay", "out_trade_no": payment["out_trade_no"]})
    await eventually(lambda: _paid(payment["id"]), what="Alipay's notification")
    path = f"/api/v1/bookings/{w.booking['id']}/invoice-request"
    assert (await pay_client.post(path, json={"title": "王秀兰"}, headers=w.headers)).status_code == 201
    now = real_clock.now()
    assert await _confirm_and_cancel(pay_client, w, pay_settings, now) == 380000
    assert await fetchval("SELECT status FROM invoice_request") == "requested"  # the undo window is still open
    await refunds.pay_due_refunds(now=now + dt.timedelta(minutes=11), settings=pay_settings)
    assert await fetchval("SELECT status FROM payment_refund") == "paid"  # Alipay refunds at once
    request = (await fetch("SELECT status, cancel_reason, amount_fen FROM invoice_request"))[0]
    assert tuple(request) == ("cancelled", "refunded_in_full", 0)
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'invoice_cancelled'") == 1
    nothing = await pay_client.post(path, json={"title": "王秀兰"}, headers=w.headers)
    assert nothing.status_code == 409 and nothing.json()["code"] == "not_invoiceable"
    await sign_in(pay_client, "13900000001", factories.PASSWORD)
    page = await pay_client.get(f"/trips/{w.booking['id']}", headers={"Accept-Language": "zh-CN"})
    assert "已取消" in page.text and "这个预订已全额退款，无需开具发票。" in page.text


async def test_a_fapiao_issued_before_a_full_refund_stays_issued_and_finance_is_warned(
    pay_client, pay_settings, real_clock, sandbox
):
    w = await held_booking(pay_client, pay_settings, real_clock.now())
    payment = (await _pay(pay_client, w, provider="alipay", channel="page")).json()
    async with httpx.AsyncClient() as browser:
        await browser.get(payment["pay_url"])
    sandbox.control("pay", {"provider": "alipay", "out_trade_no": payment["out_trade_no"]})
    await eventually(lambda: _paid(payment["id"]), what="Alipay's notification")
    asked = await pay_client.post(
        f"/api/v1/bookings/{w.booking['id']}/invoice-request", json={"title": "王秀兰"}, headers=w.headers
    )
    await factories.account("admin@alliance.example", role="admin")
    admin = await factories.bearer(pay_client, "admin@alliance.example")
    issued = await pay_client.post(
        f"/api/v1/invoice-requests/{asked.json()['id']}/issued",
        json={"invoice_number": "26462000000087654321", "issued_on": china_today(real_clock.now()).isoformat()},
        headers=admin,
    )
    assert issued.status_code == 200, issued.text
    now = real_clock.now()
    await _confirm_and_cancel(pay_client, w, pay_settings, now)
    await refunds.pay_due_refunds(now=now + dt.timedelta(minutes=11), settings=pay_settings)
    listed = (await pay_client.get("/api/v1/invoice-requests?status=issued", headers=admin)).json()["items"]
    assert [(i["status"], i["amount_fen"], i["refunded_after_issue_fen"]) for i in listed] == [
        ("issued", 380000, 380000)
    ]
    exported = await pay_client.get(
        "/api/v1/invoice-requests?status=issued", headers={**admin, "Accept": "text/csv", "Accept-Language": "zh-CN"}
    )
    assert "开票后已退款：¥3,800" in exported.content.decode("utf-8-sig")
