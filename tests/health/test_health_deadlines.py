"""Deadlines and retention with a moved clock: reminders, flags to operators, the missing list,
and destroying declaration content exactly when its keeping period ends."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sojourn.health.deadlines import flag_missing_declarations, send_declaration_reminders
from sojourn.health.retention import shred_expired_declarations
from tests import factories
from tests.health_helpers import (
    START,
    book,
    declaration_body,
    fetch,
    fetchval,
    operator,
)
from tests.pinned import PINNED_TODAY

SHANGHAI = ZoneInfo("Asia/Shanghai")
ARRIVAL = START + dt.timedelta(days=5)  # 2027-01-15; due 7 days before: 2027-01-08
DUE = ARRIVAL - dt.timedelta(days=7)


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An instant in Shanghai, the bases' time zone."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def retention(settings):
    return dataclasses.replace(settings, declaration_retention_days=90)


async def _messages(kind: str) -> list[dict]:
    return await fetch("SELECT account, dedupe_key, payload FROM outbox_message WHERE kind = $1 ORDER BY id", kind)


async def test_reminders_three_days_before_and_on_the_due_day_never_twice(client, world, settings):
    missing = await book(client, world, "13800000001")  # nothing declared: no row at all
    draft = await book(client, world, "13800000002")
    await client.put(draft.path, json=declaration_body(submit=False), headers=draft.booker.headers)
    done = await book(client, world, "13800000003")
    await client.put(done.path, json=declaration_body(), headers=done.booker.headers)
    await book(client, world, "13800000004", confirm=False)  # a hold: it runs out in minutes
    cancelled = await book(client, world, "13800000005")
    await client.post(f"/api/v1/bookings/{cancelled.booking_id}/cancel", headers=cancelled.booker.headers)

    soon = DUE - dt.timedelta(days=3)
    assert await send_declaration_reminders(at(soon - dt.timedelta(days=1)), settings) == 0
    # Counted in the base's time zone: one minute before midnight is still the day before.
    assert await send_declaration_reminders(at(soon - dt.timedelta(days=1), 23, 59), settings) == 0
    assert await send_declaration_reminders(at(soon, 0, 1), settings) == 2
    reminded = await _messages("declaration_due")
    owners = {await fetchval("SELECT account FROM booking WHERE id = $1", b.booking_id) for b in (missing, draft)}
    assert {message["account"] for message in reminded} == owners
    assert all('"stage": "soon"' in message["payload"] for message in reminded)
    for day in (soon, soon + dt.timedelta(days=1), DUE - dt.timedelta(days=1)):
        assert await send_declaration_reminders(at(day, 18), settings) == 0
    assert await send_declaration_reminders(at(DUE, 8), settings) == 2
    assert await send_declaration_reminders(at(DUE, 20), settings) == 0
    assert await send_declaration_reminders(at(DUE + dt.timedelta(days=2)), settings) == 0
    assert len(await _messages("declaration_due")) == 4
    # Sending the declaration stops further reminders, and the trip's start ends them.
    assert await send_declaration_reminders(at(ARRIVAL + dt.timedelta(days=1)), settings) == 0


async def test_a_late_booking_gets_one_reminder_at_once(client, world, settings, clock):
    clock.set(at(DUE + dt.timedelta(days=1)))  # booked after the deadline
    await book(client, world, "13800000001")
    assert await send_declaration_reminders(clock.now(), settings) == 1
    assert await send_declaration_reminders(clock.now() + dt.timedelta(hours=1), settings) == 0
    assert '"stage": "due"' in (await _messages("declaration_due"))[0]["payload"]


async def test_missing_declarations_are_flagged_to_each_operator_at_the_deadline(client, world, settings, clock):
    sanya = world.bases["sanya"]["id"]
    first_op = await operator(client, "op1@sanya.cn", sanya)
    await operator(client, "op2@sanya.cn", sanya)
    other = await operator(client, "op@hulunbuir.cn", world.bases["hulunbuir"]["id"])
    missing = await book(client, world, "13800000001")
    draft = await book(client, world, "13800000002")
    await client.put(draft.path, json=declaration_body(submit=False), headers=draft.booker.headers)
    done = await book(client, world, "13800000003")
    await client.put(done.path, json=declaration_body(), headers=done.booker.headers)

    assert await flag_missing_declarations(at(DUE - dt.timedelta(days=1), 23, 59), settings) == 0
    assert await flag_missing_declarations(at(DUE, 0, 1), settings) == 4  # 2 bookings x 2 operators
    assert await flag_missing_declarations(at(DUE, 9), settings) == 0
    assert await flag_missing_declarations(at(DUE + dt.timedelta(days=1)), settings) == 0
    flagged = await _messages("declarations_missing")
    operator_ids = {
        row["id"] for row in await fetch("SELECT id FROM account WHERE role = 'operator' AND email LIKE '%sanya.cn'")
    }
    assert {message["account"] for message in flagged} == operator_ids
    assert {message["dedupe_key"].split(":")[1] for message in flagged} == {
        str(missing.booking_id),
        str(draft.booking_id),
    }

    clock.set(at(DUE - dt.timedelta(days=1)))
    first_op = await factories.bearer(client, "op1@sanya.cn")  # tokens run out over weeks: sign in again
    early = await client.get("/api/v1/operator/declarations", params={"missing": "true"}, headers=first_op)
    assert early.status_code == 200, early.text
    assert early.json()["total"] == 0
    clock.set(at(DUE))
    first_op = await factories.bearer(client, "op1@sanya.cn")
    other = await factories.bearer(client, "op@hulunbuir.cn")
    listed = (await client.get("/api/v1/operator/declarations", params={"missing": "true"}, headers=first_op)).json()
    assert {(item["booking_id"], item["status"]) for item in listed["items"]} == {
        (missing.booking_id, "none"),
        (draft.booking_id, "draft"),
    }
    assert all(item["due_on"] == DUE.isoformat() for item in listed["items"])
    elsewhere = await client.get("/api/v1/operator/declarations", params={"missing": "true"}, headers=other)
    assert elsewhere.json()["total"] == 0
    clock.set(at(ARRIVAL + dt.timedelta(days=1)))
    first_op = await factories.bearer(client, "op1@sanya.cn")
    after = await client.get("/api/v1/operator/declarations", params={"missing": "true"}, headers=first_op)
    assert after.json()["total"] == 0


async def test_retention_destroys_content_on_the_exact_day_and_nothing_else(client, world, clock, retention):
    # A stay of 30 nights from 2027-01-15: it ends 2027-02-14, content goes on 2027-05-15.
    stayed = await book(client, world, "13800000001", nights=30)
    await client.put(stayed.path, json=declaration_body(), headers=stayed.booker.headers)
    operator_headers = await operator(client, "op@sanya.cn", world.bases["sanya"]["id"])
    declaration_id = await fetchval("SELECT id FROM health_declaration WHERE booking = $1", stayed.booking_id)
    await client.post(
        f"/api/v1/operator/declarations/{declaration_id}/review",
        json={"decision": "request_info", "note": "请带上药盒。"},
        headers=operator_headers,
    )
    # Cancelled on the pinned day (2026-12-07): its purpose ended that day, content goes 90 days later.
    cancelled = await book(client, world, "13800000002", arrival_offset=40)
    await client.put(cancelled.path, json=declaration_body(submit=False), headers=cancelled.booker.headers)
    await client.post(f"/api/v1/bookings/{cancelled.booking_id}/cancel", headers=cancelled.booker.headers)
    # A hold that runs out on the pinned day ends the same day.
    lapsed = await book(client, world, "13800000003", arrival_offset=70, confirm=False)
    await client.put(lapsed.path, json=declaration_body(submit=False), headers=lapsed.booker.headers)
    # A later stay: 2027-03-11 to 2027-04-10, content kept until 2027-07-09.
    later = await book(client, world, "13800000004", arrival_offset=60, nights=30)
    await client.put(later.path, json=declaration_body(), headers=later.booker.headers)
    consents = await fetchval("SELECT count(*) FROM consent")
    before = {row["id"]: row for row in await fetch("SELECT * FROM health_declaration")}

    async def shredded() -> set[int]:
        rows = await fetch("SELECT booking FROM health_declaration WHERE status = 'shredded'")
        return {row["booking"] for row in rows}

    purpose_ended = PINNED_TODAY + dt.timedelta(days=90)  # 2027-03-07
    assert await shred_expired_declarations(at(purpose_ended - dt.timedelta(days=1), 23, 59), retention) == 0
    now = at(purpose_ended, 0, 1)
    assert await shred_expired_declarations(now, retention) == 2
    assert await shredded() == {cancelled.booking_id, lapsed.booking_id}
    assert await shred_expired_declarations(at(dt.date(2027, 5, 14), 23, 59), retention) == 0
    assert await shred_expired_declarations(at(dt.date(2027, 5, 15), 0, 1), retention) == 1
    assert await shredded() == {cancelled.booking_id, lapsed.booking_id, stayed.booking_id}
    assert await shred_expired_declarations(at(dt.date(2027, 5, 16)), retention) == 0

    rows = {row["id"]: row for row in await fetch("SELECT * FROM health_declaration")}
    for row_id, row in rows.items():
        if row["booking"] == later.booking_id:
            assert row == before[row_id]  # untouched, down to the ciphertext
            continue
        assert row["status"] == "shredded" and row["content_cipher"] is None
        assert row["review_note_cipher"] is None and row["risk"] is None and row["shredded_at"] is not None
    assert before[declaration_id]["review_note_cipher"] is not None  # there was a note to destroy
    assert await fetchval("SELECT count(*) FROM consent") == consents  # the consent history stays
    audit = await fetch("SELECT detail FROM audit_event WHERE action = 'declarations_shredded'")
    assert len(audit) == 2
    # The booker sees that it is gone, not a prefilled form.
    clock.set(at(dt.date(2027, 5, 16)))
    gone = (await client.get(stayed.path, headers=await factories.bearer(client, stayed.booker.login))).json()
    assert (
        gone["status"] == "shredded" and gone["conditions"]["hypertension"]["has"] is None
    )  # nothing is known any more
    assert gone["prefilled_from"] is None
