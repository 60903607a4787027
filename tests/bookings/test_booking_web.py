"""The booking steps without JavaScript: sign-in and back, choosing people (and adding one),
dates, holding, the waiting list, more time, confirming, an expired hold."""

from __future__ import annotations

import datetime as dt
import re

from sojourn import db as database
from sojourn.config import load_settings
from sojourn.i18n import translations
from tests import booking_helpers, factories
from tests.booking_helpers import calendar_mismatches
from tests.payment_helpers import SANDBOX, register_payees
from tests.web_helpers import csrf_token, post_form, sign_in

EN = {"Accept-Language": "en"}


async def signed_in_family(client, login: str = "13800138000", people: int = 2) -> tuple[int, list[int]]:
    account_id = await factories.account(login, name="王秀兰")
    ids = []
    for _i, (name, birth) in enumerate(
        [("王秀兰", dt.date(1955, 4, 12)), ("李建国", dt.date(1950, 9, 1)), ("王小红", dt.date(1958, 1, 5))][:people]
    ):
        row = await factories.traveller(account_id, name=name, birth=birth)
        async with database.connection() as conn:
            await conn.execute(
                "UPDATE traveller SET emergency_name = '王强', emergency_phone = '13900001111', emergency_relation = '儿子' WHERE id = $1",
                row["id"],
            )
        ids.append(row["id"])
    async with database.connection() as conn:  # signing in sets the account's language
        await conn.execute("UPDATE account SET locale = 'en' WHERE id = $1", account_id)
    await sign_in(client, login, factories.PASSWORD)
    client.headers.update(EN)
    return account_id, ids


async def hold_vacation(client, world, ids) -> int:
    tour_id = world.tours["vacation"]["id"]
    page = await client.get(f"/book/{tour_id}/hold", params={"traveller_ids": ids})
    assert page.status_code == 200, page.text
    key = re.search(r'name="request_key" value="([^"]+)"', page.text).group(1)
    response = await post_form(
        client, f"/book/{tour_id}/hold", {"traveller_ids": ids, "request_key": key}, from_page=f"/book/{tour_id}"
    )
    assert response.status_code == 303, response.text[:2000]
    return int(re.search(r"/trips/(\d+)/health", response.headers["location"]).group(1))


async def test_booking_sends_a_visitor_to_sign_in_and_back_to_the_same_step(client, db):
    world = await factories.small_world()
    tour_id = world.tours["migratory"]["id"]
    response = await client.get(f"/book/{tour_id}/dates?traveller_ids=3&arrival=2027-01-02")
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == f"/login?next=%2Fbook%2F{tour_id}%2Fdates%3Ftraveller_ids%3D3%26arrival%3D2027-01-02"
    )
    login_page = await client.get(response.headers["location"])
    assert f'value="/book/{tour_id}/dates?traveller_ids=3&amp;arrival=2027-01-02"' in login_page.text


async def test_continuing_without_anyone_ticked_says_how_to_fix_it(client, db):
    world = await factories.small_world()
    await signed_in_family(client)
    response = await client.get(f"/book/{world.tours['vacation']['id']}/hold")
    assert response.status_code == 400
    assert "Choose at least one person who travels." in response.text
    assert 'id="error-summary"' in response.text


async def test_seasonal_stay_dates_outside_the_season_are_refused_next_to_the_field(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    tour = world.tours["migratory"]
    late = tour["ends_on"] + dt.timedelta(days=5)
    response = await client.get(
        f"/book/{tour['id']}/hold",
        params={"traveller_ids": ids, "arrival": tour["starts_on"].isoformat(), "departure": late.isoformat()},
    )
    assert response.status_code == 400
    assert "Arrive and leave within the season" in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'value="{tour["starts_on"].isoformat()}"' in response.text  # nothing typed is asked for again


async def test_seasonal_stay_dates_show_nights_and_the_engines_total(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    tour = world.tours["migratory"]
    arrival = tour["starts_on"] + dt.timedelta(days=3)
    departure = arrival + dt.timedelta(days=31)
    response = await client.get(
        f"/book/{tour['id']}/hold",
        params={"traveller_ids": ids, "arrival": arrival.isoformat(), "departure": departure.isoformat()},
    )
    assert response.status_code == 200, response.text
    # 2,500 yuan a month: 31 nights = round(250000 * 31 / 30) = 258,333 fen per person.
    assert "¥2,583.33" in response.text and "¥5,166.66" in response.text


async def test_adding_a_family_member_keeps_those_already_ticked_and_ticks_the_new_one(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client, people=1)
    tour_id = world.tours["vacation"]["id"]
    form = {
        "traveller_ids": ids,
        "name": "王小明",
        "birth_year": "1952",
        "birth_month": "6",
        "birth_day": "30",
        "home_province_code": "230000",
        "phone": "138 0013 8001",
        "emergency_name": "王强",
        "emergency_phone": "13900001111",
        "emergency_relation": "儿子",
    }
    response = await post_form(client, f"/book/{tour_id}/add-traveller", form, from_page=f"/book/{tour_id}")
    assert response.status_code == 303, response.text[:1500]
    location = response.headers["location"]
    chosen = [int(x) for x in re.findall(r"traveller_ids=(\d+)", location)]
    assert chosen[0] == ids[0] and len(chosen) == 2
    page = await client.get(location)
    assert "王小明" in page.text
    assert len(re.findall(r'name="traveller_ids" value="\d+" checked', page.text)) == 2


async def test_a_family_member_with_missing_details_is_shown_again_with_each_problem(client, db):
    world = await factories.small_world()
    await signed_in_family(client, people=1)
    tour_id = world.tours["vacation"]["id"]
    response = await post_form(
        client,
        f"/book/{tour_id}/add-traveller",
        {"name": "王小明", "birth_year": "1952", "birth_month": "13", "birth_day": "1"},
        from_page=f"/book/{tour_id}",
    )
    assert response.status_code == 400
    assert "Enter the year, month and day of birth" in response.text
    assert "Enter the name of someone we can call in an emergency." in response.text
    assert 'value="王小明"' in response.text


async def test_holding_then_confirming_works_with_plain_forms(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    health = await client.get(f"/trips/{booking_id}/health")
    assert health.status_code == 200
    assert "王秀兰" in health.text and "not started" in health.text
    assert 'data-expires-at="' in health.text and "More time" in health.text
    review = await client.get(f"/trips/{booking_id}/review")
    assert "¥7,600" in review.text  # 2 × ¥3,800
    assert "Cancel 30 or more days before arrival: full refund." in review.text
    # Confirming without paying says what to do; paying confirms (the money arrives, then the page says so).
    SANDBOX.start()  # the providers of the run's settings; the base takes both
    await register_payees(world.bases["sanya"]["id"], load_settings())
    unpaid = await post_form(client, f"/trips/{booking_id}/confirm", {}, from_page=f"/trips/{booking_id}/review")
    assert unpaid.status_code == 303 and unpaid.headers["location"] == f"/trips/{booking_id}/pay"
    pay_page = await client.get(unpaid.headers["location"])
    assert "To pay now: ¥7,600." in pay_page.text and "confirmed as soon as this payment arrives" in pay_page.text
    # The refund schedule as data before paying: every stretch of days with what cancelling then gives back.
    assert "What you get back if you cancel" in pay_page.text and "<td>¥7,600</td>" in pay_page.text
    assert "Pay with WeChat" in pay_page.text and "Pay with Alipay" in pay_page.text
    code = await post_form(
        client, f"/trips/{booking_id}/pay", {"provider": "wechat"}, from_page=unpaid.headers["location"]
    )
    assert code.status_code == 200 and "Scan with WeChat to pay ¥7,600" in code.text and "<svg" in code.text
    on_phone = await post_form(
        client,
        f"/trips/{booking_id}/pay",
        {"provider": "alipay"},
        from_page=unpaid.headers["location"],
        headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"},
    )
    assert on_phone.status_code == 303 and "/alipay/gateway.do?" in on_phone.headers["location"]
    assert "alipay.trade.wap.pay" in on_phone.headers["location"]
    await booking_helpers.confirm(client, booking_id, await factories.bearer(client, "13800138000"))
    done = await client.get(f"/trips/{booking_id}/confirmed")
    assert "Booked. Have a good trip!" in done.text
    assert "you can cancel and get everything back" in done.text
    trips = await client.get("/trips")
    assert "Confirmed" in trips.text and "Health forms to send by" in trips.text
    assert await calendar_mismatches() == []


async def test_sending_the_hold_form_twice_holds_the_beds_once(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    tour_id = world.tours["vacation"]["id"]
    page = await client.get(f"/book/{tour_id}/hold", params={"traveller_ids": ids})
    key = re.search(r'name="request_key" value="([^"]+)"', page.text).group(1)
    token = await csrf_token(client, f"/book/{tour_id}")
    body = {"traveller_ids": ids, "request_key": key, "_csrf_token": token}
    first = await client.post(f"/book/{tour_id}/hold", data=body)
    second = await client.post(f"/book/{tour_id}/hold", data=body)
    assert first.headers["location"] == second.headers["location"]
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM booking") == 1


async def test_sold_out_nights_are_listed_with_a_waiting_list_button(client, db):
    world = await factories.small_world(beds=1)
    _, ids = await signed_in_family(client)
    tour = world.tours["migratory"]
    arrival = tour["starts_on"] + dt.timedelta(days=2)
    stay = {
        "traveller_ids": ids,
        "arrival": arrival.isoformat(),
        "departure": (arrival + dt.timedelta(days=30)).isoformat(),
    }
    page = await client.get(f"/book/{tour['id']}/hold", params=stay)
    key = re.search(r'name="request_key" value="([^"]+)"', page.text).group(1)
    response = await post_form(client, f"/book/{tour['id']}/hold", {**stay, "request_key": key}, from_page="/trips")
    assert response.status_code == 409
    assert "Nights without enough free beds" in response.text
    assert response.text.count(": 1 free") == 30
    assert "Join the waiting list" in response.text
    joined = await post_form(client, f"/book/{tour['id']}/waitlist", {**stay, "request_key": key}, from_page="/trips")
    assert joined.status_code == 303 and joined.headers["location"] == "/trips#waiting"
    trips = await client.get("/trips")
    assert "You are number 1 in line." in trips.text
    entry_id = re.search(r'action="/waitlist/(\d+)/withdraw"', trips.text).group(1)
    left = await post_form(client, f"/waitlist/{entry_id}/withdraw", {}, from_page="/trips")
    assert left.status_code == 303
    assert "You are not on any waiting list." in (await client.get("/trips")).text


async def test_more_time_without_javascript_goes_back_with_the_new_time(client, db, clock):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    async with database.connection() as conn:
        before = await conn.fetchval("SELECT hold_expires_at FROM booking WHERE id = $1", booking_id)
    response = await post_form(
        client, f"/trips/{booking_id}/extend-hold", {"next": f"/trips/{booking_id}/review"}, from_page="/trips"
    )
    assert response.status_code == 303 and response.headers["location"] == f"/trips/{booking_id}/review"
    page = await client.get(response.headers["location"])
    assert "More time: your beds are now held until" in page.text
    async with database.connection() as conn:
        after = await conn.fetchval("SELECT hold_expires_at FROM booking WHERE id = $1", booking_id)
    assert after - before == dt.timedelta(minutes=15)


async def test_more_time_with_htmx_answers_with_a_fresh_countdown(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    token = await csrf_token(client, "/trips")
    response = await client.post(
        f"/trips/{booking_id}/extend-hold",
        data={"next": f"/trips/{booking_id}/review"},
        headers={"HX-Request": "true", "x-sojourn-csrf": token},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("{#") or 'id="hold-countdown"' in response.text
    assert "<html" not in response.text and "More time: your beds are now held until" in response.text


async def test_an_expired_hold_explains_and_offers_to_start_again_with_the_same_choices(client, db, clock):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    clock.advance(minutes=16)
    review = await client.get(f"/trips/{booking_id}/review")
    assert "The time ran out" in review.text
    assert (
        f"/book/{world.tours['vacation']['id']}/hold?traveller_ids={ids[0]}&amp;traveller_ids={ids[1]}" in review.text
    )
    confirm = await post_form(client, f"/trips/{booking_id}/confirm", {}, from_page="/trips")
    assert confirm.status_code == 409 and "Start again with the same choices" in confirm.text


async def test_staff_accounts_are_told_they_cannot_book(client, db):
    world = await factories.small_world()
    await factories.account("coord@sojourn.example", role="coordinator")
    await sign_in(client, "coord@sojourn.example", factories.PASSWORD)
    response = await client.get(f"/book/{world.tours['vacation']['id']}", headers=EN)
    assert response.status_code == 403
    # Signing in brings back the account's own language (Chinese here), whatever the browser asks.
    said = translations("zh_CN").gettext("Staff accounts cannot book trips. Sign in with a traveller's account.")
    assert said != "Staff accounts cannot book trips. Sign in with a traveller's account."
    assert said in response.text.replace("&#39;", "'")
