"""The booker's side of health declarations, in-process against real PostgreSQL: drafts,
submission, prefilling, consents, encryption at rest and refusals of bad input."""

import datetime as dt

import pytest

from sojourn import db
from tests.health_helpers import (
    START,
    book,
    declaration_body,
    fetch,
    fetchval,
    staff,
    with_companion,
)
from tests.pinned import PINNED_TODAY


async def test_draft_then_submit_then_read_back(client, world):
    booked = await book(client, world, "13800000001")
    draft = await client.put(
        booked.path,
        json=declaration_body(submit=False, travels_alone=None),
        headers=booked.booker.headers,
    )
    assert draft.status_code == 200, draft.text
    assert draft.json()["status"] == "draft" and draft.json()["editable"] is True
    assert draft.json()["consent"]["collect"] is True and draft.json()["consent"]["version"] == "2026-11"
    sent = await client.put(booked.path, json=declaration_body(), headers=booked.booker.headers)
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert body["status"] == "submitted" and body["submitted_at"] is not None
    assert body["screening"] == {"risk": "low", "flags": []}
    assert body["due_on"] == (START + dt.timedelta(days=5 - 7)).isoformat()
    again = await client.get(booked.path, headers=booked.booker.headers)
    assert again.json()["certificate"] == {"has": True, "dated": "2026-11-20"}
    assert again.json()["prefilled_from"] is None
    assert await fetchval("SELECT count(*) FROM health_declaration") == 1


async def test_submission_needs_every_opened_question_answered(client, world):
    booked = await book(client, world, "13800000001")
    body = declaration_body(
        conditions={"hypertension": {"has": True}},
        medications={"takes": True},
        travels_alone=False,
        emergency_contact=None,
        insurance={"has": True},
    )
    response = await client.put(booked.path, json=body, headers={**booked.booker.headers, "Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["code"] == "declaration_incomplete"
    assert set(response.json()["field_errors"]) == {
        "conditions.hypertension.controlled",
        "medications.names",
        "medications.supply_lasts_stay",
        "companion",
        "emergency_contact",
        "insurance.insurer",
        "insurance.policy_number",
    }
    assert await fetchval("SELECT count(*) FROM health_declaration") == 0
    # The same answers can be kept as a draft.
    draft = await client.put(booked.path, json={**body, "submit": False}, headers=booked.booker.headers)
    assert draft.status_code == 200 and draft.json()["status"] == "draft"


@pytest.mark.parametrize(
    "consent",
    [None, {"collect": False, "share_with_base": True}, {"share_with_base": True}],
    ids=["no consent object", "collect refused", "collect left out"],
)
async def test_nothing_is_stored_without_consent_to_collect(client, world, consent):
    booked = await book(client, world, "13800000001")
    body = declaration_body()
    if consent is None:
        body.pop("consent")
    else:
        body["consent"] = consent
    response = await client.put(booked.path, json=body, headers={**booked.booker.headers, "Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["code"] == "consent_required"
    assert "consent" in response.json()["detail"]
    assert "consent.collect" in response.json()["field_errors"]
    assert await fetchval("SELECT count(*) FROM health_declaration") == 0
    assert await fetchval("SELECT count(*) FROM consent") == 0


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        (
            {"surprise": 1},
            "surprise",
            400,
        ),
        ({"mobility_aid": "rocket"}, "mobility_aid", 400),
        ({"diet": ["vegan"]}, "diet[0]", 400),
        ({"conditions": {"gout": {"has": True}}}, "conditions.gout", 400),
        ({"allergies": "花粉" * 101}, "allergies", 400),
        (
            {"medications": {"takes": True, "names": "x" * 301, "supply_lasts_stay": True}},
            "medications.names",
            400,
        ),
        (
            {"insurance": {"has": True, "insurer": "A", "policy_number": "1", "age_limit": 200}},
            "insurance.age_limit",
            400,
        ),
        (
            {"recent_hospital_stay": {"had": True, "date": str(PINNED_TODAY + dt.timedelta(days=1))}},
            "recent_hospital_stay.date",
            422,
        ),
        ({"certificate": {"has": True, "dated": "2027-01-01"}}, "certificate.dated", 422),
        (
            {"recent_hospital_stay": {"had": True, "date": "2026-13-01"}},
            "recent_hospital_stay.date",
            400,
        ),
        ({"diet": ["none", "halal"]}, "diet", 422),
        (
            {"travels_alone": True, "companion": {"name": "李梅", "relation": "女儿"}},
            "companion",
            422,
        ),
        (
            {"emergency_contact": {"name": "王强", "phone": "call me", "relation": "儿子"}},
            "emergency_contact.phone",
            400,
        ),
    ],
    ids=[
        "unknown field",
        "unknown mobility aid",
        "unknown diet",
        "unknown condition",
        "allergies too long",
        "medicines too long",
        "impossible age limit",
        "surgery in the future",
        "certificate from the future",
        "not a date",
        "none with a diet",
        "alone with a companion",
        "bad phone",
    ],
)
async def test_bad_input_is_refused_with_field_errors_and_changes_nothing(client, world, change, field, status):
    booked = await book(client, world, "13800000001")
    first = await client.put(booked.path, json=declaration_body(submit=False), headers=booked.booker.headers)
    assert first.status_code == 200
    before = await fetch("SELECT status, content_cipher, updated_at FROM health_declaration")
    consents_before = await fetchval("SELECT count(*) FROM consent")
    response = await client.put(booked.path, json=declaration_body(**change), headers=booked.booker.headers)
    assert response.status_code == status, response.text
    assert field in response.json()["field_errors"], response.json()
    assert await fetch("SELECT status, content_cipher, updated_at FROM health_declaration") == before
    assert await fetchval("SELECT count(*) FROM consent") == consents_before


async def test_declarations_of_others_are_not_found(client, world):
    owner = await book(client, world, "13800000001")
    stranger = await book(client, world, "13800000002", arrival_offset=40)
    wrong_traveller = f"/api/v1/bookings/{owner.booking_id}/travellers/{stranger.traveller_id}/declaration"
    for headers, path in [
        (stranger.booker.headers, owner.path),  # someone else's booking
        (owner.booker.headers, wrong_traveller),  # a traveller not on this booking
        (
            owner.booker.headers,
            f"/api/v1/bookings/999999/travellers/{owner.traveller_id}/declaration",
        ),
    ]:
        assert (await client.get(path, headers=headers)).status_code == 404
        assert (await client.put(path, json=declaration_body(), headers=headers)).status_code == 404
    assert await fetchval("SELECT count(*) FROM health_declaration") == 0


async def test_operators_and_coordinators_cannot_write_declarations(client, world):
    booked = await book(client, world, "13800000001")
    for role in ("operator", "coordinator"):
        headers = await staff(client, f"{role}@example.cn", role)
        assert (await client.put(booked.path, json=declaration_body(), headers=headers)).status_code == 403
        assert (await client.get(booked.path, headers=headers)).status_code == 403


async def test_cancelled_or_expired_bookings_take_no_declaration(client, world, clock):
    cancelled = await book(client, world, "13800000001")
    await client.post(
        f"/api/v1/bookings/{cancelled.booking_id}/cancel",
        json={"reason": "家里有事"},
        headers=cancelled.booker.headers,
    )
    response = await client.put(cancelled.path, json=declaration_body(), headers=cancelled.booker.headers)
    assert response.status_code == 409 and response.json()["code"] == "booking_closed"
    held = await book(client, world, "13800000002", arrival_offset=40, confirm=False)
    assert (
        await client.put(held.path, json=declaration_body(submit=False), headers=held.booker.headers)
    ).status_code == 200
    clock.advance(minutes=16)
    expired = await client.put(held.path, json=declaration_body(), headers=held.booker.headers)
    assert expired.status_code == 409 and expired.json()["code"] == "booking_closed"
    assert await fetchval("SELECT count(*) FROM health_declaration") == 1  # the draft made while on hold


async def test_new_declaration_is_prefilled_from_the_previous_one(client, world):
    first = await book(client, world, "13800000001", arrival_offset=5, nights=30)
    answers = with_companion(
        conditions={"hypertension": {"has": True, "controlled": True}, "other": "痛风"},
        medications={"takes": True, "names": "氨氯地平", "supply_lasts_stay": True},
        diet=["low_salt"],
        mobility_aid="cane",
    )
    assert (await client.put(first.path, json=answers, headers=first.booker.headers)).status_code == 200
    tour = world.tours["vacation"]  # a second trip for the same traveller, after the first
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE tour SET starts_on = $2, ends_on = $3 WHERE id = $1",
            tour["id"],
            START + dt.timedelta(days=40),
            START + dt.timedelta(days=47),
        )
    second = await client.post(
        "/api/v1/bookings",
        json={"tour_id": tour["id"], "traveller_ids": [first.traveller_id]},
        headers=first.booker.headers,
    )
    assert second.status_code == 201, second.text
    path = f"/api/v1/bookings/{second.json()['id']}/travellers/{first.traveller_id}/declaration"
    prefilled = (await client.get(path, headers=first.booker.headers)).json()
    assert prefilled["status"] == "new" and prefilled["id"] is None
    assert prefilled["prefilled_from"]["source"] == "previous_declaration"
    assert prefilled["prefilled_from"]["booking_id"] == first.booking_id
    assert prefilled["conditions"]["hypertension"] == {"has": True, "controlled": True}
    assert prefilled["conditions"]["other"] == "痛风"
    assert prefilled["companion"]["name"] == "李梅" and prefilled["mobility_aid"] == "cane"
    # Enough medicine depends on this stay's length: asked again.
    assert prefilled["medications"] == {
        "takes": True,
        "names": "氨氯地平",
        "supply_lasts_stay": None,
    }
    assert await fetchval("SELECT count(*) FROM health_declaration") == 1  # a GET stores nothing


async def test_first_declaration_takes_the_emergency_contact_from_the_traveller_record(client, world):
    booked = await book(client, world, "13800000001")
    body = (await client.get(booked.path, headers=booked.booker.headers)).json()
    assert body["status"] == "new"
    assert body["prefilled_from"] == {
        "source": "traveller_record",
        "declaration_id": None,
        "booking_id": None,
        "booking_reference": None,
        "filled_at": None,
    }
    assert body["emergency_contact"] == {"name": "王强", "phone": "13900001111", "relation": "儿子"}


async def test_hotline_agent_with_a_mandate_declares_for_the_senior(client, world):
    booked = await book(client, world, "13800000001")
    agent = await staff(client, "agent@96111.cn", "agent")
    assert (await client.put(booked.path, json=declaration_body(), headers=agent)).status_code == 404
    agent_id = await fetchval("SELECT id FROM account WHERE email = 'agent@96111.cn'")
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO agent_mandate (traveller, recorded_by, method, reference) VALUES ($1, $2, 'phone_call', 'call-1')",
            booked.traveller_id,
            agent_id,
        )
    response = await client.put(booked.path, json=declaration_body(), headers=agent)
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    events = await fetch(
        "SELECT action, on_behalf_of_account_id FROM audit_event WHERE actor_id = $1 ORDER BY id",
        agent_id,
    )
    owner = await fetchval("SELECT account FROM booking WHERE id = $1", booked.booking_id)
    assert {"action": "declaration_submitted", "on_behalf_of_account_id": owner} in events
    assert (await fetchval("SELECT granted_by FROM consent WHERE purpose = 'collect_health'")) == agent_id
    await client.get(booked.path, headers=agent)  # staff reading health data leave a trace
    assert (
        await fetchval(
            "SELECT count(*) FROM audit_event WHERE action = 'declaration_read' AND actor_id = $1",
            agent_id,
        )
        == 1
    )


async def test_raw_rows_hold_no_plaintext_health_data(client, world):
    booked = await book(client, world, "13800000001", birth=dt.date(1950, 1, 1))
    async with db.connection() as conn:
        await conn.execute("UPDATE base SET altitude_m = 3650 WHERE id = $1", world.bases["sanya"]["id"])
    body = declaration_body(
        conditions={
            "heart_disease": {"has": True, "controlled": False},
            "other": "Zebrafish syndrome",
        },
        epilepsy=True,
        allergies="Penicillin",
        medications={"takes": True, "names": "Warfarin", "supply_lasts_stay": False},
        diet=["halal"],
        mobility_aid="wheelchair",
    )
    response = await client.put(booked.path, json=body, headers=booked.booker.headers)
    assert response.status_code == 200 and response.json()["screening"]["risk"] == "high"
    codes = {flag["code"] for flag in response.json()["screening"]["flags"]}
    assert {"high_altitude_heart_disease", "high_altitude_epilepsy"} <= codes
    rows = []
    for table in ("health_declaration", "consent", "audit_event", "outbox_message"):
        rows += await fetch(f"SELECT t::text AS row FROM {table} t")
    dump = "\n".join(row["row"] for row in rows).lower()
    assert len(rows) >= 4  # declaration, consents, audit entries: the dump itself is not empty
    for secret in (
        "zebrafish",
        "penicillin",
        "warfarin",
        "halal",
        "wheelchair",
        "heart",
        "epilepsy",
        *codes,
    ):
        assert secret.lower() not in dump, secret
    assert await fetchval("SELECT risk FROM health_declaration") == "high"  # the one thing left readable


async def test_withdrawing_collect_consent_destroys_the_content(client, world):
    booked = await book(client, world, "13800000001")
    await client.put(booked.path, json=declaration_body(), headers=booked.booker.headers)
    response = await client.post(
        f"{booked.path}/withdraw-consent",
        json={"purpose": "collect_health"},
        headers=booked.booker.headers,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "shredded"
    assert response.json()["consent"]["collect"] is False and response.json()["consent"]["share_with_base"] is False
    row = (await fetch("SELECT content_cipher, risk, shredded_at FROM health_declaration"))[0]
    assert row["content_cipher"] is None and row["risk"] is None and row["shredded_at"] is not None
    kept = await fetch("SELECT purpose, withdrawn_at FROM consent ORDER BY id")
    assert len(kept) == 2 and all(consent["withdrawn_at"] is not None for consent in kept)
    # The senior may change their mind before the trip: a new consent starts a new declaration.
    again = await client.put(booked.path, json=declaration_body(), headers=booked.booker.headers)
    assert again.status_code == 200 and again.json()["status"] == "submitted"
    assert await fetchval("SELECT count(*) FROM consent") == 4  # appended, never overwritten


async def test_consent_terms_are_versioned(client, world):
    chinese = (await client.get("/api/v1/health/consent-terms")).json()
    english = (await client.get("/api/v1/health/consent-terms", headers={"Accept-Language": "en"})).json()
    assert chinese["version"] == english["version"] == "2026-11"
    assert "90" in english["collect"] and "base" in english["share_with_base"]


async def test_a_yes_no_left_out_is_missing_never_no_a_draft_may_have_gaps(client, world):
    booked = await book(client, world, "13800000009")
    body = declaration_body()
    for left_out in ("epilepsy", "oxygen"):
        body.pop(left_out)
    body["conditions"] = {name: answer for name, answer in body["conditions"].items() if name != "diabetes"}
    sent = await client.put(booked.path, json=body, headers={**booked.booker.headers, "Accept-Language": "en"})
    assert sent.status_code == 422, sent.text
    assert sent.json()["code"] == "declaration_incomplete"
    assert sent.json()["field_errors"] == {
        "conditions.diabetes.has": "Answer yes or no.",
        "epilepsy": "Answer yes or no.",
        "oxygen": "Answer yes or no.",
    }
    draft = await client.put(booked.path, json={**body, "submit": False}, headers=booked.booker.headers)
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    assert draft.json()["epilepsy"] is None and draft.json()["conditions"]["diabetes"]["has"] is None
    assert draft.json()["cpap"] is False
