"""Phase B: paying is what confirms. ``confirm`` alone answers 409 payment_required while the first
amount is due; the first payment's notification confirms the hold under the base's lock; money that
arrives after the hold lapsed takes the beds again if they are still free, else all of it goes back.
Never an overbooking, even when the payment, the expiry sweep and another senior race for the last bed."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from sojourn.bookings.expiry import release_expired_holds_everywhere
from sojourn.payments import ledger
from tests import factories
from tests.booking_helpers import booker, calendar_mismatches, confirm, migratory_body
from tests.payment_helpers import fetch, fetchval, start_wechat_payment, wechat_paid_notice_for

pytestmark = pytest.mark.usefixtures("sandbox")


async def _hold(client, world, person, offset: int = 5, nights: int = 30) -> dict:
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, offset, nights, person.traveller_ids), headers=person.headers
    )
    assert held.status_code == 201, held.text
    return held.json()


async def _notify(client, payment_id: int, signed_at: dt.datetime):
    headers, body = await wechat_paid_notice_for(payment_id, signed_at)
    return await client.post("/api/v1/payments/notify/wechat", content=body, headers=headers)


async def test_confirming_without_paying_is_refused_in_her_language_and_paying_confirms(client, clock):
    world = await factories.small_world()
    senior = await booker(client, "13900000021")
    held = await _hold(client, world, senior)
    path = f"/api/v1/bookings/{held['id']}/confirm"
    zh = await client.post(path, headers={**senior.headers, "Accept-Language": "zh-CN"})
    assert zh.status_code == 409 and zh.headers["content-type"].startswith("application/problem+json")
    assert zh.json()["code"] == "payment_required" and "请先付款" in zh.json()["detail"]
    en = await client.post(path, headers={**senior.headers, "Accept-Language": "en"})
    assert "Please pay first" in en.json()["detail"]
    assert (await client.get(f"/api/v1/bookings/{held['id']}", headers=senior.headers)).json()["status"] == "held"

    confirmed = await confirm(client, held["id"], senior.headers)
    assert confirmed["paid_fen"] == held["total_fen"] and confirmed["payment_schedule"][0]["status"] == "paid"
    told = await fetch("SELECT kind FROM outbox_message WHERE kind = 'booking_confirmed'")
    assert len(told) == 1
    # Confirming after paying is harmless, and the ledger balances.
    assert (await client.post(path, headers=senior.headers)).json()["status"] == "confirmed"
    assert await ledger.check_ledger(now=clock.now()) == []


async def test_money_after_the_hold_lapsed_takes_the_beds_again_while_they_are_free(client, clock, settings):
    world = await factories.small_world(beds=1)
    senior = await booker(client, "13900000022")
    held = await _hold(client, world, senior)
    payment = await start_wechat_payment(client, held["id"], senior.headers)
    clock.advance(minutes=20)  # hold and payment both ran out; the sweep gives the bed back
    assert await release_expired_holds_everywhere(settings, clock.now()) == 1
    assert (await _notify(client, payment["id"], clock.now())).status_code == 200
    booking = (await client.get(f"/api/v1/bookings/{held['id']}", headers=senior.headers)).json()
    assert booking["status"] == "confirmed" and booking["paid_fen"] == held["total_fen"]
    assert await fetchval("SELECT count(*) FROM payment_refund") == 0
    assert await calendar_mismatches() == []
    assert await ledger.check_ledger(now=clock.now()) == []


async def test_money_after_the_beds_went_to_someone_else_goes_back_in_full(client, clock):
    world = await factories.small_world(beds=1)
    senior, other = await booker(client, "13900000023"), await booker(client, "13900000024")
    held = await _hold(client, world, senior)
    payment = await start_wechat_payment(client, held["id"], senior.headers)
    clock.advance(minutes=20)
    taken = await _hold(client, world, other)  # the last bed, freed by the lapse
    assert (await _notify(client, payment["id"], clock.now())).status_code == 200
    booking = (await client.get(f"/api/v1/bookings/{held['id']}", headers=senior.headers)).json()
    assert booking["status"] == "expired" and booking["refund_status"] == "scheduled"
    refunds = await fetch("SELECT reason, amount_fen FROM payment_refund WHERE booking = $1", held["id"])
    assert [(r["reason"], r["amount_fen"]) for r in refunds] == [("hold_lapsed", held["total_fen"])]
    other_booking = (await client.get(f"/api/v1/bookings/{taken['id']}", headers=other.headers)).json()
    assert other_booking["status"] == "held"
    assert await calendar_mismatches() == []
    assert await ledger.check_ledger(now=clock.now()) == []


async def test_payment_expiry_and_another_senior_racing_for_the_last_bed_never_overbook(client, clock, settings):
    world = await factories.small_world(beds=1)
    rounds = []
    for i in range(3):
        senior, other = await booker(client, f"1390000010{i}"), await booker(client, f"1390000020{i}")
        held = await _hold(client, world, senior, offset=5 + 31 * i, nights=30)
        rounds.append((senior, other, held, await start_wechat_payment(client, held["id"], senior.headers)))
    clock.advance(minutes=20)  # every hold has lapsed with its payment: all three may move now
    now = clock.now()

    async def one_round(i, senior, other, held, payment):
        racers = [
            _notify(client, payment["id"], now),
            release_expired_holds_everywhere(settings, now),
            client.post(
                "/api/v1/bookings",
                json=migratory_body(world, 5 + 31 * i, 30, other.traveller_ids),
                headers=other.headers,
            ),
        ]
        order = [(0, 1, 2), (2, 1, 0), (1, 2, 0)][i]  # who starts first differs from round to round
        finished = await asyncio.gather(*(racers[k] for k in order))
        return [finished[order.index(k)] for k in range(3)]

    results = await asyncio.gather(*(one_round(i, *r) for i, r in enumerate(rounds)))

    for (senior, _other, held, _payment), (notified, _released, other_hold) in zip(rounds, results, strict=True):
        assert notified.status_code == 200, notified.text
        paid = (await client.get(f"/api/v1/bookings/{held['id']}", headers=senior.headers)).json()
        # Exactly one of the two has the bed; the one who paid without it gets all the money back.
        assert (paid["status"] == "confirmed") != (other_hold.status_code == 201), (paid["status"], other_hold.text)
        if paid["status"] != "confirmed":
            assert other_hold.status_code == 201 and paid["refund_status"] == "scheduled"
        else:
            assert other_hold.json()["code"] == "sold_out"

    assert await calendar_mismatches() == []
    assert await ledger.check_ledger(now=clock.now()) == []


async def test_a_hold_stays_while_its_payment_is_in_flight_and_goes_when_the_payment_runs_out(client, clock, settings):
    world = await factories.small_world(beds=1)
    senior, other = await booker(client, "13900000031"), await booker(client, "13900000032")
    held = await _hold(client, world, senior)
    clock.advance(minutes=10)
    payment = await start_wechat_payment(client, held["id"], senior.headers)  # payable until minute 25
    clock.advance(minutes=6)  # the hold's 15 minutes are over; her phone still shows 支付中
    assert await release_expired_holds_everywhere(settings, clock.now()) == 0
    availability = await client.get(
        f"/api/v1/tours/{world.tours['migratory']['id']}/availability",
        params={"start": held["arrival"], "end": held["departure"]},
    )
    assert {night["beds_left"] for night in availability.json()["nights"]} == {0}
    refused = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 5, 30, other.traveller_ids), headers=other.headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "sold_out"
    assert (await _notify(client, payment["id"], clock.now())).status_code == 200
    booking = (await client.get(f"/api/v1/bookings/{held['id']}", headers=senior.headers)).json()
    assert booking["status"] == "confirmed" and booking["paid_fen"] == held["total_fen"]

    # A second senior whose payment is never made: once the payment runs out, the hold goes at last.
    later = await _hold(client, world, other, offset=40)
    clock.advance(minutes=10)
    await start_wechat_payment(client, later["id"], other.headers)
    clock.advance(minutes=6)
    assert await release_expired_holds_everywhere(settings, clock.now()) == 0
    clock.advance(minutes=10)
    assert await release_expired_holds_everywhere(settings, clock.now()) == 1
    assert (await client.get(f"/api/v1/bookings/{later['id']}", headers=other.headers)).json()["status"] == "expired"
    assert await calendar_mismatches() == []
