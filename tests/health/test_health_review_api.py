"""The base's side of health declarations: the queue, reading details (consent and audit),
decisions, and the care notes for the arrival list."""

import datetime as dt

import pytest

from sojourn import db
from sojourn.crypto import KeyRing
from sojourn.health.care_notes import arrival_care_notes
from tests.booking_helpers import calendar_mismatches
from tests.health_helpers import (
    book,
    declaration_body,
    fetch,
    fetchval,
    operator,
    staff,
    with_companion,
)
from tests.pinned import PINNED_NOW, SHANGHAI


@pytest.fixture
async def submitted(client, world):
    """A confirmed stay at the Sanya base with a submitted declaration, and the base's operator."""
    booked = await book(client, world, "13800000001")
    response = await client.put(
        booked.path,
        json=with_companion(diet=["diabetic", "soft"], mobility_aid="walker"),
        headers=booked.booker.headers,
    )
    assert response.status_code == 200, response.text
    booked.declaration_id = response.json()["id"]
    booked.operator = await operator(client, "op@sanya.cn", world.bases["sanya"]["id"])
    return booked


def at_base(minutes: int) -> str:
    """The pinned moment plus ``minutes``, as the base's clock shows it (to the minute)."""
    return (PINNED_NOW + dt.timedelta(minutes=minutes)).astimezone(SHANGHAI).isoformat()[:16]


def _review_path(declaration_id: int) -> str:
    return f"/api/v1/operator/declarations/{declaration_id}/review"


async def test_queue_lists_only_the_operators_bases_riskiest_first(client, world, submitted):
    async with db.connection() as conn:
        await conn.execute("UPDATE base SET altitude_m = 3200 WHERE id = $1", world.bases["hulunbuir"]["id"])
    risky = await book(client, world, "13800000002", tour="interactive", province="110000")  # at Hulunbuir
    body = declaration_body(conditions={"heart_disease": {"has": True, "controlled": True}})
    assert (await client.put(risky.path, json=body, headers=risky.booker.headers)).json()["screening"]["risk"] == "high"
    draft = await book(client, world, "13800000003", arrival_offset=40)
    await client.put(draft.path, json=declaration_body(submit=False), headers=draft.booker.headers)

    sanya = (await client.get("/api/v1/operator/declarations", headers=submitted.operator)).json()
    assert [item["declaration_id"] for item in sanya["items"]] == [submitted.declaration_id]
    assert sanya["items"][0]["shared"] is True and sanya["items"][0]["status"] == "submitted"
    assert "conditions" not in sanya["items"][0]  # a queue never carries health details
    drafts = await client.get("/api/v1/operator/declarations", params={"status": "draft"}, headers=submitted.operator)
    assert drafts.json()["total"] == 1
    admin = await staff(client, "admin@sojourn.cn", "admin")
    everything = (await client.get("/api/v1/operator/declarations", headers=admin)).json()
    assert [item["risk"] for item in everything["items"]] == ["high", "low"]
    high = await client.get("/api/v1/operator/declarations", params={"risk": "high"}, headers=admin)
    assert [item["traveller_id"] for item in high.json()["items"]] == [risky.traveller_id]
    by_tour = await client.get(
        "/api/v1/operator/declarations",
        params={"tour_id": world.tours["interactive"]["id"]},
        headers=admin,
    )
    assert by_tour.json()["total"] == 1
    bad = await client.get("/api/v1/operator/declarations", params={"risk": "extreme"}, headers=admin)
    assert bad.status_code == 400


async def test_forms_of_cancelled_or_run_out_bookings_leave_the_queue_and_the_count_at_once(
    client, world, clock, submitted
):
    sanya = world.bases["sanya"]["id"]
    held = await book(client, world, "13800000005", arrival_offset=40, confirm=False)
    sent = await client.put(held.path, json=declaration_body(), headers=held.booker.headers)
    assert sent.status_code == 200, sent.text

    async def queue() -> list[int]:
        page = (await client.get("/api/v1/operator/declarations", headers=submitted.operator)).json()
        assert page["total"] == len(page["items"])
        return [item["declaration_id"] for item in page["items"]]

    async def awaiting() -> int:
        board = await client.get(f"/api/v1/operator/bases/{sanya}/dashboard", headers=submitted.operator)
        assert board.status_code == 200, board.text
        return board.json()["declarations_awaiting"]

    assert sorted(await queue()) == sorted([submitted.declaration_id, sent.json()["id"]])
    assert await awaiting() == 2
    # The senior cancels: her form waits for nobody any more, from this very moment.
    cancelled = await client.post(
        f"/api/v1/bookings/{submitted.booking_id}/cancel", json={"reason": ""}, headers=submitted.booker.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await queue() == [sent.json()["id"]]
    assert await awaiting() == 1
    # The other hold runs out: gone too, before any job has marked it expired.
    clock.advance(minutes=16)
    assert await fetchval("SELECT status FROM booking WHERE id = $1", held.booking_id) == "held"
    assert await queue() == []
    assert await awaiting() == 0
    # Asked for by status, they stay out of the pending list as well.
    pending = await client.get(
        "/api/v1/operator/declarations", params={"status": "submitted"}, headers=submitted.operator
    )
    assert pending.json()["items"] == []


async def test_every_read_of_details_is_audited(client, submitted):
    path = f"/api/v1/operator/declarations/{submitted.declaration_id}"
    for _ in range(2):
        response = await client.get(path, headers=submitted.operator)
        assert response.status_code == 200
        assert response.json()["details"]["mobility_aid"] == "walker"
        assert response.json()["screening"] == {"risk": "low", "flags": []}
    reads = await fetch(
        "SELECT actor_role, object_id, detail FROM audit_event WHERE action = 'declaration_read' ORDER BY id"
    )
    assert len(reads) == 2 and all(read["actor_role"] == "operator" for read in reads)
    assert reads[0]["object_id"] == submitted.declaration_id


async def test_an_operator_of_another_base_gets_not_found(client, world, submitted):
    other = await operator(client, "op@hulunbuir.cn", world.bases["hulunbuir"]["id"])
    assert (
        await client.get(f"/api/v1/operator/declarations/{submitted.declaration_id}", headers=other)
    ).status_code == 404
    review = await client.post(_review_path(submitted.declaration_id), json={"decision": "accept"}, headers=other)
    assert review.status_code == 404
    assert (await client.get("/api/v1/operator/declarations", headers=other)).json()["total"] == 0
    assert await fetchval("SELECT status FROM health_declaration") == "submitted"
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'declaration_read'") == 0


@pytest.mark.parametrize("role", ["coordinator", "traveller", "agent"])
async def test_only_operators_and_admins_review(client, submitted, role):
    headers = await staff(client, f"{role}@example.cn", role)
    for method, path, body in [
        ("GET", "/api/v1/operator/declarations", None),
        ("GET", f"/api/v1/operator/declarations/{submitted.declaration_id}", None),
        ("POST", _review_path(submitted.declaration_id), {"decision": "accept"}),
    ]:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (role, path)


async def test_withdrawn_share_consent_hides_the_details(client, submitted):
    path = f"/api/v1/operator/declarations/{submitted.declaration_id}"
    withdrawn = await client.post(
        f"{submitted.path}/withdraw-consent",
        json={"purpose": "share_with_base"},
        headers=submitted.booker.headers,
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["consent"]["share_with_base"] is False
    assert withdrawn.json()["consent"]["share_withdrawn_at"] is not None
    seen = (await client.get(path, headers={**submitted.operator, "Accept-Language": "en"})).json()
    assert seen["status"] == "submitted" and seen["risk"] is None and seen["shared"] is False  # risk is health data
    assert seen["details"] is None and seen["screening"] is None and "agreed" in seen["hidden_because"]
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'declaration_read'") == 0
    queue = (await client.get("/api/v1/operator/declarations", headers=submitted.operator)).json()
    assert queue["items"][0]["shared"] is False
    # Consent history is kept: the share consent row is stamped, not deleted.
    rows = await fetch("SELECT purpose, withdrawn_at FROM consent ORDER BY id")
    assert [(row["purpose"], row["withdrawn_at"] is not None) for row in rows] == [
        ("collect_health", False),
        ("share_with_base", True),
    ]
    # Consenting again (with the next save) shares again, as a new row.
    again = await client.put(submitted.path, json=with_companion(), headers=submitted.booker.headers)
    assert again.json()["consent"]["share_with_base"] is True
    assert (await client.get(path, headers=submitted.operator)).json()["details"] is not None
    assert await fetchval("SELECT count(*) FROM consent WHERE purpose = 'share_with_base'") == 2


async def test_request_info_then_edit_and_resubmit(client, clock, submitted):
    asked = await client.post(
        _review_path(submitted.declaration_id),
        json={"decision": "request_info", "note": "请补充最近一次心电图的日期。"},
        headers=submitted.operator,
    )
    assert asked.status_code == 200 and asked.json()["status"] == "info_requested"
    owner = await fetchval("SELECT account FROM booking WHERE id = $1", submitted.booking_id)
    messages = await fetch(
        "SELECT account, payload::text AS payload FROM outbox_message WHERE kind = 'declaration_info_requested'"
    )
    assert len(messages) == 1 and messages[0]["account"] == owner
    assert "心电图" not in messages[0]["payload"]  # the note travels encrypted, not in the outbox
    seen = (await client.get(submitted.path, headers=submitted.booker.headers)).json()
    assert seen["status"] == "info_requested" and seen["editable"] is True
    assert seen["review_note"] == "请补充最近一次心电图的日期。"
    assert seen["question"]["text"] == "请补充最近一次心电图的日期。" and seen["question"]["side"] == "base"
    assert seen["question"]["at"][:16] == at_base(0) and seen["question"]["at"].endswith("+08:00")  # the base's time
    clock.advance(minutes=5)
    draft = await client.put(
        submitted.path,
        json=with_companion(submit=False, allergies="青霉素"),
        headers=submitted.booker.headers,
    )
    assert draft.json()["status"] == "info_requested"  # still open for the base to see
    again = await client.post(
        _review_path(submitted.declaration_id),
        json={"decision": "accept"},
        headers=submitted.operator,
    )
    assert again.status_code == 409 and again.json()["code"] == "waiting_for_traveller"
    unanswered = await client.put(
        submitted.path, json=with_companion(allergies="青霉素"), headers=submitted.booker.headers
    )
    assert unanswered.status_code == 422 and "answer" in unanswered.json()["field_errors"]
    resent = await client.put(
        submitted.path,
        json=with_companion(allergies="青霉素", answer="2026年11月20日，结果正常。"),
        headers=submitted.booker.headers,
    )
    assert resent.json()["status"] == "submitted" and resent.json()["question"] is None
    thread = (
        await client.get(f"/api/v1/operator/declarations/{submitted.declaration_id}", headers=submitted.operator)
    ).json()["thread"]
    assert [(m["side"], m["text"], m["at"][:16]) for m in thread] == [
        ("base", "请补充最近一次心电图的日期。", at_base(0)),
        ("booker", "2026年11月20日，结果正常。", at_base(5)),
    ]
    accepted = await client.post(
        _review_path(submitted.declaration_id),
        json={"decision": "accept"},
        headers=submitted.operator,
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["details"]["allergies"] == "青霉素"
    frozen = await client.put(submitted.path, json=with_companion(), headers=submitted.booker.headers)
    assert frozen.status_code == 409 and frozen.json()["code"] == "declaration_reviewed"
    twice = await client.post(
        _review_path(submitted.declaration_id),
        json={"decision": "decline", "note": "x"},
        headers=submitted.operator,
    )
    assert twice.status_code == 409 and twice.json()["code"] == "declaration_reviewed"
    decisions = await fetch(
        "SELECT detail->>'decision' AS decision FROM audit_event WHERE action = 'declaration_reviewed' ORDER BY id"
    )
    assert [row["decision"] for row in decisions] == ["request_info", "accept"]


async def test_a_draft_cannot_be_reviewed(client, world):
    booked = await book(client, world, "13800000001")
    declaration_id = (
        await client.put(booked.path, json=declaration_body(submit=False), headers=booked.booker.headers)
    ).json()["id"]
    headers = await operator(client, "op@sanya.cn", world.bases["sanya"]["id"])
    response = await client.post(_review_path(declaration_id), json={"decision": "accept"}, headers=headers)
    assert response.status_code == 409 and response.json()["code"] == "not_submitted"
    details = (await client.get(f"/api/v1/operator/declarations/{declaration_id}", headers=headers)).json()
    assert details["details"] is None and details["status"] == "draft"


@pytest.mark.parametrize("decision", ["request_info", "decline"])
async def test_asking_or_declining_needs_a_note(client, submitted, decision):
    response = await client.post(
        _review_path(submitted.declaration_id),
        json={"decision": decision, "note": "  "},
        headers=submitted.operator,
    )
    assert response.status_code == 422 and "note" in response.json()["field_errors"]
    assert await fetchval("SELECT status FROM health_declaration") == "submitted"
    bad = await client.post(
        _review_path(submitted.declaration_id),
        json={"decision": "maybe"},
        headers=submitted.operator,
    )
    assert bad.status_code == 400 and "decision" in bad.json()["field_errors"]


async def test_decline_cancels_with_a_full_refund_and_frees_the_beds(client, world, clock, submitted):
    clock.advance(minutes=30)  # past the ten-minute undo window: a booker's cancel would refund by policy
    booking = (await client.get(f"/api/v1/bookings/{submitted.booking_id}", headers=submitted.booker.headers)).json()
    taken = await fetchval("SELECT sum(taken) FROM capacity_night WHERE base = $1", world.bases["sanya"]["id"])
    assert taken == 30
    response = await client.post(
        _review_path(submitted.declaration_id),
        json={"decision": "decline", "note": "本基地目前无法提供所需的护理。"},
        headers=submitted.operator,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "declined" and response.json()["refund_fen"] == booking["total_fen"]
    after = (await client.get(f"/api/v1/bookings/{submitted.booking_id}", headers=submitted.booker.headers)).json()
    assert after["status"] == "cancelled" and after["refund_fen"] == booking["total_fen"]
    assert await fetchval("SELECT sum(taken) FROM capacity_night WHERE base = $1", world.bases["sanya"]["id"]) == 0
    assert await calendar_mismatches() == []
    kinds = {row["kind"] for row in await fetch("SELECT kind FROM outbox_message")}
    assert {"declaration_declined", "booking_cancelled"} <= kinds
    actions = [row["action"] for row in await fetch("SELECT action FROM audit_event ORDER BY id")]
    assert "declaration_reviewed" in actions and "booking_cancelled" in actions
    closed = await client.put(submitted.path, json=with_companion(), headers=submitted.booker.headers)
    assert closed.status_code == 409


async def test_care_notes_carry_no_medical_details_and_need_the_share_consent(client, world, submitted, settings):
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    hidden = await book(client, world, "13800000002", arrival_offset=40)
    body = declaration_body(consent={"collect": True, "share_with_base": False}, diet=["halal"])
    await client.put(hidden.path, json=body, headers=hidden.booker.headers)
    async with db.connection() as conn:
        notes = await arrival_care_notes(conn, [submitted.booking_id, hidden.booking_id], keyring=keyring)
    assert list(notes) == [(submitted.booking_id, submitted.traveller_id)]
    note = notes[(submitted.booking_id, submitted.traveller_id)]
    assert note.diet == ["diabetic", "soft"] and note.mobility_aid == "walker"
    assert note.travels_alone is False and note.companion.name == "李梅"
    assert note.emergency_contact.phone == "13900001111"
    assert set(note.__struct_fields__) == {
        "diet",
        "mobility_aid",
        "travels_alone",
        "companion",
        "emergency_contact",
    }
