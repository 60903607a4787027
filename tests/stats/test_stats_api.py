"""The statistics API: who may ask, what a limited coordinator sees, CSV files, filters, the cache."""

from __future__ import annotations

import pytest

from sojourn import db
from tests import booking_helpers, factories
from tests.booking_helpers import booker
from tests.pinned import PINNED_NOW
from tests.stats_helpers import START, admin, coordinator, hold, stay

ENDPOINTS = ("flows", "occupancy", "exchange-balance", "satisfaction", "health-mix", "bookings")


@pytest.mark.parametrize("role", ["traveller", "operator", "agent"])
async def test_only_coordinators_and_admins_may_read_statistics(client, history, role):
    await factories.account(
        f"{role}@sojourn.example",
        role=role,
        base_ids=[history.world.bases["sanya"]["id"]] if role == "operator" else [],
    )
    headers = await factories.bearer(client, f"{role}@sojourn.example")
    for name in ENDPOINTS:
        assert (await client.get(f"/api/v1/stats/{name}", headers=headers)).status_code == 403, name
        assert (await client.get(f"/api/v1/stats/{name}")).status_code == 401, name
    boss = await admin(client)
    for name in ENDPOINTS:
        assert (await client.get(f"/api/v1/stats/{name}", headers=boss)).status_code == 200, name


async def test_a_coordinator_limited_to_a_member_sees_only_what_touches_it(client, history):
    world = history.world
    everyone = await coordinator(client, "all@sojourn.example")
    hainan = await coordinator(client, "hainan@sojourn.example", world.members["hi"]["id"])
    beijing = await coordinator(client, "beijing@sojourn.example", world.members["bj"]["id"])

    all_flows = (await client.get("/api/v1/stats/flows", headers=everyone)).json()
    hainan_flows = (await client.get("/api/v1/stats/flows", headers=hainan)).json()
    assert {f["destination_code"] for f in hainan_flows} == {"460000"}
    assert hainan_flows == [f for f in all_flows if f["destination_code"] == "460000"]
    beijing_flows = (await client.get("/api/v1/stats/flows", headers=beijing)).json()
    assert beijing_flows and all("110000" in (f["origin_code"], f["destination_code"]) for f in beijing_flows)
    assert len(beijing_flows) < len(all_flows)

    occupancy = (await client.get("/api/v1/stats/occupancy", headers=hainan)).json()
    assert {row["base_id"] for row in occupancy} == {world.bases["sanya"]["id"]}
    satisfaction = (await client.get("/api/v1/stats/satisfaction", headers=hainan)).json()
    assert [row["id"] for row in satisfaction] == [world.bases["sanya"]["id"]]
    mix = (await client.get("/api/v1/stats/health-mix", headers=beijing)).json()
    assert {row["base_id"] for row in mix} <= {world.bases["beijing"]["id"]}
    exchange = (await client.get("/api/v1/stats/exchange-balance", headers=hainan)).json()
    assert exchange == []  # Hainan exchanged with nobody
    seen_by_beijing = (await client.get("/api/v1/stats/exchange-balance", headers=beijing)).json()
    assert [(row["member_code"], row["partner_code"]) for row in seen_by_beijing] == [("110000", "150000")]
    assert seen_by_beijing[0]["sent_bed_nights"] == 20 and seen_by_beijing[0]["received_bed_nights"] == 14


async def test_statistics_never_name_a_person(client, history):
    headers = await coordinator(client, "all@sojourn.example")
    async with db.connection() as conn:
        names = [row["name"] for row in await conn.fetch("SELECT name FROM traveller")]
        logins = [row["phone"] for row in await conn.fetch("SELECT phone FROM account WHERE phone IS NOT NULL")]
    assert len(names) == 9 and len(logins) == 6  # the history's travellers and their bookers
    for name in ENDPOINTS:
        response = await client.get(f"/api/v1/stats/{name}", headers=headers)
        assert response.status_code == 200, (name, response.text)
        assert response.json(), f"{name}: no rows, so nothing was checked"
        body = response.text
        assert not any(person in body for person in names + logins), name
        assert "traveller_id" not in body and "booking_id" not in body and "account" not in body, name


async def test_every_statistic_downloads_as_csv_with_a_byte_order_mark(client, history):
    headers = {**await coordinator(client, "all@sojourn.example"), "Accept": "text/csv"}
    for name in ENDPOINTS:
        response = await client.get(f"/api/v1/stats/{name}", headers=headers)
        assert response.status_code == 200, name
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert f'filename="{name}.csv"' in response.headers["content-disposition"]
        assert response.content.startswith(b"\xef\xbb\xbf")
        lines = response.content.decode("utf-8-sig").split("\r\n")
        assert lines[-1] == "" and len(lines) > 2, name
    flows = (await client.get("/api/v1/stats/flows", headers=headers)).content.decode("utf-8-sig").splitlines()
    assert flows[0] == "origin_code,origin_name,destination_code,destination_name,travellers,bed_nights"
    assert flows[1] == "230000,黑龙江,460000,海南,2,100"
    json_flows = (await client.get("/api/v1/stats/flows", headers={"Authorization": headers["Authorization"]})).json()
    assert len(flows) - 1 == len(json_flows)


async def test_an_empty_statistic_still_has_its_header_row(client, db):
    headers = {**await coordinator(client, "all@sojourn.example"), "Accept": "text/csv"}
    body = (await client.get("/api/v1/stats/occupancy", headers=headers)).content.decode("utf-8-sig")
    assert body == "base_id,base_name,member_id,month,sold,available,rate\r\n"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2027-13"}, None), ({"from": "2027-05", "to": "2027-03"}, "to"), ({"from": "2027-02-30"}, "from")],
)
async def test_bad_periods_are_refused(client, db, params, field):
    headers = await coordinator(client, "all@sojourn.example")
    response = await client.get("/api/v1/stats/flows", params=params, headers=headers)
    assert response.status_code in (400, 422), response.text
    if field:
        assert field in response.json()["field_errors"]


async def test_a_month_and_a_date_in_it_mean_the_same_period(client, history):
    headers = await coordinator(client, "all@sojourn.example")
    by_month = await client.get("/api/v1/stats/occupancy", params={"from": "2027-02", "to": "2027-02"}, headers=headers)
    by_date = await client.get(
        "/api/v1/stats/occupancy", params={"from": "2027-02-17", "to": "2027-02-01"}, headers=headers
    )
    assert by_month.json() == by_date.json() and {row["month"] for row in by_month.json()} == {"2027-02"}


async def _confirmed_booking_changes_the_next_answer(http, clock) -> None:
    clock.set(PINNED_NOW)
    world = await factories.small_world(start=START, beds=10)
    headers = await coordinator(http, "all@sojourn.example")
    first = await http.get("/api/v1/stats/flows", headers=headers)
    assert first.json() == []
    again = await http.get("/api/v1/stats/flows", headers=headers)
    assert again.json() == []
    senior = await booker(http, "13800000001", travellers=2)
    booking_id = await hold(http, senior, stay(world, "migratory", senior.traveller_ids, 5, 30), confirm=False)
    held = await http.get("/api/v1/stats/flows", headers=headers)
    assert held.json() == []  # a hold is not sold
    await booking_helpers.confirm(http, booking_id, senior.headers)
    after = (await http.get("/api/v1/stats/flows", headers=headers)).json()
    assert after == [
        {"origin_code": "230000", "origin_name": "黑龙江", "destination_code": "460000", "destination_name": "海南",
         "travellers": 2, "bed_nights": 60}
    ]  # fmt: skip
    # The answer is cached: rollups changed behind the triggers' back (as no product path does)
    # leave it as it was, and only a change the triggers see (the cancellation) is seen.
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT stats_fold_flows()") > 0
        await conn.execute("UPDATE stats_flow_month SET bed_nights = bed_nights + 1000")
        assert (await http.get("/api/v1/stats/flows", headers=headers)).json() == after
        await conn.execute("UPDATE stats_flow_month SET bed_nights = bed_nights - 1000")
    cancelled = await http.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "x"}, headers=senior.headers)
    assert cancelled.status_code == 200
    assert (await http.get("/api/v1/stats/flows", headers=headers)).json() == []
    occupancy = (await http.get("/api/v1/stats/occupancy", headers=headers)).json()
    async with db.connection() as conn:
        await conn.execute("UPDATE capacity_night SET beds = 20 WHERE base = $1", world.bases["sanya"]["id"])
    changed = (await http.get("/api/v1/stats/occupancy", headers=headers)).json()
    assert sum(r["available"] for r in changed) == 2 * sum(
        r["available"] for r in occupancy if r["base_id"] == world.bases["sanya"]["id"]
    ) + sum(r["available"] for r in occupancy if r["base_id"] != world.bases["sanya"]["id"])


async def test_the_in_process_cache_is_invalidated_by_a_confirmation(client, clock, db):
    await _confirmed_booking_changes_the_next_answer(client, clock)


async def test_the_redis_cache_is_invalidated_by_a_confirmation(redis_client, clock, app_with_redis):
    await _confirmed_booking_changes_the_next_answer(redis_client, clock)
    from redis.asyncio import Redis

    redis = Redis.from_url(app_with_redis.state.settings.redis_url)
    try:
        keys = [key async for key in redis.scan_iter("*flows*")]
    finally:
        await redis.aclose()
    assert len(keys) >= 3  # one answer per version of the data


async def test_cached_answers_are_served_until_the_data_changes(client, history):
    headers = await coordinator(client, "all@sojourn.example")
    first = (await client.get("/api/v1/stats/flows", headers=headers)).json()
    async with db.connection() as conn:
        # Behind the triggers' back (as no product path does): the cached answer stays.
        assert await conn.fetchval("SELECT stats_fold_flows()") > 0
        await conn.execute("UPDATE stats_flow_month SET bed_nights = bed_nights + 1000")
        assert (await client.get("/api/v1/stats/flows", headers=headers)).json() == first
        await conn.execute("SELECT stats_bump(0)")
    assert (await client.get("/api/v1/stats/flows", headers=headers)).json() != first


async def test_feedback_and_its_hiding_change_satisfaction_at_once(client, history):
    headers = await coordinator(client, "all@sojourn.example")
    sanya = history.world.bases["sanya"]["id"]

    async def reviews() -> int:
        rows = (await client.get("/api/v1/stats/satisfaction", headers=headers)).json()
        return next(row["review_count"] for row in rows if row["id"] == sanya)

    assert await reviews() == 3
    async with db.connection() as conn:
        await conn.execute("UPDATE feedback SET hidden = true WHERE base = $1 AND nps = 10", sanya)
    assert await reviews() == 2
