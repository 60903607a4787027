"""Feedback after a stay without JavaScript: per traveller, all questions required, changeable for 14 days."""

from __future__ import annotations

import datetime as dt

from sojourn.feedback.tables import RATING_ASPECTS
from tests import factories
from tests.bookings.test_booking_web import signed_in_family
from tests.pinned import PINNED_TODAY
from tests.web_helpers import post_form, sign_in

ALL_GOOD = {**{aspect: "5" for aspect in RATING_ASPECTS}, "nps": "10", "comment": "饭菜可口,护士很耐心。"}


async def past_trip(client):
    world = await factories.small_world()
    account_id, ids = await signed_in_family(client)
    today = PINNED_TODAY
    stay = await factories.past_stay(
        world.tours["vacation"],
        account_id,
        ids,
        arrival=today - dt.timedelta(days=20),
        departure=today - dt.timedelta(days=3),
    )
    return stay["id"], ids


async def test_each_traveller_gives_their_own_feedback_and_can_change_it(client, db, clock):
    booking_id, ids = await past_trip(client)
    page = await client.get(f"/trips/{booking_id}/feedback")
    assert page.status_code == 200
    assert "Feedback from 王秀兰" in page.text and "1 · Very poor" in page.text and "10 = surely yes" in page.text
    saved = await post_form(client, f"/trips/{booking_id}/feedback/{ids[0]}", ALL_GOOD, from_page="/trips")
    assert saved.status_code == 303 and saved.headers["location"] == f"/trips/{booking_id}/feedback?traveller={ids[1]}"
    second = await client.get(saved.headers["location"])
    assert "Feedback from 李建国" in second.text
    changed = await post_form(
        client, f"/trips/{booking_id}/feedback/{ids[0]}", {**ALL_GOOD, "food": "3"}, from_page="/trips"
    )
    assert changed.status_code == 303
    again = await client.get(f"/trips/{booking_id}/feedback?traveller={ids[0]}")
    assert 'id="food-3" name="food" value="3" checked' in again.text and "Save the changes" in again.text
    clock.advance(days=15)
    await sign_in(client, "13800138000", factories.PASSWORD)  # a session lasts at most 7 days
    late = await client.get(f"/trips/{booking_id}/feedback?traveller={ids[0]}")
    assert "It can no longer be changed: 14 days have passed." in late.text


async def test_a_missing_answer_is_named_and_the_others_are_kept(client, db):
    booking_id, ids = await past_trip(client)
    partial = {key: value for key, value in ALL_GOOD.items() if key not in ("safety", "nps")}
    response = await post_form(client, f"/trips/{booking_id}/feedback/{ids[0]}", partial, from_page="/trips")
    assert response.status_code == 400
    assert 'href="#safety"' in response.text and 'href="#nps"' in response.text
    assert 'id="food-5" name="food" value="5" checked' in response.text
    assert "饭菜可口" in response.text


async def test_feedback_waits_until_the_stay_is_over(client, db):
    world = await factories.small_world()
    account_id, ids = await signed_in_family(client)
    soon = PINNED_TODAY + dt.timedelta(days=10)
    stay = await factories.past_stay(
        world.tours["vacation"],
        account_id,
        ids,
        arrival=soon,
        departure=soon + dt.timedelta(days=7),
        status="confirmed",
    )
    page = await client.get(f"/trips/{stay['id']}/feedback")
    assert "You can give feedback once your stay has ended" in page.text
    assert '<form method="post" action="/trips/' not in page.text
