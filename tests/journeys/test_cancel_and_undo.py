"""Cancelling by mistake and taking it back, with time passing between the steps: the beds go
back to the calendar at once, the undo within the window takes them again, and the senior is
told each time. (tests/browser/test_cancel_undo.py plays the same story in Chromium.)"""

from __future__ import annotations

import json

from sojourn import db as database
from sojourn.notifications.messages import render
from tests import factories
from tests.booking_helpers import calendar_mismatches
from tests.bookings.test_booking_web import hold_vacation, signed_in_family
from tests.payment_helpers import pay_on_pages
from tests.web_helpers import form_token, post_form


async def beds_taken(base_id: int, night) -> int:
    async with database.connection() as conn:
        return await conn.fetchval("SELECT taken FROM capacity_night WHERE base = $1 AND night = $2", base_id, night)


async def messages() -> list[str]:
    async with database.connection() as conn:
        rows = await conn.fetch("SELECT kind, payload::text AS payload FROM outbox_message ORDER BY id")
    return [render(row["kind"], json.loads(row["payload"]), "en", "https://s.cn").subject for row in rows]


async def test_she_cancels_undoes_within_the_window_is_told_and_the_beds_are_hers_again(client, db, clock):
    world = await factories.small_world()
    tour = world.tours["vacation"]
    night = tour["starts_on"]
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    confirmed = await post_form(client, f"/trips/{booking_id}/confirm", {}, from_page="/trips")
    assert confirmed.status_code == 303 and confirmed.headers["location"] == f"/trips/{booking_id}/pay"
    await pay_on_pages(client, booking_id)  # paying is what confirms
    assert await beds_taken(tour["base"], night) == 2

    clock.advance(hours=1)
    cancelled = await post_form(client, f"/trips/{booking_id}/cancel", {"reason": "看错日期"}, from_page="/trips")
    assert cancelled.status_code == 303
    trip = (await client.get(f"/trips/{booking_id}")).text
    assert "The booking is cancelled." in trip and "Undo the cancellation" in trip
    assert await beds_taken(tour["base"], night) == 0
    assert (await messages())[-1] == "Your booking is cancelled"

    clock.advance(minutes=6)  # she thinks it over, within the ten minutes
    trip = (await client.get(f"/trips/{booking_id}")).text
    undo = await client.post(
        f"/trips/{booking_id}/undo-cancel",
        data={"_csrf_token": form_token(trip, f"/trips/{booking_id}/undo-cancel")},
    )
    assert undo.status_code == 303, undo.text[:300]
    trip = (await client.get(f"/trips/{booking_id}")).text
    assert "Your booking is back, as it was." in trip and "Undo the cancellation" not in trip
    assert (await messages())[-1] == "Your booking stands again"
    assert await beds_taken(tour["base"], night) == 2
    assert await calendar_mismatches() == []
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id) == "confirmed"
