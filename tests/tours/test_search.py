"""Search by exact dates and party size: only stays with a bed for everyone on every night,
inside their own rules, priced for those dates, sorted by price, rating or distance; checked
against a plain per-night recount."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest

from sojourn import db
from sojourn.bases.services import availability
from sojourn.tours.pricing import traveller_price_fen
from tests import factories
from tests.factories import START
from tests.pinned import PINNED_NOW

D = dt.timedelta(days=1)


@pytest.fixture
def world_beds() -> int:
    """Four beds a night, so a few bookings fill a night."""
    return 4


async def find(client, **params) -> dict:
    query = {key: str(value) for key, value in params.items()}
    response = await client.get("/api/v1/tours", params=query)
    assert response.status_code == 200, response.text
    return response.json()


async def execute(sql: str, *args) -> None:
    async with db.connection() as conn:
        await conn.execute(sql, *args)


async def test_a_dated_search_lists_the_stays_that_fit_with_their_price_for_the_party(client, world):
    body = await find(client, arrival=START + 5 * D, departure=START + 41 * D, party=2)
    by_id = {item["id"]: item for item in body["items"]}
    migratory, vacation, exchange = (world.tours[k]["id"] for k in ("migratory", "vacation", "interactive"))
    assert set(by_id) == {migratory, vacation, exchange}
    assert body["total"] == 3 and body["total_is_lower_bound"] is False
    stay = by_id[migratory]
    assert (stay["arrival"], stay["departure"], stay["nights"]) == (str(START + 5 * D), str(START + 41 * D), 36)
    assert stay["total_fen"] == 2 * traveller_price_fen(
        SimpleNamespace(mode="migratory", monthly_price_fen=250000, package_price_fen=None), 36
    )
    assert by_id[vacation]["arrival"] == str(START + 10 * D)  # a fixed tour keeps its own dates
    assert by_id[vacation]["total_fen"] == 2 * 380000
    totals = [item["total_fen"] for item in body["items"]]
    assert totals == sorted(totals)


async def test_one_full_night_keeps_out_every_stay_that_needs_it(client, world):
    sanya = world.bases["sanya"]["id"]
    await execute("UPDATE capacity_night SET taken = beds - 1 WHERE base = $1 AND night = $2", sanya, START + 12 * D)
    body = await find(client, arrival=START + 5 * D, departure=START + 41 * D, party=2)
    assert [item["id"] for item in body["items"]] == [world.tours["interactive"]["id"]]
    body = await find(client, arrival=START + 5 * D, departure=START + 41 * D, party=1)
    assert len(body["items"]) == 3  # one bed is left that night


async def test_a_hold_that_ran_out_does_not_block_a_search(client, world):
    sanya = world.bases["sanya"]["id"]
    await execute("UPDATE capacity_night SET taken = beds WHERE base = $1 AND night = $2", sanya, START + 12 * D)
    account = await factories.account("13800000011")
    await execute(
        "INSERT INTO booking (reference, tour, base, account, booked_by, status, arrival, departure, nights, party_size,"
        " total_fen, hold_expires_at) VALUES ('SJ-EXPIRD', $1, $2, $3, $3, 'held', $4, $5, 1, 4, 0, $6)",
        world.tours["migratory"]["id"],
        sanya,
        account,
        START + 12 * D,
        START + 13 * D,
        PINNED_NOW - dt.timedelta(minutes=1),
    )
    body = await find(client, arrival=START + 5 * D, departure=START + 41 * D, party=2)
    assert len(body["items"]) == 3


async def test_season_windows_and_minimum_nights_are_respected(client, world):
    body = await find(client, arrival=START + 5 * D, departure=START + 25 * D)  # 20 nights: under the 28 minimum
    assert world.tours["migratory"]["id"] not in {item["id"] for item in body["items"]}
    body = await find(client, arrival=START - 3 * D, departure=START + 40 * D)  # before the season opens
    assert world.tours["migratory"]["id"] not in {item["id"] for item in body["items"]}


async def test_the_price_filter_is_on_the_total_for_the_dates(client, world):
    # 36 nights at ¥2,500 a month is ¥3,000 a person; the packages cost ¥3,800 a person.
    body = await find(client, arrival=START + 5 * D, departure=START + 41 * D, party=2, max_price_fen=600000)
    assert [item["id"] for item in body["items"]] == [world.tours["migratory"]["id"]]
    body = await find(client, arrival=START + 5 * D, departure=START + 41 * D, party=2, max_price_fen=599999)
    assert body["items"] == []


async def test_sorting_by_distance_from_home_and_by_rating(client, world):
    sanya, hulunbuir = world.bases["sanya"]["id"], world.bases["hulunbuir"]["id"]
    await execute(
        "INSERT INTO base_place (base, latitude, longitude) VALUES ($1, 18.25, 109.51), ($2, 49.21, 119.77)",
        sanya,
        hulunbuir,
    )
    window = {"arrival": START + 5 * D, "departure": START + 41 * D}
    body = await find(client, **window, sort="distance", origin="110000")  # from Beijing (the exchange is open to it)
    assert body["items"][0]["base_id"] == hulunbuir
    assert body["items"][0]["distance_km"] < body["items"][-1]["distance_km"]
    body = await find(client, **window, sort="distance", origin="460000")  # from Hainan
    assert body["items"][0]["base_id"] == sanya

    ratings = ", ".join(["5"] * 8)
    await execute(
        f"INSERT INTO stats_feedback_month (base_id, month, mode, reviews, accommodation, food, medical, activities,"
        f" staff, transport, value, safety) VALUES ($1, DATE '2026-06-01', 'vacation', 1, {ratings})",
        hulunbuir,
    )
    body = await find(client, **window, sort="rating")
    assert body["items"][0]["base_id"] == hulunbuir and body["items"][0]["rating"] is not None
    assert body["items"][-1]["rating"] is None


async def test_searches_that_cannot_be_answered_say_what_to_change(client, world):
    for params, field in (
        ({"arrival": START + 5 * D, "departure": START + 5 * D}, "departure"),
        ({"arrival": START + 5 * D}, "departure"),
        ({"arrival": START, "departure": START + 40 * D, "sort": "distance"}, "sort"),
    ):
        response = await client.get("/api/v1/tours", params={k: str(v) for k, v in params.items()})
        assert response.status_code == 422, params
        assert field in response.json()["field_errors"]
    assert (await client.get("/api/v1/tours", params={"party": "11", "arrival": str(START)})).status_code == 400


async def test_the_count_stops_at_a_hundred_and_says_so(client, world):
    sanya, hainan = world.bases["sanya"]["id"], world.members["hi"]["id"]
    await execute(
        "INSERT INTO tour (base, organiser, mode, status, title_zh, title_en, starts_on, ends_on, seats,"
        " package_price_fen, cancellation_policy) SELECT $1, $2, 'vacation', 'published', '团' || n, 'Tour ' || n,"
        " $3::date, $4::date, 20, 100000 + n, '[]' FROM generate_series(1, 110) n",
        sanya,
        hainan,
        START + 20 * D,
        START + 25 * D,
    )
    body = await find(client, arrival=START + 20 * D, departure=START + 25 * D, limit=20)
    assert len(body["items"]) == 20 and body["total"] == 100 and body["total_is_lower_bound"] is True
    body = await find(client, arrival=START + 20 * D, departure=START + 25 * D, limit=50, offset=100)
    assert len(body["items"]) == 10 and body["total"] == 110 and body["total_is_lower_bound"] is False


async def test_search_agrees_with_a_night_by_night_recount(client, world):
    """Random calendars and random searches: the query's answer is what counting each night gives."""
    rng = random.Random(18)
    for base in world.bases.values():
        for day in range(120):
            if rng.random() < 0.15:
                await execute(
                    "UPDATE capacity_night SET taken = $3 WHERE base = $1 AND night = $2",
                    base["id"],
                    START + day * D,
                    rng.randint(1, 4),
                )
    tours = [world.tours[k] for k in ("migratory", "vacation", "interactive")]
    for _ in range(25):
        arrival = START + rng.randint(-5, 60) * D
        departure = arrival + rng.randint(3, 50) * D
        party = rng.randint(1, 4)
        body = await find(client, arrival=arrival, departure=departure, party=party, limit=200)
        expected = set()
        for tour in tours:
            if tour["mode"] == "migratory":
                fits = (
                    tour["starts_on"] <= arrival
                    and departure <= tour["ends_on"]
                    and (departure - arrival).days >= tour["min_nights"]
                )
                first, last = arrival, departure
            else:
                fits = arrival <= tour["starts_on"] and tour["ends_on"] <= departure
                first, last = tour["starts_on"], tour["ends_on"]
            if not fits:
                continue
            nights = await availability(tour["base"], first, last, PINNED_NOW)
            if all(night.beds_left >= party for night in nights):
                expected.add(tour["id"])
        assert {item["id"] for item in body["items"]} == expected, (arrival, departure, party)


async def test_the_search_page_finds_stays_by_dates_and_shows_their_price(client, world):
    page = await client.get(
        "/tours", params={"arrival": str(START + 5 * D), "departure": str(START + 41 * D), "party": "2"}
    )
    assert page.status_code == 200
    assert "¥6,000" in page.text  # 36 nights of the seasonal stay for two
    assert 'value="2027-01-15"' in page.text
    wrong = await client.get("/tours", params={"arrival": str(START + 5 * D), "departure": str(START + 5 * D)})
    assert wrong.status_code == 200 and 'id="dates-error"' in wrong.text and 'aria-invalid="true"' in wrong.text
