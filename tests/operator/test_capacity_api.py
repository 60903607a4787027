"""Operators set beds per night: never below what is taken, only at their own bases."""

import datetime as dt

import pytest

from sojourn import db
from tests import factories
from tests.booking_helpers import booker, calendar_mismatches, migratory_body

START = dt.date(2027, 1, 10)


@pytest.fixture
def world_beds() -> int:
    return 4  # few beds: calendars fill up and refuse changes below what is taken


async def operator_of(client, world, base: str, login: str):
    await factories.account(login, role="operator", base_ids=[world.bases[base]["id"]])
    return await factories.bearer(client, login)


def capacity_url(world, base="sanya"):
    return f"/api/v1/operator/bases/{world.bases[base]['id']}/capacity"


async def test_operator_sets_beds_for_a_range_and_weekdays(client, world):
    headers = await operator_of(client, world, "sanya", "ops@sanya.example")
    end = START + dt.timedelta(days=14)
    response = await client.put(
        capacity_url(world),
        json={"start": START.isoformat(), "end": end.isoformat(), "beds": 7, "weekdays": [6, 7]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["nights_changed"] == 4  # two weekends
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT night, beds FROM capacity_night WHERE base = $1 AND night >= $2 AND night < $3 ORDER BY night",
            world.bases["sanya"]["id"],
            START,
            end,
        )
    for row in rows:
        assert row["beds"] == (7 if row["night"].isoweekday() >= 6 else 4)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM audit_event WHERE action = 'capacity_changed'") == 1


async def test_capacity_below_what_is_taken_is_refused_with_the_nights(client, world):
    senior = await booker(client, "13800000001", travellers=3)
    held = await client.post(
        "/api/v1/bookings",
        json=migratory_body(world, arrival_offset=5, nights=30, travellers=senior.traveller_ids),
        headers=senior.headers,
    )
    assert held.status_code == 201
    headers = await operator_of(client, world, "sanya", "ops@sanya.example")
    response = await client.put(
        capacity_url(world),
        json={
            "start": (START + dt.timedelta(days=30)).isoformat(),
            "end": (START + dt.timedelta(days=40)).isoformat(),
            "beds": 2,
        },
        headers=headers,
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "below_taken"
    assert [n["date"] for n in body["nights_below_taken"]] == [
        (START + dt.timedelta(days=d)).isoformat() for d in range(30, 35)
    ]
    assert body["bookings_in_the_way"][0]["reference"] == held.json()["reference"]
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT max(beds) FROM capacity_night WHERE base = $1", world.bases["sanya"]["id"]) == 4
        )
    assert await calendar_mismatches() == []


async def test_new_nights_can_be_opened(client, world):
    headers = await operator_of(client, world, "sanya", "ops@sanya.example")
    later = START + dt.timedelta(days=200)
    response = await client.put(
        capacity_url(world),
        json={"start": later.isoformat(), "end": (later + dt.timedelta(days=3)).isoformat(), "beds": 9},
        headers=headers,
    )
    assert response.status_code == 200 and response.json()["nights_changed"] == 3


async def test_operator_of_another_base_gets_404_and_a_traveller_403(client, world):
    other = await operator_of(client, world, "hulunbuir", "ops@hulunbuir.example")
    body = {"start": START.isoformat(), "end": (START + dt.timedelta(days=3)).isoformat(), "beds": 0}
    assert (await client.put(capacity_url(world), json=body, headers=other)).status_code == 404
    senior = await booker(client, "13800000001")
    assert (await client.put(capacity_url(world), json=body, headers=senior.headers)).status_code == 403
    assert (await client.put(capacity_url(world), json=body)).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2027-01-10", "end": "2027-01-10", "beds": 3},
        {"start": "2027-01-10", "end": "2027-01-12", "beds": -1},
        {"start": "2027-01-10", "end": "2027-01-12", "beds": 3, "weekdays": [0]},
        {"start": "2027-01-10", "end": "2030-01-12", "beds": 3},
        {"start": "not a date", "end": "2027-01-12", "beds": 3},
    ],
    ids=["empty range", "negative beds", "weekday 0", "too long", "bad date"],
)
async def test_bad_capacity_input_is_refused_and_changes_nothing(client, world, body):
    headers = await operator_of(client, world, "sanya", "ops@sanya.example")
    response = await client.put(capacity_url(world), json=body, headers=headers)
    assert response.status_code in (400, 422)
    assert response.json()["field_errors"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(DISTINCT beds) FROM capacity_night") == 1
