"""My trips without JavaScript: what is due next, cancelling with the refund shown first, undo."""

from __future__ import annotations

import datetime as dt
import re

from sojourn import db as database
from tests import booking_helpers, factories
from tests.booking_helpers import calendar_mismatches
from tests.bookings.test_booking_web import hold_vacation, signed_in_family
from tests.web_helpers import form_token, post_form


async def confirmed_booking(client, world, ids) -> int:
    booking_id = await hold_vacation(client, world, ids)
    await booking_helpers.confirm(client, booking_id, await factories.bearer(client, "13800138000"))
    return booking_id


async def test_the_cancel_page_shows_the_refund_before_anything_happens(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await confirmed_booking(client, world, ids)
    page = await client.get(f"/trips/{booking_id}/cancel")
    assert page.status_code == 200
    assert "If you cancel now, you get back ¥7,600 of ¥7,600." in page.text
    assert "You confirmed less than 10 minutes ago, so you get everything back." in page.text
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"


async def test_cancelling_later_follows_the_tours_terms(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await confirmed_booking(client, world, ids)
    async with database.connection() as conn:
        await conn.execute(
            "UPDATE booking SET confirmed_at = confirmed_at - interval '1 hour' WHERE id = $1", booking_id
        )
    trips = await client.get("/trips")
    # Arrival is 70 days away: the 30-day tier refunds everything.
    assert "Cancel (you would get back ¥7,600)" in trips.text
    cancel = await post_form(client, f"/trips/{booking_id}/cancel", {"reason": "孙子结婚"}, from_page="/trips")
    assert cancel.status_code == 303 and cancel.headers["location"] == f"/trips/{booking_id}"
    trip = await client.get(f"/trips/{booking_id}")
    assert "The booking is cancelled. ¥7,600 will be paid back to you today." in trip.text
    assert "Undo the cancellation" in trip.text
    assert await calendar_mismatches() == []


async def test_a_cancellation_can_be_undone_within_ten_minutes_and_not_after(client, db, clock):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await confirmed_booking(client, world, ids)
    await post_form(client, f"/trips/{booking_id}/cancel", {}, from_page="/trips")
    undo = await post_form(client, f"/trips/{booking_id}/undo-cancel", {}, from_page="/trips")
    assert undo.status_code == 303
    page = await client.get(f"/trips/{booking_id}")
    assert "Your booking is back, as it was." in page.text
    await post_form(client, f"/trips/{booking_id}/cancel", {}, from_page="/trips")
    clock.advance(minutes=11)
    page = await client.get(f"/trips/{booking_id}")
    assert "Undo the cancellation" not in page.text
    late = await post_form(client, f"/trips/{booking_id}/undo-cancel", {}, from_page="/trips")
    assert late.status_code == 303
    assert "A cancellation can be undone only within 10 minutes." in (await client.get(f"/trips/{booking_id}")).text
    assert await calendar_mismatches() == []


async def test_releasing_a_hold_says_nothing_was_paid(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    page = await client.get(f"/trips/{booking_id}/cancel")
    assert "Nothing was paid, so nothing is paid back." in page.text
    await post_form(client, f"/trips/{booking_id}/cancel", {}, from_page="/trips")
    assert "the beds are released. Nothing was paid." in (await client.get(f"/trips/{booking_id}")).text


async def test_my_trips_lists_only_my_own_bookings_and_others_are_not_found(client, db):
    world = await factories.small_world()
    other = await factories.account("13700000000")
    stranger = await factories.traveller(other, name="赵六")
    stay = await factories.past_stay(
        world.tours["vacation"], other, [stranger["id"]], arrival=dt.date(2026, 1, 5), departure=dt.date(2026, 1, 12)
    )
    await signed_in_family(client)
    assert "赵六" not in (await client.get("/trips")).text
    assert (await client.get(f"/trips/{stay['id']}")).status_code == 404
    assert (await client.get(f"/trips/{stay['id']}/cancel")).status_code == 404


async def test_an_offer_from_the_waiting_list_is_highlighted_with_its_expiry(client, db):
    world = await factories.small_world(beds=2)
    _, ids = await signed_in_family(client)
    tour = world.tours["migratory"]
    arrival = tour["starts_on"] + dt.timedelta(days=2)
    stay = {
        "tour_id": tour["id"],
        "arrival": arrival.isoformat(),
        "departure": (arrival + dt.timedelta(days=30)).isoformat(),
    }
    # Someone else holds both beds; we queue; they cancel; we get an offer.
    rival = await factories.account("13600000000")
    rival_traveller = await factories.traveller(rival, name="钱七")
    rival_two = await factories.traveller(rival, name="钱八")
    headers = await factories.bearer(client, "13600000000")
    held = await client.post(
        "/api/v1/bookings", json={**stay, "traveller_ids": [rival_traveller["id"], rival_two["id"]]}, headers=headers
    )
    assert held.status_code == 201, held.text
    page = await client.get(
        f"/book/{tour['id']}/hold",
        params={"traveller_ids": ids, "arrival": stay["arrival"], "departure": stay["departure"]},
    )
    key = re.search(r'name="request_key" value="([^"]+)"', page.text).group(1)
    joined = await post_form(
        client,
        f"/book/{tour['id']}/waitlist",
        {"traveller_ids": ids, "arrival": stay["arrival"], "departure": stay["departure"], "request_key": key},
        from_page="/trips",
    )
    assert joined.status_code == 303
    cancelled = await client.post(f"/api/v1/bookings/{held.json()['id']}/cancel", json={}, headers=headers)
    assert cancelled.status_code == 200
    trips = await client.get("/trips")
    assert "Good news: beds are free for you on Sanya winter stay." in trips.text
    assert "See the offer and confirm" in trips.text


async def test_undo_on_the_trip_page_works_and_the_senior_is_told_the_booking_stands(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await confirmed_booking(client, world, ids)
    await post_form(client, f"/trips/{booking_id}/cancel", {}, from_page=f"/trips/{booking_id}/cancel")
    trip = (await client.get(f"/trips/{booking_id}")).text
    token = form_token(trip, f"/trips/{booking_id}/undo-cancel")
    assert token, "the undo form on the trip page must carry its CSRF token"
    undo = await client.post(f"/trips/{booking_id}/undo-cancel", data={"_csrf_token": token})
    assert undo.status_code == 303, undo.text[:300]
    assert "Your booking is back, as it was." in (await client.get(f"/trips/{booking_id}")).text
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"
        kinds = [r["kind"] for r in await conn.fetch("SELECT kind FROM outbox_message ORDER BY id")]
    assert kinds[-2:] == ["booking_cancelled", "booking_cancel_undone"]
    assert await calendar_mismatches() == []


async def test_the_undo_form_on_my_trips_carries_its_token_too(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await confirmed_booking(client, world, ids)
    await post_form(client, f"/trips/{booking_id}/cancel", {}, from_page=f"/trips/{booking_id}/cancel")
    assert form_token((await client.get("/trips")).text, f"/trips/{booking_id}/undo-cancel")
