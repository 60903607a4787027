"""Giving and correcting feedback through the API: only after the stay, once per traveller,
14 days to change it, hotline agents on a senior's behalf, bad input refused."""

import asyncio
import datetime as dt

import pytest

from sojourn import db
from tests import booking_helpers, factories
from tests.booking_helpers import Booker, booker
from tests.pinned import SHANGHAI

START = dt.date(2027, 1, 10)
DEPARTURE = dt.date(2027, 1, 27)  # the vacation tour of small_world: 2027-01-20 to 2027-01-27
DAY_BEFORE_DEPARTURE = dt.datetime(2027, 1, 26, 12, 0, tzinfo=SHANGHAI)
DEPARTURE_NOON = dt.datetime(2027, 1, 27, 12, 0, tzinfo=SHANGHAI)

RATINGS = {
    "accommodation": 5,
    "food": 4,
    "medical": 4,
    "activities": 3,
    "staff": 5,
    "transport": 4,
    "value": 4,
    "safety": 5,
}


def body(**changes):
    return {"ratings": dict(RATINGS), "nps": 9, "comment": "房间干净，护士很耐心。", **changes}


async def confirmed_trip(client, world, login="13800000001", travellers=1):
    senior = await booker(client, login, travellers=travellers)
    held = await client.post(
        "/api/v1/bookings",
        json={"tour_id": world.tours["vacation"]["id"], "traveller_ids": senior.traveller_ids},
        headers=senior.headers,
    )
    assert held.status_code == 201, held.text
    await booking_helpers.confirm(client, held.json()["id"], senior.headers)
    return senior, held.json()["id"]


async def move_clock(client, clock, instant, *people: Booker) -> None:
    """Tokens last 12 hours: after moving the clock, everyone signs in again."""
    clock.set(instant)
    for person in people:
        person.headers = await factories.bearer(client, person.login)


async def feedback_count() -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM feedback")


async def test_feedback_before_the_stay_ends_is_refused(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    await move_clock(client, clock, DAY_BEFORE_DEPARTURE, senior)
    early = await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)
    assert early.status_code == 409 and early.json()["code"] == "stay_not_over"
    listed = (await client.get(f"/api/v1/bookings/{booking_id}/feedback", headers=senior.headers)).json()
    assert listed["can_give_feedback"] is False and listed["why_not_code"] == "stay_not_over"
    # 00:30 on departure day in Shanghai is still the day before in UTC: the base's day counts.
    await move_clock(client, clock, dt.datetime(2027, 1, 27, 0, 30, tzinfo=SHANGHAI), senior)
    on_time = await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)
    assert on_time.status_code == 201, on_time.text
    given = on_time.json()
    assert given["ratings"] == RATINGS and given["nps"] == 9 and given["entered_on_behalf"] is False
    assert given["traveller_id"] == senior.traveller_ids[0]
    editable_until = dt.datetime.fromisoformat(given["editable_until"])
    expected = dt.datetime(2027, 1, 27, 0, 30, tzinfo=SHANGHAI) + dt.timedelta(days=14)
    assert abs((editable_until - expected).total_seconds()) < 5


async def test_checking_out_early_ends_the_stay_for_feedback(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    await move_clock(client, clock, DAY_BEFORE_DEPARTURE, senior)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE booking SET status = 'checked_out', checked_out_at = $2 WHERE id = $1",
            booking_id,
            clock.now(),
        )
    response = await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("status", ["cancelled", "no_show", "expired"])
async def test_stays_that_did_not_happen_take_no_feedback(client, world, clock, status):
    senior, booking_id = await confirmed_trip(client, world)
    async with db.connection() as conn:
        await conn.execute("UPDATE booking SET status = $2 WHERE id = $1", booking_id, status)
    await move_clock(client, clock, DEPARTURE_NOON + dt.timedelta(days=2), senior)
    response = await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)
    assert response.status_code == 409 and response.json()["code"] == "stay_not_taken"
    assert await feedback_count() == 0


async def test_feedback_closes_a_year_after_the_stay(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    await move_clock(client, clock, DEPARTURE_NOON + dt.timedelta(days=366), senior)
    response = await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)
    assert response.status_code == 409 and response.json()["code"] == "feedback_closed"


async def test_a_second_feedback_for_the_same_traveller_and_booking_is_a_conflict(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    await move_clock(client, clock, DEPARTURE_NOON, senior)
    first = await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)
    assert first.status_code == 201
    second = await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(nps=2), headers=senior.headers)
    assert second.status_code == 409
    assert second.json()["code"] == "feedback_exists" and second.json()["feedback_id"] == first.json()["id"]
    assert await feedback_count() == 1


async def test_feedback_sent_twice_at_once_is_stored_once(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    await move_clock(client, clock, DEPARTURE_NOON, senior)
    url = f"/api/v1/bookings/{booking_id}/feedback"
    answers = await asyncio.gather(*(client.post(url, json=body(), headers=senior.headers) for _ in range(4)))
    assert sorted(answer.status_code for answer in answers) == [201, 409, 409, 409]
    assert await feedback_count() == 1


async def test_several_travellers_each_give_their_own(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world, travellers=2)
    stranger = await booker(client, "13800000009")
    await move_clock(client, clock, DEPARTURE_NOON, senior)
    url = f"/api/v1/bookings/{booking_id}/feedback"
    unsaid = await client.post(url, json=body(), headers=senior.headers)
    assert unsaid.status_code == 422 and "traveller_id" in unsaid.json()["field_errors"]
    not_on_booking = await client.post(url, json=body(traveller_id=stranger.traveller_ids[0]), headers=senior.headers)
    assert not_on_booking.status_code == 422 and "traveller_id" in not_on_booking.json()["field_errors"]
    first = await client.post(url, json=body(traveller_id=senior.traveller_ids[0]), headers=senior.headers)
    assert first.status_code == 201
    listed = (await client.get(url, headers=senior.headers)).json()
    assert listed["total"] == 1 and listed["can_give_feedback"] is True
    assert [t["id"] for t in listed["travellers_without_feedback"]] == [senior.traveller_ids[1]]
    second = await client.post(url, json=body(traveller_id=senior.traveller_ids[1], nps=6), headers=senior.headers)
    assert second.status_code == 201
    listed = (await client.get(url, headers=senior.headers)).json()
    assert listed["total"] == 2 and listed["can_give_feedback"] is False and listed["travellers_without_feedback"] == []


async def test_feedback_can_be_changed_for_14_days_and_not_after(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    await move_clock(client, clock, DEPARTURE_NOON, senior)
    given = (await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)).json()
    url = f"/api/v1/feedback/{given['id']}"
    await move_clock(client, clock, DEPARTURE_NOON + dt.timedelta(days=13, hours=23), senior)
    changed = await client.put(
        url,
        json={"ratings": {**RATINGS, "food": 2}, "nps": 7, "comment": "  饭菜偏咸。 "},
        headers=senior.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["ratings"]["food"] == 2 and changed.json()["nps"] == 7
    assert changed.json()["comment"] == "饭菜偏咸。"
    assert dt.datetime.fromisoformat(changed.json()["updated_at"]) > dt.datetime.fromisoformat(given["created_at"])
    await move_clock(client, clock, DEPARTURE_NOON + dt.timedelta(days=14, minutes=1), senior)
    late = await client.put(url, json={"ratings": RATINGS, "nps": 0}, headers=senior.headers)
    assert late.status_code == 409 and late.json()["code"] == "feedback_locked"
    kept = (await client.get(url, headers=senior.headers)).json()
    assert kept["nps"] == 7 and kept["editable"] is False


async def test_a_hotline_agent_enters_feedback_for_a_senior(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    agent_id = await factories.account("agent@96111.example", role="agent", name="热线坐席")
    await move_clock(client, clock, DEPARTURE_NOON, senior)
    agent = await factories.bearer(client, "agent@96111.example")
    url = f"/api/v1/bookings/{booking_id}/feedback"
    without_mandate = await client.post(url, json=body(), headers=agent)
    assert without_mandate.status_code == 404
    await factories.agent_mandate(senior.traveller_ids[0], recorded_by=agent_id)
    entered = await client.post(url, json=body(comment="老人电话口述：很满意。"), headers=agent)
    assert entered.status_code == 201, entered.text
    assert entered.json()["entered_by_account_id"] == agent_id and entered.json()["entered_on_behalf"] is True
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT entered_by FROM feedback WHERE id = $1", entered.json()["id"])
        event = await conn.fetchrow(
            "SELECT actor_id, on_behalf_of_account_id FROM audit_event WHERE action = 'feedback_given_on_behalf'"
        )
        booking_account = await conn.fetchval("SELECT account FROM booking WHERE id = $1", booking_id)
    assert row["entered_by"] == agent_id
    assert event["actor_id"] == agent_id and event["on_behalf_of_account_id"] == booking_account
    seen_by_senior = (await client.get(url, headers=senior.headers)).json()
    assert seen_by_senior["items"][0]["entered_on_behalf"] is True


async def test_bookings_and_feedback_of_others_are_not_found(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    stranger = await booker(client, "13800000002")
    await move_clock(client, clock, DEPARTURE_NOON, senior, stranger)
    given = (await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)).json()
    assert (
        await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=stranger.headers)
    ).status_code == 404
    assert (await client.get(f"/api/v1/bookings/{booking_id}/feedback", headers=stranger.headers)).status_code == 404
    assert (await client.get(f"/api/v1/feedback/{given['id']}", headers=stranger.headers)).status_code == 404
    changed = await client.put(
        f"/api/v1/feedback/{given['id']}",
        json={"ratings": RATINGS, "nps": 0},
        headers=stranger.headers,
    )
    assert changed.status_code == 404
    assert (await client.get(f"/api/v1/feedback/{given['id']}", headers=senior.headers)).json()["nps"] == 9


async def test_giving_feedback_needs_sign_in(client, world, clock):
    _, booking_id = await confirmed_trip(client, world)
    clock.set(DEPARTURE_NOON)
    assert (await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body())).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ratings": {**RATINGS, "food": 0}}, "ratings.food"),
        ({"ratings": {**RATINGS, "safety": 6}}, "ratings.safety"),
        ({"nps": 11}, "nps"),
        ({"nps": -1}, "nps"),
        ({"stars": 5}, None),  # the shared mapper names no field for an unknown top-level member
        ({"ratings": {**RATINGS, "wifi": 3}}, "ratings.wifi"),
        ({"ratings": {k: v for k, v in RATINGS.items() if k != "medical"}}, "ratings.medical"),
        ({"comment": "好" * 5000}, "comment"),
        ({"nps": "ten"}, "nps"),
    ],
    ids=[
        "rating 0",
        "rating 6",
        "nps 11",
        "nps -1",
        "unknown field",
        "unknown aspect",
        "missing aspect",
        "5,000-character comment",
        "nps not a number",
    ],
)
async def test_bad_input_is_refused_with_field_errors_and_writes_nothing(client, world, clock, changes, field):
    senior, booking_id = await confirmed_trip(client, world)
    await move_clock(client, clock, DEPARTURE_NOON, senior)
    response = await client.post(
        f"/api/v1/bookings/{booking_id}/feedback",
        json=body(**changes),
        headers={**senior.headers, "Accept-Language": "en"},
    )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["field_errors"]
    assert errors
    if field is not None:
        assert field in errors, errors
    assert await feedback_count() == 0


async def test_bad_input_on_change_writes_nothing(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world)
    await move_clock(client, clock, DEPARTURE_NOON, senior)
    given = (await client.post(f"/api/v1/bookings/{booking_id}/feedback", json=body(), headers=senior.headers)).json()
    bad = await client.put(
        f"/api/v1/feedback/{given['id']}",
        json={"ratings": {**RATINGS, "staff": 6}, "nps": 3},
        headers=senior.headers,
    )
    assert bad.status_code == 400 and bad.json()["field_errors"]
    assert (await client.get(f"/api/v1/feedback/{given['id']}", headers=senior.headers)).json()["nps"] == 9


async def test_comments_are_trimmed_and_may_be_empty(client, world, clock):
    senior, booking_id = await confirmed_trip(client, world, travellers=2)
    await move_clock(client, clock, DEPARTURE_NOON, senior)
    url = f"/api/v1/bookings/{booking_id}/feedback"
    blank = await client.post(
        url, json=body(comment="   ", traveller_id=senior.traveller_ids[0]), headers=senior.headers
    )
    assert blank.status_code == 201 and blank.json()["comment"] == ""
    left_out = {"ratings": RATINGS, "nps": 10, "traveller_id": senior.traveller_ids[1]}
    trimmed = await client.post(url, json={**left_out, "comment": "\n 很好\r\n下次还来 \t"}, headers=senior.headers)
    assert trimmed.json()["comment"] == "很好\n下次还来"
