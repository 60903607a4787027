"""The payments API and its rules with a pinned clock: what may be paid and how, schedules within
provincial caps, the providers' callbacks (verified, deduplicated, quarantined), and the ledger check
catching money a booking may not keep (fapiao requests: test_fapiao.py). The sandbox process plays the
providers where an order is made; notifications are built and signed here as the sandbox signs them."""

from __future__ import annotations

import datetime as dt

import pytest

from sojourn import db as sojourn_db
from sojourn.bookings.expiry import release_expired_holds_everywhere
from sojourn.payments import instalments, ledger, terms
from sojourn.payments.schedules import PaymentTerms, PrepaymentCapExceeded
from tests.payment_helpers import (
    alipay_paid_notification,
    fetch,
    fetchval,
    held_booking,
    money_fingerprint,
    wechat_paid_notification,
)

# The run's app and settings: their payment providers are the sandbox (tests/conftest.py), which
# every test here reaches (payees are its merchants; payments are orders at it).
pytestmark = pytest.mark.usefixtures("sandbox")


def _pay(client, w, **body):
    return client.post(f"/api/v1/bookings/{w.booking['id']}/payments", json=body, headers=w.headers)


async def test_a_payment_needs_a_channel_of_its_provider_and_jsapi_needs_the_payer(client, settings, clock):
    w = await held_booking(client, settings, clock.now())
    wrong = await _pay(client, w, provider="wechat", channel="page")
    assert wrong.status_code == 422 and "channel" in wrong.json()["field_errors"]
    no_openid = await _pay(client, w, provider="wechat", channel="jsapi")
    assert no_openid.status_code == 422 and "openid" in no_openid.json()["field_errors"]
    inside_wechat = await _pay(client, w, provider="wechat", channel="jsapi", openid="oSenior123")
    assert inside_wechat.status_code == 201, inside_wechat.text
    params = inside_wechat.json()["jsapi_params"]
    assert params["package"].startswith("prepay_id=wx") and params["signType"] == "RSA" and params["paySign"]


async def test_changing_the_way_of_paying_closes_the_open_order_at_its_provider(client, settings, clock, sandbox):
    w = await held_booking(client, settings, clock.now())
    wechat = (await _pay(client, w, provider="wechat", channel="native")).json()
    alipay = await _pay(client, w, provider="alipay", channel="wap")
    assert alipay.status_code == 201 and alipay.json()["id"] != wechat["id"]
    statuses = dict(await fetch("SELECT provider, status FROM payment"))
    assert statuses == {"wechat": "closed", "alipay": "pending"}
    # The closed order cannot be paid at the provider any more.
    assert not sandbox.control("pay", {"provider": "wechat", "out_trade_no": wechat["out_trade_no"]})["paid"]


async def test_nothing_to_pay_without_a_schedule_or_a_payee(client, settings, clock):
    w = await held_booking(client, settings, clock.now())
    await sojourn_db.engine().pool.execute("DELETE FROM payment_instalment")
    nothing = await _pay(client, w, provider="wechat", channel="native")
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_due"
    async with sojourn_db.connection() as conn:
        await instalments.create_schedule(conn, w.booking["id"], now=clock.now())
        await conn.execute("UPDATE payee SET active = false WHERE provider = 'alipay'")
    no_payee = await _pay(client, w, provider="alipay", channel="page")
    assert no_payee.status_code == 409 and no_payee.json()["code"] == "provider_not_available"
    assert await fetchval("SELECT count(*) FROM payment") == 0


async def test_a_deposit_is_paid_first_and_the_balance_after(client, settings, clock):
    w = await held_booking(client, settings, clock.now())
    async with sojourn_db.connection() as conn:
        await conn.execute("DELETE FROM payment_instalment")
        await terms.set_tour_terms(
            conn, w.world.tours["vacation"]["id"], PaymentTerms(balance_days_before=30, deposit_percent=20)
        )
        plan = await instalments.create_schedule(conn, w.booking["id"], now=clock.now())
    assert [(i["kind"], i["amount_fen"]) for i in plan] == [("deposit", 76000), ("balance", 304000)]
    deposit = (await _pay(client, w, provider="wechat", channel="native")).json()
    assert (deposit["kind"], deposit["amount_fen"]) == ("deposit", 76000)
    headers, body = wechat_paid_notification(deposit["out_trade_no"], 76000, clock.now())
    answer = await client.post("/api/v1/payments/notify/wechat", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    balance = (await _pay(client, w, provider="wechat", channel="native")).json()
    assert (balance["kind"], balance["amount_fen"]) == ("balance", 304000)
    listed = (await client.get(f"/api/v1/bookings/{w.booking['id']}/payments", headers=w.headers)).json()
    assert listed["paid_fen"] == 76000 and len(listed["items"]) == 2
    # With only the deposit paid, early cancelling gives all of it back (the policy keeps nothing yet).
    assert listed["refund_schedule"][0]["refund_fen"] == 76000


async def test_a_schedule_beyond_the_provinces_cap_is_refused_naming_the_limit(client, settings, clock):
    w = await held_booking(client, settings, clock.now())
    hainan = w.world.members["hi"]["id"]
    stay = w.world.tours["migratory"]
    async with sojourn_db.connection() as conn:
        await terms.set_prepayment_rule(conn, hainan, max_prepaid_months=1, deposit_cap_months=None, source="测试")
        with pytest.raises(PrepaymentCapExceeded) as refused:
            await terms.set_tour_terms(conn, stay["id"], PaymentTerms())
        assert refused.value.extra["limit"] == "max_prepaid_months" and "海南" in str(refused.value.message)
        await conn.execute("UPDATE tour SET max_nights = 30 WHERE id = $1", stay["id"])
        await terms.set_tour_terms(conn, stay["id"], PaymentTerms())  # a month at most: within the cap
    # A booking whose price came out above the cap (here: a month and one fen) is refused its schedule.
    start = w.world.start
    body = {"tour_id": stay["id"], "traveller_ids": [], "arrival": str(start + dt.timedelta(days=20))}
    body["departure"] = str(start + dt.timedelta(days=50))
    traveller = await client.get("/api/v1/travellers", headers=w.headers)
    body["traveller_ids"] = [traveller.json()["items"][0]["id"]]
    held = await client.post("/api/v1/bookings", json=body, headers=w.headers)
    assert held.status_code == 201, held.text
    async with sojourn_db.connection() as conn:
        await conn.execute("UPDATE booking SET total_fen = total_fen + 1 WHERE id = $1", held.json()["id"])
        await conn.execute("DELETE FROM payment_instalment WHERE booking = $1", held.json()["id"])  # made anew
        with pytest.raises(PrepaymentCapExceeded):
            await instalments.create_schedule(conn, held.json()["id"], now=clock.now())
    assert await fetchval("SELECT count(*) FROM payment_instalment WHERE booking = $1", held.json()["id"]) == 0


async def test_a_verified_notice_for_an_unknown_order_or_merchant_is_quarantined_and_acknowledged(
    client, settings, clock
):
    w = await held_booking(client, settings, clock.now())
    payment = (await _pay(client, w, provider="wechat", channel="native")).json()
    before = await money_fingerprint()
    for _ in range(2):  # the provider repeats it: one row, nothing else
        headers, body = wechat_paid_notification("SJ20261201NOSUCHORDER", 100, clock.now())
        assert (await client.post("/api/v1/payments/notify/wechat", content=body, headers=headers)).status_code == 200
    headers, body = wechat_paid_notification(payment["out_trade_no"], 380000, clock.now(), sub_mchid="1600000008")
    assert (await client.post("/api/v1/payments/notify/wechat", content=body, headers=headers)).status_code == 200
    rows = await fetch("SELECT outcome, reason FROM payment_notification ORDER BY id")
    assert [r["outcome"] for r in rows] == ["quarantined", "quarantined"]
    assert "no order" in rows[0]["reason"] and "1600000008" in rows[1]["reason"]
    after = await money_fingerprint()
    assert {name for name in after if after[name] != before[name]} == {"payment_notification"}


async def test_an_alipay_notice_that_does_not_verify_is_answered_fail_and_changes_nothing(client, settings, clock):
    w = await held_booking(client, settings, clock.now())
    payment = (await _pay(client, w, provider="alipay", channel="page")).json()
    headers, body = alipay_paid_notification(payment["out_trade_no"], 380000)
    before = await money_fingerprint()
    tampered = body.replace(b"total_amount=3800.00", b"total_amount=0.01")
    assert tampered != body
    for sent in (tampered, body.replace(b"app_id=2021000000000001", b"app_id=2021000000000002"), b"not a form"):
        answer = await client.post("/api/v1/payments/notify/alipay", content=sent, headers=headers)
        assert (answer.status_code, answer.text) == (400, "fail")
    assert await money_fingerprint() == before
    good = await client.post("/api/v1/payments/notify/alipay", content=body, headers=headers)
    assert (good.status_code, good.text) == (200, "success")
    assert await fetchval("SELECT status FROM payment") == "paid"


async def test_money_paid_after_the_hold_lapsed_goes_back_and_the_ledger_check_catches_money_kept(
    client, settings, clock
):
    w = await held_booking(client, settings, clock.now())
    payment = (await _pay(client, w, provider="wechat", channel="native")).json()
    clock.advance(minutes=20)  # the 15-minute hold has lapsed; the senior pays anyway ...
    await release_expired_holds_everywhere(settings, clock.now())
    async with sojourn_db.connection() as conn:  # ... after her beds went to others
        await conn.execute("UPDATE capacity_night SET beds = taken WHERE base = $1", w.world.bases["sanya"]["id"])
    headers, body = wechat_paid_notification(payment["out_trade_no"], 380000, clock.now())
    assert (await client.post("/api/v1/payments/notify/wechat", content=body, headers=headers)).status_code == 200
    refund = (await fetch("SELECT * FROM payment_refund"))[0]
    assert (refund["reason"], refund["amount_fen"], refund["status"]) == ("hold_lapsed", 380000, "scheduled")
    assert await ledger.check_ledger(now=clock.now()) == []  # paid, and all of it on its way back
    # Without that refund the check finds the money kept for nothing (the test fails without the rule).
    await sojourn_db.engine().pool.execute("UPDATE payment_refund SET status = 'cancelled'")
    found = await ledger.check_ledger(now=clock.now())
    assert [(i.booking_id, i.problem) for i in found] == [(w.booking["id"], "holds 380000 fen but may keep 0 fen")]
