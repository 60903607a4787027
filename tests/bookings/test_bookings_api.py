"""The booking API in-process against real PostgreSQL: holds, rules, expiry, confirm, cancel."""

import datetime as dt

import pytest

from sojourn import db
from tests import booking_helpers, factories
from tests.booking_helpers import booker, calendar_mismatches, migratory_body
from tests.pinned import PINNED_NOW

START = dt.date(2027, 1, 10)


async def test_migratory_hold_counts_nights_and_prices_by_the_month(client, world):
    senior = await booker(client, "13800000001", travellers=2)
    response = await client.post(
        "/api/v1/bookings",
        json=migratory_body(world, nights=45, travellers=senior.traveller_ids),
        headers=senior.headers,
    )
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["status"] == "held" and booking["nights"] == 45 and booking["party_size"] == 2
    # 2,500 yuan a month: 45 nights = 1.5 months = 3,750 yuan per person.
    assert booking["total_fen"] == 2 * 375000
    assert booking["reference"].startswith("SJ-") and len(booking["reference"]) == 9
    expires = dt.datetime.fromisoformat(booking["hold_expires_at"])
    assert expires - PINNED_NOW == dt.timedelta(minutes=15) or abs((expires - PINNED_NOW).total_seconds() - 900) < 5
    assert await calendar_mismatches() == []


async def test_fixed_tour_uses_its_own_dates_and_refuses_others(client, world):
    senior = await booker(client, "13800000001")
    tour = world.tours["vacation"]
    ok = await client.post(
        "/api/v1/bookings", json={"tour_id": tour["id"], "traveller_ids": senior.traveller_ids}, headers=senior.headers
    )
    assert ok.status_code == 201
    assert ok.json()["arrival"] == tour["starts_on"].isoformat()
    assert ok.json()["total_fen"] == tour["package_price_fen"]
    other = await booker(client, "13800000002")
    wrong = await client.post(
        "/api/v1/bookings",
        json={
            "tour_id": tour["id"],
            "traveller_ids": other.traveller_ids,
            "arrival": "2027-02-01",
            "departure": "2027-02-05",
        },
        headers=other.headers,
    )
    assert wrong.status_code == 422
    assert "arrival" in wrong.json()["field_errors"]


@pytest.mark.parametrize(
    ("offset", "nights", "field"),
    [(-5, 30, "arrival"), (100, 30, "arrival"), (5, 10, "departure")],
    ids=["before the season", "past the season", "under the minimum stay"],
)
async def test_migratory_dates_must_fit_the_season_and_minimum(client, world, offset, nights, field):
    senior = await booker(client, "13800000001")
    response = await client.post(
        "/api/v1/bookings",
        json=migratory_body(world, arrival_offset=offset, nights=nights, travellers=senior.traveller_ids),
        headers={**senior.headers, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert field in response.json()["field_errors"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM booking") == 0


async def test_sold_out_nights_are_listed(client, world):
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE capacity_night SET beds = 1 WHERE base = $1 AND night IN ($2, $3)",
            world.bases["sanya"]["id"],
            START + dt.timedelta(days=10),
            START + dt.timedelta(days=11),
        )
    senior = await booker(client, "13800000001", travellers=2)
    response = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=senior.traveller_ids), headers=senior.headers
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "sold_out"
    assert body["nights_short"] == [
        {"date": (START + dt.timedelta(days=10)).isoformat(), "beds_left": 1},
        {"date": (START + dt.timedelta(days=11)).isoformat(), "beds_left": 1},
    ]
    assert await calendar_mismatches() == []


async def test_nights_without_a_calendar_row_have_no_beds(client, world):
    senior = await booker(client, "13800000001")
    body = migratory_body(world, arrival_offset=100, nights=30, travellers=senior.traveller_ids)
    async with db.connection() as conn:
        await conn.execute("UPDATE tour SET ends_on = ends_on + 60 WHERE id = $1", world.tours["migratory"]["id"])
    response = await client.post("/api/v1/bookings", json=body, headers=senior.headers)
    assert response.status_code == 409
    assert len(response.json()["nights_short"]) == 10  # the calendar runs 120 nights from START


async def test_seat_limit_of_a_fixed_tour(client, world):
    async with db.connection() as conn:
        await conn.execute("UPDATE tour SET seats = 1 WHERE id = $1", world.tours["vacation"]["id"])
    senior = await booker(client, "13800000001", travellers=2)
    response = await client.post(
        "/api/v1/bookings",
        json={"tour_id": world.tours["vacation"]["id"], "traveller_ids": senior.traveller_ids},
        headers=senior.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "seats_short" and response.json()["seats_left"] == 1


async def test_exchange_trips_take_the_quota_of_the_travellers_home_member(client, world):
    tour = world.tours["interactive"]
    beijing = await booker(client, "13800000001", travellers=2, province="110000")
    ok = await client.post(
        "/api/v1/bookings",
        json={"tour_id": tour["id"], "traveller_ids": beijing.traveller_ids},
        headers=beijing.headers,
    )
    assert ok.status_code == 201
    outsider = await booker(client, "13800000002", province="440000")
    refused = await client.post(
        "/api/v1/bookings",
        json={"tour_id": tour["id"], "traveller_ids": outsider.traveller_ids},
        headers=outsider.headers,
    )
    assert refused.status_code == 409 and refused.json()["code"] == "not_in_exchange"
    mongolia = await booker(client, "13800000003", travellers=5, province="150000")
    over_quota = await client.post(
        "/api/v1/bookings",
        json={"tour_id": tour["id"], "traveller_ids": mongolia.traveller_ids},
        headers=mongolia.headers,
    )
    assert over_quota.status_code == 409 and over_quota.json()["code"] == "quota_short"
    async with db.connection() as conn:
        quotas = dict(await conn.fetch("SELECT member, taken FROM tour_quota WHERE tour = $1", tour["id"]))
    assert quotas == {world.members["bj"]["id"]: 2, world.members["nm"]["id"]: 0}


async def test_only_your_own_travellers_can_be_booked(client, world):
    owner = await booker(client, "13800000001")
    stranger = await booker(client, "13800000002")
    response = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=owner.traveller_ids), headers=stranger.headers
    )
    assert response.status_code == 422
    assert "traveller_ids" in response.json()["field_errors"]


async def test_a_traveller_cannot_be_on_two_overlapping_stays(client, world):
    senior = await booker(client, "13800000001")
    first = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=senior.traveller_ids), headers=senior.headers
    )
    assert first.status_code == 201
    overlap = await client.post(
        "/api/v1/bookings",
        json={"tour_id": world.tours["vacation"]["id"], "traveller_ids": senior.traveller_ids},
        headers=senior.headers,
    )
    assert overlap.status_code == 409 and overlap.json()["code"] == "traveller_already_booked"


async def test_expired_hold_does_not_block_capacity(client, world, clock):
    async with db.connection() as conn:
        await conn.execute("UPDATE capacity_night SET beds = 1 WHERE base = $1", world.bases["sanya"]["id"])
    first = await booker(client, "13800000001")
    second = await booker(client, "13800000002")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=first.traveller_ids), headers=first.headers
    )
    assert held.status_code == 201
    blocked = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=second.traveller_ids), headers=second.headers
    )
    assert blocked.status_code == 409
    clock.advance(minutes=15, seconds=1)
    # No sweep has run: the next request itself must not count the expired hold.
    availability = await client.get(
        f"/api/v1/tours/{world.tours['migratory']['id']}/availability",
        params={"start": (START + dt.timedelta(days=5)).isoformat(), "end": (START + dt.timedelta(days=6)).isoformat()},
    )
    assert availability.json()["nights"][0]["beds_left"] == 1
    taken_over = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=second.traveller_ids), headers=second.headers
    )
    assert taken_over.status_code == 201
    late = await client.post(f"/api/v1/bookings/{held.json()['id']}/confirm", headers=first.headers)
    assert late.status_code == 409 and late.json()["code"] == "hold_expired"
    assert (await client.get(f"/api/v1/bookings/{held.json()['id']}", headers=first.headers)).json()[
        "status"
    ] == "expired"
    assert await calendar_mismatches() == []


async def test_hold_can_be_extended_a_bounded_number_of_times(client, world, clock, settings):
    senior = await booker(client, "13800000001")
    held = (
        await client.post(
            "/api/v1/bookings", json=migratory_body(world, travellers=senior.traveller_ids), headers=senior.headers
        )
    ).json()
    expiry = dt.datetime.fromisoformat(held["hold_expires_at"])
    for left in range(settings.hold_max_extensions - 1, -1, -1):
        clock.advance(minutes=14)
        extended = await client.post(f"/api/v1/bookings/{held['id']}/extend-hold", headers=senior.headers)
        assert extended.status_code == 200
        new_expiry = dt.datetime.fromisoformat(extended.json()["hold_expires_at"])
        assert new_expiry > expiry and extended.json()["hold_extensions_left"] == left
        expiry = new_expiry
    again = await client.post(f"/api/v1/bookings/{held['id']}/extend-hold", headers=senior.headers)
    assert again.status_code == 409 and again.json()["code"] == "no_more_extensions"
    await booking_helpers.confirm(client, held["id"], senior.headers)  # paying is what confirms


async def test_cancelling_releases_beds_at_once(client, world):
    async with db.connection() as conn:
        await conn.execute("UPDATE capacity_night SET beds = 2 WHERE base = $1", world.bases["sanya"]["id"])
    senior = await booker(client, "13800000001", travellers=2)
    held = (
        await client.post(
            "/api/v1/bookings", json=migratory_body(world, travellers=senior.traveller_ids), headers=senior.headers
        )
    ).json()
    await booking_helpers.confirm(client, held["id"], senior.headers)
    cancelled = await client.post(
        f"/api/v1/bookings/{held['id']}/cancel", json={"reason": "家里有事"}, headers=senior.headers
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    other = await booker(client, "13800000002", travellers=2)
    again = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=other.traveller_ids), headers=other.headers
    )
    assert again.status_code == 201
    assert await calendar_mismatches() == []


@pytest.mark.parametrize(
    ("days_before", "percent"),
    [(45, 100), (30, 100), (29, 50), (8, 50), (7, 50), (6, 0), (1, 0)],
)
async def test_refund_follows_the_policy_on_each_boundary_day(client, world, clock, days_before, percent):
    senior = await booker(client, "13800000001")
    arrival = PINNED_NOW.astimezone(dt.timezone(dt.timedelta(hours=8))).date() + dt.timedelta(days=days_before)
    async with db.connection() as conn:
        await conn.execute("UPDATE tour SET starts_on = $2 WHERE id = $1", world.tours["migratory"]["id"], arrival)
        await factories.calendar(
            world.bases["sanya"]["id"], arrival, (START - arrival).days, 10
        ) if arrival < START else None
    body = {
        "tour_id": world.tours["migratory"]["id"],
        "traveller_ids": senior.traveller_ids,
        "arrival": arrival.isoformat(),
        "departure": (arrival + dt.timedelta(days=30)).isoformat(),
    }
    held = await client.post("/api/v1/bookings", json=body, headers=senior.headers)
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    await booking_helpers.confirm(client, booking_id, senior.headers)
    clock.advance(minutes=11)  # past the ten-minute undo window, same day at the base
    preview = (await client.get(f"/api/v1/bookings/{booking_id}", headers=senior.headers)).json()
    cancelled = (await client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=senior.headers)).json()
    expected = 250000 * percent // 100
    assert preview["refund_if_cancelled_now_fen"] == expected
    assert cancelled["refund_fen"] == expected


async def test_cancelling_right_after_confirming_refunds_everything_and_can_be_undone(client, world, clock):
    senior = await booker(client, "13800000001")
    arrival_soon = {"tour_id": world.tours["vacation"]["id"], "traveller_ids": senior.traveller_ids}
    held = (await client.post("/api/v1/bookings", json=arrival_soon, headers=senior.headers)).json()
    await booking_helpers.confirm(client, held["id"], senior.headers)
    cancelled = (await client.post(f"/api/v1/bookings/{held['id']}/cancel", headers=senior.headers)).json()
    assert cancelled["refund_fen"] == cancelled["total_fen"]
    clock.advance(minutes=5)
    undone = await client.post(f"/api/v1/bookings/{held['id']}/undo-cancel", headers=senior.headers)
    assert undone.status_code == 200 and undone.json()["status"] == "confirmed"
    await client.post(f"/api/v1/bookings/{held['id']}/cancel", headers=senior.headers)
    clock.advance(minutes=11)
    too_late = await client.post(f"/api/v1/bookings/{held['id']}/undo-cancel", headers=senior.headers)
    assert too_late.status_code == 409 and too_late.json()["code"] == "undo_window_passed"
    assert await calendar_mismatches() == []


async def test_idempotent_replay_returns_the_same_booking(client, world):
    senior = await booker(client, "13800000001")
    body = migratory_body(world, travellers=senior.traveller_ids)
    headers = {**senior.headers, "Idempotency-Key": "order-7f3a"}
    first = await client.post("/api/v1/bookings", json=body, headers=headers)
    second = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    reused = await client.post("/api/v1/bookings", json={**body, "departure": "2027-03-30"}, headers=headers)
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM booking") == 1
        # One "your places are kept" message for the senior's account, not one per replay.
        told = await conn.fetch("SELECT account, payload FROM outbox_message WHERE kind = 'hold_made'")
        owner = await conn.fetchval("SELECT id FROM account WHERE phone = $1", senior.login)
    assert [row["account"] for row in told] == [owner]
    assert f'"reference": "{first.json()["reference"]}"' in told[0]["payload"]


async def test_bookings_of_others_are_not_found(client, world):
    owner = await booker(client, "13800000001")
    stranger = await booker(client, "13800000002")
    held = (
        await client.post(
            "/api/v1/bookings", json=migratory_body(world, travellers=owner.traveller_ids), headers=owner.headers
        )
    ).json()
    for method, path in [
        ("GET", f"/api/v1/bookings/{held['id']}"),
        ("POST", f"/api/v1/bookings/{held['id']}/confirm"),
        ("POST", f"/api/v1/bookings/{held['id']}/cancel"),
        ("POST", f"/api/v1/bookings/{held['id']}/extend-hold"),
    ]:
        response = await client.request(method, path, headers=stranger.headers)
        assert response.status_code == 404, (method, path)
    listed = await client.get("/api/v1/bookings", headers=stranger.headers)
    assert listed.json()["total"] == 0
    mine = await client.get("/api/v1/bookings", headers=owner.headers)
    assert mine.json()["total"] == 1


async def test_references_come_from_ids_and_match_the_documented_mapping(client, world):
    from sojourn.bookings.references import reference_for

    async with db.connection() as conn:
        computed = await conn.fetch(
            "SELECT n, sojourn_booking_reference(n) AS reference FROM unnest($1::bigint[]) n",
            [1, 2, 3, 1000, 594_823_320],
        )
    assert {row["n"]: row["reference"] for row in computed} == {
        n: reference_for(n) for n in (1, 2, 3, 1000, 594_823_320)
    }
    first_ten_thousand = {reference_for(n) for n in range(1, 10_001)}
    assert len(first_ten_thousand) == 10_000
    senior = await booker(client, "13800000001")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=senior.traveller_ids), headers=senior.headers
    )
    assert held.json()["reference"] == reference_for(held.json()["id"])
