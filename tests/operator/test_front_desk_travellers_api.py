"""The front desk traveller by traveller: each traveller checked in, checked out or marked as not
come; the booking's status follows theirs; a missing or unapproved health form is a warning, not
a refusal; a step done by mistake is undone the same day at the base, and audited; a week of
arrivals and departures."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests.booking_helpers import calendar_mismatches, confirm
from tests.health_helpers import START, declaration_body, fetch, fetchval

SHANGHAI = ZoneInfo("Asia/Shanghai")
ARRIVAL = START + dt.timedelta(days=10)  # the Sanya holiday
DEPARTURE = START + dt.timedelta(days=17)


def at_base(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI).astimezone(dt.UTC)


@dataclass
class Couple:
    booking_id: int
    wife: int
    husband: int


@pytest.fixture
async def couple(client, world) -> Couple:
    """王秀兰 and 李建国 on one booking of the Sanya holiday; only she sent her health form."""
    await factories.account("13800000001")
    headers = await factories.bearer(client, "13800000001")
    ids = []
    for name, birth in (("王秀兰", "1955-04-12"), ("李建国", "1950-09-01")):
        body = factories.traveller_body(name=name, birth=dt.date.fromisoformat(birth))
        ids.append((await client.post("/api/v1/travellers", json=body, headers=headers)).json()["id"])
    held = await client.post(
        "/api/v1/bookings", json={"tour_id": world.tours["vacation"]["id"], "traveller_ids": ids}, headers=headers
    )
    booking_id = held.json()["id"]
    await confirm(client, booking_id, headers)
    path = f"/api/v1/bookings/{booking_id}/travellers/{ids[0]}/declaration"
    assert (await client.put(path, json=declaration_body(), headers=headers)).status_code == 200
    return Couple(booking_id, ids[0], ids[1])


async def desk(client, world, clock, when: dt.datetime) -> dict:
    clock.set(when)
    if not await fetchval("SELECT count(*) FROM account WHERE email = 'ops@sanya.cn'"):
        await factories.account("ops@sanya.cn", role="operator", base_ids=[world.bases["sanya"]["id"]])
    return await factories.bearer(client, "ops@sanya.cn")


async def step(client, couple: Couple, traveller_id: int, name: str, headers: dict):
    return await client.post(
        f"/api/v1/operator/bookings/{couple.booking_id}/travellers/{traveller_id}/{name}", headers=headers
    )


def attendance_of(body: dict) -> dict[int, str]:
    return {person["traveller_id"]: person["attendance"] for person in body["travellers"]}


async def test_each_traveller_is_checked_in_with_a_warning_for_health_forms_not_approved(client, world, clock, couple):
    headers = await desk(client, world, clock, at_base(ARRIVAL, 15))
    response = await step(client, couple, couple.wife, "check-in", headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "checked_in"
    assert attendance_of(body) == {couple.wife: "checked_in", couple.husband: "expected"}
    assert body["warnings"] == ["王秀兰 的健康申报还没有审核通过。"]  # sent, not yet approved
    husband = (await step(client, couple, couple.husband, "check-in", headers)).json()
    assert husband["warnings"] == ["李建国 还没有提交健康申报。"]
    again = await step(client, couple, couple.husband, "check-in", headers)
    assert again.status_code == 409 and "李建国 已经登记为：已入住。" in again.json()["detail"]
    actions = [row["action"] for row in await fetch("SELECT action FROM audit_event WHERE object_type = 'booking'")]
    assert actions.count("traveller_checked_in") == 2


async def test_one_comes_one_does_not_and_the_booking_follows(client, world, clock, couple):
    headers = await desk(client, world, clock, at_base(ARRIVAL, 15))
    assert (await step(client, couple, couple.wife, "check-in", headers)).status_code == 200
    too_early = await step(client, couple, couple.husband, "no-show", headers)
    assert too_early.status_code == 409 and too_early.json()["code"] == "too_early"
    headers = await desk(client, world, clock, at_base(ARRIVAL + dt.timedelta(days=1), 9))
    body = (await step(client, couple, couple.husband, "no-show", headers)).json()
    assert body["status"] == "checked_in"  # she is still here
    assert attendance_of(body) == {couple.wife: "checked_in", couple.husband: "no_show"}
    refused = await step(client, couple, couple.husband, "check-out", headers)
    assert refused.status_code == 409 and refused.json()["code"] == "not_checked_in"
    headers = await desk(client, world, clock, at_base(DEPARTURE, 10))
    body = (await step(client, couple, couple.wife, "check-out", headers)).json()
    assert body["status"] == "checked_out" and body["checked_out_at"]
    assert await calendar_mismatches() == []  # nobody's nights were given back


async def test_a_booking_is_a_no_show_only_when_nobody_came(client, world, clock, couple):
    headers = await desk(client, world, clock, at_base(ARRIVAL + dt.timedelta(days=1), 9))
    body = (await step(client, couple, couple.wife, "no-show", headers)).json()
    assert body["status"] == "confirmed"
    body = (await step(client, couple, couple.husband, "no-show", headers)).json()
    assert body["status"] == "no_show"


async def test_a_mistake_is_undone_the_same_day_and_not_the_next(client, world, clock, couple):
    headers = await desk(client, world, clock, at_base(ARRIVAL, 15))
    await step(client, couple, couple.wife, "check-in", headers)
    undone = await step(client, couple, couple.wife, "undo", headers)
    assert undone.status_code == 200
    assert undone.json()["status"] == "confirmed" and undone.json()["checked_in_at"] is None
    assert attendance_of(undone.json())[couple.wife] == "expected"
    nothing = await step(client, couple, couple.wife, "undo", headers)
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_undo"
    await step(client, couple, couple.wife, "check-in", headers)
    clock.set(at_base(ARRIVAL, 23))
    assert (await step(client, couple, couple.wife, "check-out", headers)).json()["status"] == "checked_in"
    back = (await step(client, couple, couple.wife, "undo", headers)).json()  # checked out by mistake
    assert attendance_of(back)[couple.wife] == "checked_in" and back["status"] == "checked_in"
    clock.set(at_base(ARRIVAL + dt.timedelta(days=1), 0) + dt.timedelta(minutes=5))  # a new day at the base
    late = await step(client, couple, couple.wife, "undo", headers)
    assert late.status_code == 409 and late.json()["code"] == "undo_too_late"
    events = await fetch("SELECT detail FROM audit_event WHERE action = 'traveller_attendance_undone' ORDER BY id")
    assert len(events) == 2 and '"undone": "checked_out"' in events[1]["detail"]


async def test_other_bases_cannot_touch_a_traveller(client, world, clock, couple):
    clock.set(at_base(ARRIVAL, 15))
    await factories.account("ops@hulunbuir.cn", role="operator", base_ids=[world.bases["hulunbuir"]["id"]])
    other = await factories.bearer(client, "ops@hulunbuir.cn")
    for name in ("check-in", "no-show", "check-out", "undo"):
        assert (await step(client, couple, couple.wife, name, other)).status_code == 404
    headers = await desk(client, world, clock, at_base(ARRIVAL, 15))
    stranger = await step(client, couple, 999999, "check-in", headers)
    assert stranger.status_code == 404
    assert await fetchval("SELECT status FROM booking WHERE id = $1", couple.booking_id) == "confirmed"


async def test_a_week_of_arrivals_and_departures(client, world, clock, couple):
    headers = await desk(client, world, clock, at_base(ARRIVAL - dt.timedelta(days=2), 9))
    base_id = world.bases["sanya"]["id"]
    week = (await client.get(f"/api/v1/operator/bases/{base_id}/week", headers=headers)).json()
    assert week["start"] == (ARRIVAL - dt.timedelta(days=2)).isoformat() and len(week["days"]) == 7
    days = {day["day"]: day for day in week["days"]}
    arriving = days[ARRIVAL.isoformat()]["arriving"]
    assert [item["booking_id"] for item in arriving] == [couple.booking_id]
    assert [person["name"] for person in arriving[0]["people"]] == ["王秀兰", "李建国"]
    later = (
        await client.get(
            f"/api/v1/operator/bases/{base_id}/week",
            params={"start": (ARRIVAL + dt.timedelta(days=1)).isoformat()},
            headers=headers,
        )
    ).json()
    leaving = {day["day"]: day["leaving"] for day in later["days"]}
    assert [item["booking_id"] for item in leaving[DEPARTURE.isoformat()]] == [couple.booking_id]
