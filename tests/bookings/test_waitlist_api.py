"""Waiting lists: joining when sold out, offers in order, lapsed offers passing on."""

import datetime as dt

import pytest

from sojourn import db
from sojourn.bookings.expiry import release_expired_holds_everywhere
from tests import booking_helpers, factories
from tests.booking_helpers import booker, calendar_mismatches, migratory_body
from tests.pinned import PINNED_NOW

START = dt.date(2027, 1, 10)


@pytest.fixture
async def full_world(client, clock):
    """A Sanya base with one bed a night, already held by a first senior."""
    clock.set(PINNED_NOW)
    world = await factories.small_world(start=START, beds=1)
    first = await booker(client, "13800000001")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=first.traveller_ids), headers=first.headers
    )
    assert held.status_code == 201
    world.first, world.first_booking = first, held.json()
    return world


async def join(client, world, person, key=None):
    headers = {**person.headers, **({"Idempotency-Key": key} if key else {})}
    return await client.post(
        f"/api/v1/tours/{world.tours['migratory']['id']}/waitlist",
        json=migratory_body(world, travellers=person.traveller_ids),
        headers=headers,
    )


async def test_join_only_when_sold_out(client, clock):
    clock.set(PINNED_NOW)
    world = await factories.small_world(start=START, beds=5)
    senior = await booker(client, "13800000009")
    response = await join(client, world, senior)
    assert response.status_code == 409 and response.json()["code"] == "beds_available"


async def test_entries_queue_in_order_and_the_first_gets_the_freed_beds(client, full_world, settings, clock):
    second = await booker(client, "13800000002")
    third = await booker(client, "13800000003")
    entry2 = await join(client, full_world, second)
    entry3 = await join(client, full_world, third)
    assert entry2.status_code == entry3.status_code == 201
    assert entry2.json()["position"] == 1 and entry3.json()["position"] == 2

    first = full_world.first
    await booking_helpers.confirm(client, full_world.first_booking["id"], first.headers)
    await client.post(f"/api/v1/bookings/{full_world.first_booking['id']}/cancel", headers=first.headers)

    entries2 = (await client.get("/api/v1/waitlist", headers=second.headers)).json()["items"]
    assert entries2[0]["status"] == "offered"
    offer = (await client.get(f"/api/v1/bookings/{entries2[0]['offered_booking_id']}", headers=second.headers)).json()
    assert offer["status"] == "held" and offer["waitlist_entry_id"] == entries2[0]["id"]
    # The offer owes its price like any hold: all of it, now, before it becomes a booking.
    assert [(s["kind"], s["amount_fen"], s["status"]) for s in offer["payment_schedule"]] == [
        ("full", offer["total_fen"], "due")
    ]
    offer_expires = dt.datetime.fromisoformat(offer["hold_expires_at"])
    assert offer_expires - clock.now() > dt.timedelta(hours=settings.offer_hours - 1)
    assert (await client.get("/api/v1/waitlist", headers=third.headers)).json()["items"][0]["position"] == 1
    async with db.connection() as conn:
        kinds = [
            row["kind"]
            for row in await conn.fetch(
                "SELECT kind FROM outbox_message WHERE account = (SELECT account FROM booking WHERE id = $1)",
                offer["id"],
            )
        ]
    assert "offer_made" in kinds

    await booking_helpers.confirm(client, offer["id"], second.headers)
    assert (await client.get("/api/v1/waitlist", headers=second.headers)).json()["items"][0]["status"] == "booked"
    assert await calendar_mismatches() == []


async def test_a_lapsed_offer_passes_to_the_next_in_line(client, full_world, settings, clock):
    second = await booker(client, "13800000002")
    third = await booker(client, "13800000003")
    await join(client, full_world, second)
    await join(client, full_world, third)
    clock.advance(minutes=16)  # the first senior's hold runs out: the sweep offers it to the second
    assert await release_expired_holds_everywhere(settings, clock.now()) == 1
    assert (await client.get("/api/v1/waitlist", headers=second.headers)).json()["items"][0]["status"] == "offered"
    clock.advance(hours=settings.offer_hours, minutes=1)  # the second never answers
    assert await release_expired_holds_everywhere(settings, clock.now()) == 1
    second.headers = await factories.bearer(client, second.login)  # a day later: sign in again
    third.headers = await factories.bearer(client, third.login)
    assert (await client.get("/api/v1/waitlist", headers=second.headers)).json()["items"][0]["status"] == "lapsed"
    third_entry = (await client.get("/api/v1/waitlist", headers=third.headers)).json()["items"][0]
    assert third_entry["status"] == "offered"
    assert await calendar_mismatches() == []


async def test_an_entry_that_does_not_fit_is_skipped_not_blocking(client, clock):
    clock.set(PINNED_NOW)
    world = await factories.small_world(start=START, beds=2)
    holder = await booker(client, "13800000001", travellers=2)
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, travellers=holder.traveller_ids), headers=holder.headers
    )
    couple = await booker(client, "13800000002", travellers=2)
    single = await booker(client, "13800000003", travellers=1)
    await join(client, world, couple)
    await join(client, world, single)
    # One more bed a night: only the single traveller fits, though the couple queued first.
    response = await client.put(
        f"/api/v1/operator/bases/{world.bases['sanya']['id']}/capacity",
        json={"start": START.isoformat(), "end": (START + dt.timedelta(days=120)).isoformat(), "beds": 3},
        headers=await operator_headers(client, world),
    )
    assert response.status_code == 200
    assert held.status_code == 201
    assert (await client.get("/api/v1/waitlist", headers=couple.headers)).json()["items"][0]["status"] == "waiting"
    assert (await client.get("/api/v1/waitlist", headers=single.headers)).json()["items"][0]["status"] == "offered"


async def operator_headers(client, world):
    await factories.account("ops@sanya.example", role="operator", base_ids=[world.bases["sanya"]["id"]])
    return await factories.bearer(client, "ops@sanya.example")


async def test_waitlist_idempotency_key_replays_the_entry(client, full_world):
    second = await booker(client, "13800000002")
    first = await join(client, full_world, second, key="wl-1")
    again = await join(client, full_world, second, key="wl-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    duplicate = await join(client, full_world, second)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "already_waiting"


async def test_withdrawing_leaves_the_queue(client, full_world):
    second = await booker(client, "13800000002")
    entry = (await join(client, full_world, second)).json()
    left = await client.post(f"/api/v1/waitlist/{entry['id']}/withdraw", headers=second.headers)
    assert left.status_code == 200 and left.json()["status"] == "withdrawn"
    stranger = await booker(client, "13800000004")
    assert (await client.post(f"/api/v1/waitlist/{entry['id']}/withdraw", headers=stranger.headers)).status_code == 404
