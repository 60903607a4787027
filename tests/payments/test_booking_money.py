"""Phase B: the booking engine and the money. A hold gets its payment schedule in its own
transaction (a schedule beyond the province's cap takes the hold back), and every booking the API
shows carries its schedule, what was paid and refunded, and how a refund goes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sojourn import db as sojourn_db
from sojourn.notifications.messages import render
from sojourn.payments import ledger, terms
from sojourn.payments.balances import settle_overdue_balances
from sojourn.payments.schedules import PaymentTerms
from tests import factories
from tests.booking_helpers import booker, calendar_mismatches, confirm, migratory_body
from tests.payment_helpers import fetch, fetchval
from tests.web_helpers import sign_in

pytestmark = pytest.mark.usefixtures("sandbox")


async def test_a_hold_owes_its_schedule_and_the_api_shows_the_money(client, clock):
    world = await factories.small_world()
    senior = await booker(client, "13900000011")
    async with sojourn_db.connection() as conn:
        await terms.set_tour_terms(
            conn, world.tours["migratory"]["id"], PaymentTerms(balance_days_before=30, deposit_percent=20)
        )
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 40, 30, senior.traveller_ids), headers=senior.headers
    )
    assert held.status_code == 201, held.text
    booking = held.json()
    total = booking["total_fen"]
    expected = [("deposit", total // 5, "due"), ("balance", total - total // 5, "due")]
    assert [(s["kind"], s["amount_fen"], s["status"]) for s in booking["payment_schedule"]] == expected
    assert (booking["paid_fen"], booking["refunded_fen"], booking["refund_status"]) == (0, 0, "none")
    # The balance is due by the end of the day 30 days before arrival, at the base (UTC+8).
    arrival = dt.date.fromisoformat(booking["arrival"])
    due = dt.datetime.fromisoformat(booking["payment_schedule"][1]["due_at"])
    assert due == dt.datetime.combine(arrival - dt.timedelta(days=29), dt.time(), dt.UTC) - dt.timedelta(hours=8)
    shown = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=senior.headers)).json()
    listed = (await client.get("/api/v1/bookings", headers=senior.headers)).json()["items"]
    assert shown["payment_schedule"] == listed[0]["payment_schedule"] == booking["payment_schedule"]
    assert await fetchval("SELECT count(*) FROM payment_instalment WHERE booking = $1", booking["id"]) == 2


async def test_a_hold_whose_schedule_breaks_the_provinces_cap_is_refused_and_takes_no_beds(client, clock):
    world = await factories.small_world()
    senior = await booker(client, "13900000012")
    async with sojourn_db.connection() as conn:
        await terms.set_prepayment_rule(
            conn, world.members["hi"]["id"], max_prepaid_months=1, deposit_cap_months=None, source="测试"
        )
    too_long = migratory_body(world, 10, 45, senior.traveller_ids)
    refused = await client.post("/api/v1/bookings", json=too_long, headers={**senior.headers, "Accept-Language": "zh"})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "prepayment_cap_exceeded" and "海南" in problem["detail"]
    assert await fetchval("SELECT count(*) FROM booking") == 0
    assert await fetchval("SELECT coalesce(sum(taken), 0) FROM capacity_night") == 0
    # A month is within the cap: the same senior holds it, and the calendar counts it once.
    month = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 10, 30, senior.traveller_ids), headers=senior.headers
    )
    assert month.status_code == 201, month.text
    assert month.json()["payment_schedule"][0]["kind"] == "full"
    assert await calendar_mismatches() == []


async def test_cancelling_refunds_only_money_paid_and_undoing_calls_the_refund_off(client, clock):
    world = await factories.small_world()
    senior = await booker(client, "13900000013")
    unpaid = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 10, 30, senior.traveller_ids), headers=senior.headers
    )
    cancelled_hold = await client.post(f"/api/v1/bookings/{unpaid.json()['id']}/cancel", headers=senior.headers)
    assert cancelled_hold.json()["refund_fen"] == 0 and cancelled_hold.json()["refund_status"] == "none"

    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 50, 30, senior.traveller_ids), headers=senior.headers
    )
    booking = await confirm(client, held.json()["id"], senior.headers)
    clock.advance(minutes=2)
    cancelled = (await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=senior.headers)).json()
    assert cancelled["refund_fen"] == booking["paid_fen"] and cancelled["refund_status"] == "scheduled"
    refund = (await fetch("SELECT amount_fen, not_before, status FROM payment_refund"))[0]
    assert refund["status"] == "scheduled" and refund["not_before"] - clock.now() > dt.timedelta(minutes=9)
    clock.advance(minutes=3)
    undone = await client.post(f"/api/v1/bookings/{booking['id']}/undo-cancel", headers=senior.headers)
    assert undone.status_code == 200 and undone.json()["refund_status"] == "none"
    assert [r["status"] for r in await fetch("SELECT status FROM payment_refund")] == ["cancelled"]
    assert await ledger.check_ledger(now=clock.now()) == []


async def test_an_unpaid_balance_is_reminded_then_the_booking_is_cancelled_under_its_terms(client, clock, settings):
    world = await factories.small_world()
    senior = await booker(client, "13900000014")
    async with sojourn_db.connection() as conn:
        await terms.set_tour_terms(
            conn, world.tours["migratory"]["id"], PaymentTerms(balance_days_before=30, deposit_percent=20)
        )
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 0, 30, senior.traveller_ids), headers=senior.headers
    )
    booking = await confirm(client, held.json()["id"], senior.headers)  # the deposit confirms it
    deposit, balance = booking["payment_schedule"]
    assert (deposit["status"], balance["status"], booking["paid_fen"]) == ("paid", "due", deposit["amount_fen"])
    due_at = dt.datetime.fromisoformat(balance["due_at"])

    assert await settle_overdue_balances(now=clock.now(), settings=settings) == 0
    assert await fetch("SELECT * FROM outbox_message WHERE kind = 'balance_due'") == []
    clock.set(due_at - dt.timedelta(days=5))
    for _ in range(2):  # told once, however often the job runs
        assert await settle_overdue_balances(now=clock.now(), settings=settings) == 0
    told = await fetch("SELECT account, payload FROM outbox_message WHERE kind = 'balance_due'")
    assert len(told) == 1 and f'"amount_fen": {balance["amount_fen"]}' in told[0]["payload"]
    message = render("balance_due", json.loads(told[0]["payload"]), "zh_CN", "https://sojourn.example")
    assert message.subject == "请支付余款" and booking["reference"] in message.body

    clock.set(due_at + dt.timedelta(hours=23))  # within the day of grace
    assert await settle_overdue_balances(now=clock.now(), settings=settings) == 0
    clock.set(due_at + dt.timedelta(days=1, minutes=1))
    assert await settle_overdue_balances(now=clock.now(), settings=settings) == 1
    assert await settle_overdue_balances(now=clock.now(), settings=settings) == 0
    weeks_later = await factories.bearer(client, senior.login)  # signed in again: tokens do not last weeks
    after = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=weeks_later)).json()
    # 29 days before arrival the terms give back half the price; the deposit (a fifth) is all kept.
    assert after["status"] == "cancelled" and after["refund_fen"] == 0 and after["refund_status"] == "none"
    assert [step["status"] for step in after["payment_schedule"]] == ["paid", "waived"]
    assert len(await fetch("SELECT * FROM outbox_message WHERE kind = 'booking_cancelled'")) == 1
    assert await calendar_mismatches() == []
    assert await ledger.check_ledger(now=clock.now()) == []


async def test_a_paid_booking_has_a_printable_receipt_with_its_refund_schedule(client, clock):
    world = await factories.small_world()
    senior = await booker(client, "13900000015")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 40, 30, senior.traveller_ids), headers=senior.headers
    )
    booking = await confirm(client, held.json()["id"], senior.headers)
    transaction = (await fetch("SELECT provider_transaction_id FROM payment WHERE status = 'paid'"))[0][0]
    await sign_in(client, senior.login, factories.PASSWORD)
    trip = await client.get(f"/trips/{booking['id']}", headers={"Accept-Language": "zh-CN"})
    assert f'href="/trips/{booking["id"]}/receipt">打印收据</a>' in trip.text
    receipt = await client.get(f"/trips/{booking['id']}/receipt", headers={"Accept-Language": "zh-CN"})
    assert receipt.status_code == 200 and "收据" in receipt.text and booking["reference"] in receipt.text
    assert transaction in receipt.text and "微信支付" in receipt.text
    # The refund schedule as data: each stretch of days and what cancelling then gives back of what was paid.
    assert "如果取消，可退回多少" in receipt.text and receipt.text.count("<td>¥") >= 3
    other = await booker(client, "13900000016")
    client.cookies.clear()
    await sign_in(client, other.login, factories.PASSWORD)
    assert (await client.get(f"/trips/{booking['id']}/receipt")).status_code == 404  # someone else's: not found
