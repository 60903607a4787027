"""Finding 4: small-cell suppression holds against differencing.

The attack that worked: ask for two overlapping periods (or all modes, then all modes but
one) and subtract. Each answer alone hides every cell under 5; the difference singled out
one traveller's condition. Now every answer is a table per base and calendar quarter of
arrival (fixed, non-overlapping), for all trip modes together: any two questions either
return the very same table or tables about disjoint groups of people.
"""

import datetime as dt

import pytest

from tests import booking_helpers, factories
from tests.health_helpers import declaration_body
from tests.stats_helpers import coordinator

HYPERTENSION = {"hypertension": {"has": True, "controlled": True}}
BIRTH = dt.date(1955, 4, 12)


@pytest.fixture
def world_beds() -> int:
    """Thirty beds a night: room for groups large enough to be released."""
    return 30


_HEADERS: dict[int, dict] = {}


async def declare(client, world, n: int, body: dict, *, arrival_offset: int, tour: str = "migratory") -> None:
    """Traveller ``n`` of one family account (one sign-in for all: the sign-in limit counts them)."""
    if id(world) not in _HEADERS:
        await factories.account("13800000001")
        _HEADERS[id(world)] = await factories.bearer(client, "13800000001")
    headers = _HEADERS[id(world)]
    person = await client.post(
        "/api/v1/travellers", json=factories.traveller_body(name=f"旅客{n}", birth=BIRTH), headers=headers
    )
    assert person.status_code == 201, person.text
    traveller_id = person.json()["id"]
    booking: dict = {"tour_id": world.tours[tour]["id"], "traveller_ids": [traveller_id]}
    if tour == "migratory":
        arrival = world.start + dt.timedelta(days=arrival_offset)
        booking.update(arrival=arrival.isoformat(), departure=(arrival + dt.timedelta(days=30)).isoformat())
    held = await client.post("/api/v1/bookings", json=booking, headers=headers)
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    await booking_helpers.confirm(client, booking_id, headers)
    path = f"/api/v1/bookings/{booking_id}/travellers/{traveller_id}/declaration"
    response = await client.put(path, json=body, headers=headers)
    assert response.status_code == 200, response.text


def hypertension(rows: list[dict], base_id: int) -> int | None:
    """What the attacker reads: the base's hypertension count, if shown (summed over answers)."""
    shown = [r["count"] for r in rows if r["base_id"] == base_id and r["value"] == "hypertension"]
    return None if not shown or None in shown else sum(shown)


async def test_overlapping_periods_do_not_single_anyone_out(client, world):
    # January (arrivals from START + 5 days): 10 travellers, 5 with high blood pressure.
    for n in range(10):
        await declare(client, world, n, declaration_body(conditions=HYPERTENSION if n < 5 else {}), arrival_offset=5)
    # March: one more traveller, with high blood pressure.
    await declare(client, world, 99, declaration_body(conditions=HYPERTENSION), arrival_offset=55)
    headers = await coordinator(client, "all@sojourn.example")
    sanya = world.bases["sanya"]["id"]
    short = (
        await client.get("/api/v1/stats/health-mix", params={"from": "2027-01", "to": "2027-02"}, headers=headers)
    ).json()
    long = (
        await client.get("/api/v1/stats/health-mix", params={"from": "2027-01", "to": "2027-03"}, headers=headers)
    ).json()
    a, b = hypertension(short, sanya), hypertension(long, sanya)
    # Before: 5 then 6, so the March traveller has high blood pressure. Now both are the quarter.
    assert a is None or b is None or a == b, (a, b)
    assert short == long


async def test_all_modes_minus_one_mode_does_not_single_anyone_out(client, world):
    for n in range(10):
        await declare(client, world, n, declaration_body(conditions=HYPERTENSION if n < 5 else {}), arrival_offset=5)
    # One interactive traveller, with high blood pressure, in the same month.
    await declare(client, world, 99, declaration_body(conditions=HYPERTENSION), arrival_offset=0, tour="vacation")
    headers = await coordinator(client, "all@sojourn.example")
    sanya = world.bases["sanya"]["id"]
    everyone = (await client.get("/api/v1/stats/health-mix", headers=headers)).json()
    one_mode = await client.get("/api/v1/stats/health-mix", params={"mode": "migratory"}, headers=headers)
    if one_mode.status_code == 200:
        a, b = hypertension(everyone, sanya), hypertension(one_mode.json(), sanya)
        assert a is None or b is None or a == b, (a, b)
    else:
        assert one_mode.status_code == 422 and "mode" in one_mode.json()["field_errors"]


async def test_member_and_base_filters_show_the_same_tables(client, world):
    for n in range(6):
        await declare(client, world, n, declaration_body(), arrival_offset=5)
    headers = await coordinator(client, "all@sojourn.example")
    sanya = world.bases["sanya"]["id"]
    everyone = [
        r for r in (await client.get("/api/v1/stats/health-mix", headers=headers)).json() if r["base_id"] == sanya
    ]
    by_base = (await client.get("/api/v1/stats/health-mix", params={"base_id": sanya}, headers=headers)).json()
    by_member = [
        r
        for r in (
            await client.get(
                "/api/v1/stats/health-mix", params={"member_id": world.members["hi"]["id"]}, headers=headers
            )
        ).json()
        if r["base_id"] == sanya
    ]
    assert everyone == by_base == by_member
