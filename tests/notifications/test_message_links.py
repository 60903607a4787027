"""Every link in every message opens a page that exists, for the person it was sent to: signed
in at once, or after signing in, back on the same page. (The feedback request and the departure
reminder once linked to /bookings/{id}, which never existed.)"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

import pytest

from sojourn import db as database
from sojourn.feedback.requests import request_feedback
from sojourn.notifications.messages import PAGES, RENDERERS, render
from sojourn.notifications.reminders import send_departure_reminders
from tests import factories
from tests.booking_helpers import booker, confirm
from tests.pinned import PINNED_TODAY
from tests.web_helpers import post_form

SITE = "https://sojourn.example"
LINK = re.compile(re.escape(SITE) + r"(/\S*)")
SENIOR = "13800138000"
STAFF = "op@sanya.cn"

# The state each kind of message is sent in: what its page must be able to show then.
STATE = {
    "hold_made": "held",
    "offer_made": "held",
    "booking_confirmed": "confirmed",
    "booking_cancelled": "cancelled",
    "booking_cancel_undone": "confirmed",
    "declaration_due": "confirmed",
    "declarations_missing": "confirmed",
    "declaration_info_requested": "confirmed",
    "declaration_accepted": "confirmed",
    "declaration_declined": "cancelled",
    "feedback_request": "past",
    "feedback_replied": "past",
    "departure_reminder": "confirmed",
    "refund_paid": "cancelled",
    "fapiao_issued": "confirmed",
    "balance_due": "confirmed",
}
TO_STAFF = {"declarations_missing"}


def test_every_kind_of_message_has_a_page_and_a_state_to_try_it_in():
    assert set(PAGES) == set(RENDERERS) == set(STATE)


async def _booking(client, world, state: str) -> dict:
    senior = await booker(client, SENIOR, travellers=2)
    senior.account_id = await database_account_id(SENIOR)
    tour = world.tours["vacation"]
    if state == "past":
        account_id = senior.account_id
        return await factories.past_stay(
            tour,
            account_id,
            senior.traveller_ids,
            arrival=PINNED_TODAY - dt.timedelta(days=10),
            departure=PINNED_TODAY - dt.timedelta(days=3),
        )
    held = await client.post(
        "/api/v1/bookings", json={"tour_id": tour["id"], "traveller_ids": senior.traveller_ids}, headers=senior.headers
    )
    assert held.status_code == 201, held.text
    booking = held.json()
    if state in ("confirmed", "cancelled"):
        await confirm(client, booking["id"], senior.headers)
    if state == "cancelled":
        cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=senior.headers)
        assert cancelled.status_code == 200, cancelled.text
    return {**booking, "base": tour["base"], "traveller_ids": senior.traveller_ids}


async def database_account_id(login: str) -> int:
    async with database.connection() as conn:
        return await conn.fetchval("SELECT id FROM account WHERE phone = $1 OR email = $1", login)


@pytest.mark.parametrize("kind", sorted(RENDERERS))
async def test_the_link_in_each_message_opens_its_page_for_the_recipient(client, db, kind):
    world = await factories.small_world()
    booking = await _booking(client, world, STATE[kind])
    payload = {"booking_id": booking["id"], "base_id": booking["base"], "reference": booking["reference"]}
    recipient = SENIOR
    if kind in TO_STAFF:
        recipient = STAFF
        await factories.account(STAFF, role="operator", base_ids=[booking["base"]])
    for locale in ("zh_CN", "en"):
        message = render(kind, payload, locale, SITE)
        links = LINK.findall(message.body)
        assert len(links) == 1, message.body
    path = links[0]
    # A visitor is sent to sign in, and comes back to the same page.
    visitor = await client.get(path)
    assert visitor.status_code in (302, 303), (path, visitor.status_code)
    assert visitor.headers["location"] == f"/login?next={quote(path, safe='')}", visitor.headers["location"]
    signed_in = await post_form(
        client,
        "/login",
        {"login": recipient, "password": factories.PASSWORD, "next": path},
        from_page=visitor.headers["location"],
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == path
    page = await client.get(path)
    assert page.status_code == 200, (path, page.status_code, page.text[:300])
    assert 'class="error-detail"' not in page.text, page.text[:500]
    if kind not in TO_STAFF:
        assert booking["reference"] in page.text or "三亚七日度假" in page.text  # this trip, not another page


async def test_the_feedback_request_and_the_departure_reminder_as_sent_link_to_the_trip(client, db, settings, clock):
    world = await factories.small_world(start=PINNED_TODAY + dt.timedelta(days=1))
    soon = await _booking(client, world, "confirmed")
    ended = await factories.past_stay(
        world.tours["vacation"],
        await database_account_id(SENIOR),
        soon["traveller_ids"],
        arrival=PINNED_TODAY - dt.timedelta(days=10),
        departure=PINNED_TODAY - dt.timedelta(days=3),
    )
    clock.advance(days=9)  # two days before the arrival
    assert await send_departure_reminders(clock.now(), settings) == 1
    assert await request_feedback(clock.now(), settings) == 1
    async with database.connection() as conn:
        rows = await conn.fetch(
            "SELECT kind, payload::text AS payload FROM outbox_message "
            "WHERE kind IN ('departure_reminder', 'feedback_request') ORDER BY kind"
        )
    sent = {row["kind"]: render(row["kind"], json.loads(row["payload"]), "zh_CN", SITE) for row in rows}
    assert LINK.findall(sent["departure_reminder"].body) == [f"/trips/{soon['id']}"]
    assert LINK.findall(sent["feedback_request"].body) == [f"/trips/{ended['id']}/feedback"]
