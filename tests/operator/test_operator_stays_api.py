"""The front desk: check-in, check-out and no-show follow the booking's state and the base's
calendar day; the dashboard and occupancy show the base's day; nothing of another base leaks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sojourn import db
from tests import factories
from tests.booking_helpers import calendar_mismatches
from tests.health_helpers import START, book, declaration_body, fetch, fetchval, operator

SHANGHAI = ZoneInfo("Asia/Shanghai")
ARRIVAL = START + dt.timedelta(days=10)  # the Sanya holiday
DEPARTURE = START + dt.timedelta(days=17)


def at_base(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI).astimezone(dt.UTC)


@pytest.fixture
async def stay(client, world):
    return await book(client, world, "13800000001", tour="vacation")


async def step(client, booking_id: int, name: str, headers: dict):
    return await client.post(f"/api/v1/operator/bookings/{booking_id}/{name}", headers=headers)


async def desk(client, world, clock, when: dt.datetime) -> dict:
    """The Sanya operator's token, issued at ``when`` (tokens run out, the clock jumps)."""
    clock.set(when)
    if not await fetchval("SELECT count(*) FROM account WHERE email = 'ops@sanya.cn'"):
        await factories.account("ops@sanya.cn", role="operator", base_ids=[world.bases["sanya"]["id"]])
    return await factories.bearer(client, "ops@sanya.cn")


async def test_check_in_opens_on_the_arrival_day_at_the_base(client, world, clock, stay):
    headers = await desk(client, world, clock, at_base(ARRIVAL - dt.timedelta(days=1), 23, 50))
    early = await step(client, stay.booking_id, "check-in", headers)
    assert early.status_code == 409 and early.json()["code"] == "too_early"
    # 00:10 in Shanghai is still the day before in UTC: the base's own day counts.
    clock.set(at_base(ARRIVAL, 0, 10))
    assert clock.now().date() < ARRIVAL
    response = await step(client, stay.booking_id, "check-in", headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "checked_in" and response.json()["checked_in_at"]
    again = await step(client, stay.booking_id, "check-in", headers)
    assert again.status_code == 409 and again.json()["code"] == "wrong_status"
    assert (await step(client, stay.booking_id, "no-show", headers)).status_code == 409


async def test_check_out_only_after_check_in(client, world, clock, stay):
    headers = await desk(client, world, clock, at_base(ARRIVAL, 15))
    refused = await step(client, stay.booking_id, "check-out", headers)
    assert refused.status_code == 409 and refused.json()["code"] == "not_checked_in"
    assert (await step(client, stay.booking_id, "check-in", headers)).status_code == 200
    headers = await desk(client, world, clock, at_base(DEPARTURE, 10))
    response = await step(client, stay.booking_id, "check-out", headers)
    assert response.status_code == 200 and response.json()["status"] == "checked_out"
    assert (await step(client, stay.booking_id, "check-out", headers)).status_code == 409
    actions = [
        row["action"] for row in await fetch("SELECT action FROM audit_event WHERE object_type = 'booking' ORDER BY id")
    ]
    assert actions[-2:] == ["booking_checked_in", "booking_checked_out"]
    assert await calendar_mismatches() == []  # a stay that happened keeps its nights


async def test_no_show_only_once_the_arrival_day_is_over(client, world, clock, stay):
    headers = await desk(client, world, clock, at_base(ARRIVAL, 22))
    early = await step(client, stay.booking_id, "no-show", headers)
    assert early.status_code == 409 and early.json()["code"] == "too_early"
    clock.set(at_base(ARRIVAL + dt.timedelta(days=1), 9))
    response = await step(client, stay.booking_id, "no-show", headers)
    assert response.status_code == 200 and response.json()["status"] == "no_show"
    assert (await step(client, stay.booking_id, "check-in", headers)).status_code == 409
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'booking_no_show'") == 1
    assert await calendar_mismatches() == []


async def test_a_hold_cannot_be_checked_in_and_a_finished_stay_not_any_more(client, world, clock):
    held = await book(client, world, "13800000002", tour="vacation", confirm=False)
    confirmed = await book(client, world, "13800000003", tour="vacation")
    headers = await desk(client, world, clock, at_base(ARRIVAL, 12))
    response = await step(client, held.booking_id, "check-in", headers)
    assert response.status_code == 409
    headers = await desk(client, world, clock, at_base(DEPARTURE, 12))
    response = await step(client, confirmed.booking_id, "check-in", headers)
    assert response.status_code == 409 and response.json()["code"] == "stay_over"


async def test_other_bases_and_other_roles_cannot_touch_the_booking(client, world, clock, stay):
    clock.set(at_base(ARRIVAL, 12))
    other = await operator(client, "ops@hulunbuir.cn", world.bases["hulunbuir"]["id"])
    for name in ("check-in", "check-out", "no-show"):
        assert (await step(client, stay.booking_id, name, other)).status_code == 404
    traveller = await factories.bearer(client, "13800000001")
    assert (await step(client, stay.booking_id, "check-in", traveller)).status_code == 403
    assert await fetchval("SELECT status FROM booking WHERE id = $1", stay.booking_id) == "confirmed"


async def test_dashboard_shows_the_day_at_the_base(client, world, clock):
    leaving = await book(client, world, "13800000001", tour="vacation")
    arriving = await book(client, world, "13800000002", tour="migratory", arrival_offset=17, nights=28)
    assert (
        await client.put(arriving.path, json=declaration_body(), headers=arriving.booker.headers)
    ).status_code == 200
    headers = await desk(client, world, clock, at_base(ARRIVAL, 9))
    assert (await step(client, leaving.booking_id, "check-in", headers)).status_code == 200
    headers = await desk(client, world, clock, at_base(DEPARTURE, 9))
    # A hold running out in 10 minutes, and one that already ran out (it blocks nobody).
    expiring = await book(client, world, "13800000003", tour="migratory", arrival_offset=40, nights=30, confirm=False)
    lapsed = await book(client, world, "13800000004", tour="migratory", arrival_offset=40, nights=30, confirm=False)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE booking SET hold_expires_at = $2 WHERE id = $1",
            expiring.booking_id,
            clock.now() + dt.timedelta(minutes=10),
        )
        await conn.execute("UPDATE booking SET hold_expires_at = $2 WHERE id = $1", lapsed.booking_id, clock.now())
    response = await client.get(f"/api/v1/operator/bases/{world.bases['sanya']['id']}/dashboard", headers=headers)
    assert response.status_code == 200, response.text
    board = response.json()
    assert board["today"] == DEPARTURE.isoformat()
    assert [item["booking_id"] for item in board["arrivals"]] == [arriving.booking_id]
    assert [item["booking_id"] for item in board["departures"]] == [leaving.booking_id]
    assert board["arrivals"][0]["travellers"] == ["旅客0002"]
    assert board["staying"] == 1
    assert board["declarations_awaiting"] == 1
    assert [hold["booking_id"] for hold in board["holds_expiring"]] == [expiring.booking_id]
    assert board["holds_expiring"][0]["minutes_left"] == 10
    nights = {night["date"]: night for night in board["occupancy"]}
    assert len(nights) == 90 and min(nights) == DEPARTURE.isoformat()
    first = nights[DEPARTURE.isoformat()]
    assert (first["beds"], first["taken"], first["held"], first["free"]) == (10, 1, 0, 9)
    later = nights[(START + dt.timedelta(days=40)).isoformat()]
    assert (later["beds"], later["taken"], later["held"], later["free"]) == (10, 1, 1, 8)


async def test_occupancy_of_a_range_and_nights_without_beds(client, world):
    headers = await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"])
    start = START + dt.timedelta(days=118)
    response = await client.get(
        f"/api/v1/operator/bases/{world.bases['sanya']['id']}/occupancy",
        params={"start": start.isoformat(), "end": (start + dt.timedelta(days=4)).isoformat()},
        headers=headers,
    )
    assert response.status_code == 200
    assert [(n["beds"], n["open"]) for n in response.json()["nights"]] == [
        (10, True),
        (10, True),
        (0, False),
        (0, False),
    ]
    bad = await client.get(
        f"/api/v1/operator/bases/{world.bases['sanya']['id']}/occupancy",
        params={"start": start.isoformat(), "end": start.isoformat()},
        headers=headers,
    )
    assert bad.status_code == 422 and "end" in bad.json()["field_errors"]


async def test_dashboard_and_occupancy_of_another_base_are_not_found(client, world):
    other = await operator(client, "ops@hulunbuir.cn", world.bases["hulunbuir"]["id"])
    sanya = world.bases["sanya"]["id"]
    assert (await client.get(f"/api/v1/operator/bases/{sanya}/dashboard", headers=other)).status_code == 404
    response = await client.get(
        f"/api/v1/operator/bases/{sanya}/occupancy", params={"start": "2027-01-10", "end": "2027-01-20"}, headers=other
    )
    assert response.status_code == 404
    bases = (await client.get("/api/v1/operator/bases", headers=other)).json()
    assert [base["id"] for base in bases] == [world.bases["hulunbuir"]["id"]]
