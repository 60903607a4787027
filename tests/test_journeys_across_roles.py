"""Journeys across roles and time (issue 14): where one person's action has to reach another
person, each step asserts what the next person sees. The clock is pinned (PINNED_NOW) and moved
explicitly between steps; bookings made through the API are confirmed with
``tests.booking_helpers.confirm``."""

from __future__ import annotations

import datetime as dt
import json
import re

import httpx

from sojourn import db as database
from sojourn.notifications.messages import render
from tests import factories
from tests.booking_helpers import confirm
from tests.web_helpers import post_form, sign_in

AGENT = "13300000001"
SENIOR = "13800138000"


async def _outbox(kind: str, account_id: int) -> list[dict]:
    async with database.connection() as conn:
        rows = await conn.fetch(
            "SELECT payload FROM outbox_message WHERE kind = $1 AND account = $2 ORDER BY id", kind, account_id
        )
    return [json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"] for row in rows]


async def test_the_hotline_finds_a_senior_records_consent_books_for_her_and_she_sees_who_booked(app, client, clock):
    world = await factories.small_world()
    tour = world.tours["vacation"]
    agent_id = await factories.account(AGENT, role="agent", name="热线小李")
    senior_id = await factories.account(SENIOR, name="王秀兰")
    wang = await factories.traveller(senior_id, name="王秀兰")
    async with database.connection() as conn:
        await conn.execute("UPDATE traveller SET phone = $2 WHERE id = $1", wang["id"], SENIOR)

    # 1. The agent signs in and lands on the desk; she finds the senior by phone, masked.
    landed = await sign_in(client, AGENT, factories.PASSWORD)
    assert landed.headers["location"] == "/hotline"
    found = await post_form(client, "/hotline/search", {"query": "138 0013 8000"}, from_page="/hotline")
    assert "王**" in found.text and "138****8000" in found.text and "王秀兰" not in found.text

    # 2. The senior agrees on the phone: the agent records it with the number she gave.
    consent = {"method": "phone_call", "reference": "96111-20261207-0042", "confirmed": "on", "senior_number": SENIOR}
    recorded = await post_form(client, f"/hotline/travellers/{wang['id']}/mandate", consent, from_page="/hotline")
    assert recorded.headers["location"] == f"/hotline/seniors/{senior_id}"
    overview = await client.get(recorded.headers["location"])
    assert "王秀兰" in overview.text and "96111-20261207-0042" in overview.text
    book_url = re.search(r'href="(/tours\?for=\d+)" id="book-for-senior"', overview.text)[1]

    # 3. She books for the senior: "booking for 王秀兰" on every step, only her people offered.
    clock.advance(minutes=2)
    search = await client.get(book_url)
    assert "正在为王秀兰预订" in search.text and tour["title_zh"] in search.text
    people = await client.get(f"/book/{tour['id']}")
    assert "正在为王秀兰预订" in people.text and f'value="{wang["id"]}"' in people.text
    step = await client.get(f"/book/{tour['id']}/hold", params={"traveller_ids": [wang["id"]]})
    assert "为王秀兰保留床位" in step.text
    held = await post_form(
        client, f"/book/{tour['id']}/hold", {"traveller_ids": wang["id"]}, from_page=f"/book/{tour['id']}/hold"
    )
    booking_id = int(held.headers["location"].split("/")[2])
    agent_token = await factories.bearer(client, AGENT)
    booking = await confirm(client, booking_id, agent_token)
    assert booking["status"] == "confirmed" and booking["on_behalf"] is True

    # 4. The next morning the senior reads her message and opens her trip: the hotline booked it,
    #    at desk 000N; the agent's name is nowhere.
    clock.advance(hours=20)
    desk = f"{agent_id:04d}"
    [payload] = await _outbox("booking_confirmed", senior_id)
    message = render("booking_confirmed", payload, "zh_CN", "https://sojourn.example")
    assert f"96111 热线为您预订(坐席 {desk})" in message.body and "小李" not in message.body
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as senior:
        assert (await sign_in(senior, SENIOR, factories.PASSWORD)).headers["location"] == "/"
        trips = await senior.get("/trips")
        assert tour["title_zh"] in trips.text
        trip = await senior.get(f"/trips/{booking_id}")
        assert f"热线为您预订了这次行程(坐席 {desk})" in trip.text and "热线小李" not in trip.text
        assert "正在为" not in trip.text  # the banner is the agent's, never the senior's


async def test_an_exchange_is_offered_only_to_its_members_travellers(app, client, clock):
    world = await factories.small_world()
    nm, bj = world.members["nm"]["id"], world.members["bj"]["id"]
    hulunbuir = world.bases["hulunbuir"]["id"]
    await factories.account("ops@hulunbuir.cn", role="operator", base_ids=[hulunbuir])
    operator = await factories.bearer(client, "ops@hulunbuir.cn")
    await factories.account("nm@sojourn.example", role="coordinator", member_ids=[nm])
    starts = world.start + dt.timedelta(days=40)
    exchange = {
        "base_id": hulunbuir,
        "mode": "interactive",
        "title_zh": "京蒙草原交流",
        "title_en": "Grassland exchange",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + dt.timedelta(days=7)).isoformat(),
        "seats": 6,
        "package_price_fen": 300000,
        "cancellation_policy": [{"days_before": 7, "refund_percent": 100}],
        "partner_member_id": bj,
        "quotas": [{"member_id": bj, "seats": 3}, {"member_id": nm, "seats": 3}],
    }

    # 1. The base's operator drafts the exchange; without an agreement it cannot be offered.
    tour = (await client.post("/api/v1/operator/tours", json=exchange, headers=operator)).json()
    refused = await client.post(f"/api/v1/operator/tours/{tour['id']}/publish", headers=operator)
    assert refused.status_code == 409 and "联盟协议" in refused.json()["detail"]

    # 2. The alliance records the agreement; the operator offers the exchange.
    clock.advance(days=1)
    coordinator = await factories.bearer(client, "nm@sojourn.example")
    operator = await factories.bearer(client, "ops@hulunbuir.cn")  # a new day, a new sign-in
    agreement = {"member_a_id": nm, "member_b_id": bj, "modes": ["interactive"], "signed_on": "2023-06-01"}
    assert (await client.post("/api/v1/alliance/agreements", json=agreement, headers=coordinator)).status_code == 201
    published = await client.post(f"/api/v1/operator/tours/{tour['id']}/publish", headers=operator)
    assert published.status_code == 200 and published.json()["warnings"] == []

    # 3. A family in Beijing finds it: the card says who may join, and it books for two.
    beijing_id = await factories.account("13800138001", name="张大爷")
    beijing = await factories.bearer(client, "13800138001")
    couple = []
    for name in ("张大爷", "刘阿姨"):
        body = factories.traveller_body(name=name, home_province_code="110000")
        couple.append((await client.post("/api/v1/travellers", json=body, headers=beijing)).json()["id"])
    card = await client.get("/tours", params={"mode": "interactive"})
    card = card.text[card.text.index("京蒙草原交流") :]
    assert "只限常住内蒙古或北京的出行人报名。" in card and "北京(北京):剩余 3 个名额" in card
    held = await client.post("/api/v1/bookings", json={"tour_id": tour["id"], "traveller_ids": couple}, headers=beijing)
    assert held.status_code == 201, held.text
    await confirm(client, held.json()["id"], beijing)

    # 4. The next person sees the places left for Beijing go down; Inner Mongolia's stay.
    clock.advance(hours=3)
    page = await client.get(f"/tours/{tour['id']}")
    assert "北京(北京):剩余 1 个名额" in page.text and "内蒙古(内蒙古):剩余 3 个名额" in page.text

    # 5. A traveller from Heilongjiang is told on the tour page, before booking, and cannot book.
    outsider_id = await factories.account("13800138002", name="王秀兰")
    outsider = await factories.bearer(client, "13800138002")
    person = (await client.post("/api/v1/travellers", json=factories.traveller_body(), headers=outsider)).json()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as browser:
        await sign_in(browser, "13800138002", factories.PASSWORD)
        told = await browser.get(f"/tours/{tour['id']}")
        assert "王秀兰 不住在这些省份,不能参加这次交流。" in told.text
    refused_hold = await client.post(
        "/api/v1/bookings", json={"tour_id": tour["id"], "traveller_ids": [person["id"]]}, headers=outsider
    )
    assert refused_hold.status_code == 409 and refused_hold.json()["code"] == "not_in_exchange"
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM booking WHERE account = $1", outsider_id) == 0
        assert await conn.fetchval("SELECT count(*) FROM booking WHERE account = $1", beijing_id) == 1
