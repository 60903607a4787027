"""Alliance administration: members, agreements, admitting and suspending bases, base staff accounts."""

from __future__ import annotations

import pytest

from sojourn import db
from tests import factories
from tests.booking_helpers import booker
from tests.stats_helpers import admin, coordinator, hold, stay
from tests.web_helpers import post_form, sign_in


async def audit_actions(object_type: str) -> list[str]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT action FROM audit_event WHERE object_type = $1 ORDER BY id", object_type)
    return [row["action"] for row in rows]


ADMIN_CALLS = [
    ("get", "/api/v1/alliance/members", None),
    ("post", "/api/v1/alliance/members", {"code": "230000", "name_zh": "黑龙江", "name_en": "Heilongjiang"}),
    ("get", "/api/v1/alliance/agreements", None),
    ("get", "/api/v1/alliance/bases", None),
    ("get", "/api/v1/alliance/operators", None),
]


@pytest.mark.parametrize("role", ["traveller", "operator", "agent"])
async def test_only_coordinators_and_admins_administer_the_alliance(client, world, role):
    await factories.account(f"{role}@sojourn.example", role=role)
    headers = await factories.bearer(client, f"{role}@sojourn.example")
    for method, path, body in ADMIN_CALLS:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (path, response.text)
    assert (
        await client.post(f"/api/v1/alliance/bases/{world.bases['sanya']['id']}/suspend", headers=headers)
    ).status_code == 403


async def test_members_are_added_changed_suspended_and_reinstated_with_an_audit_trail(client, world):
    headers = await coordinator(client, "all@sojourn.example")
    created = await client.post(
        "/api/v1/alliance/members",
        json={"code": "230000", "name_zh": "黑龙江", "name_en": "Heilongjiang", "organisation_zh": "黑龙江省养老协会"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    member = created.json()
    assert member["status"] == "active" and member["editable"] is True
    again = await client.post(
        "/api/v1/alliance/members", json={"code": "230000", "name_zh": "x", "name_en": "x"}, headers=headers
    )
    assert again.status_code == 409 and "code" in again.json()["field_errors"]
    bad = await client.post(
        "/api/v1/alliance/members", json={"code": "230001", "name_zh": "x", "name_en": "x"}, headers=headers
    )
    assert bad.status_code in (400, 422)
    changed = await client.patch(
        f"/api/v1/alliance/members/{member['id']}",
        json={"name_zh": "黑龙江省", "name_en": "Heilongjiang Province"},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["name_en"] == "Heilongjiang Province"
    suspended = await client.post(f"/api/v1/alliance/members/{member['id']}/suspend", headers=headers)
    assert suspended.json()["status"] == "suspended"
    reinstated = await client.post(f"/api/v1/alliance/members/{member['id']}/reinstate", headers=headers)
    assert reinstated.json()["status"] == "active"
    assert await audit_actions("member") == [
        "member_created",
        "member_updated",
        "member_suspended",
        "member_reinstated",
    ]


async def test_a_coordinator_limited_to_a_member_changes_only_its_own(client, world):
    hainan = await coordinator(client, "hainan@sojourn.example", world.members["hi"]["id"])
    refused = await client.post(
        "/api/v1/alliance/members", json={"code": "230000", "name_zh": "x", "name_en": "x"}, headers=hainan
    )
    assert refused.status_code == 403
    other = await client.patch(
        f"/api/v1/alliance/members/{world.members['nm']['id']}", json={"name_zh": "x", "name_en": "x"}, headers=hainan
    )
    assert other.status_code == 404
    own = await client.patch(
        f"/api/v1/alliance/members/{world.members['hi']['id']}",
        json={"name_zh": "海南省", "name_en": "Hainan"},
        headers=hainan,
    )
    assert own.status_code == 200
    listed = (await client.get("/api/v1/alliance/members", headers=hainan)).json()["items"]
    assert {m["code"]: m["editable"] for m in listed} == {"110000": False, "150000": False, "460000": True}
    bases = (await client.get("/api/v1/alliance/bases", headers=hainan)).json()["items"]
    assert [b["id"] for b in bases] == [world.bases["sanya"]["id"]]
    foreign = await client.post(f"/api/v1/alliance/bases/{world.bases['hulunbuir']['id']}/suspend", headers=hainan)
    assert foreign.status_code == 404


async def test_agreements_record_which_kinds_of_trip_they_cover(client, world):
    nm, bj, hi = (world.members[k]["id"] for k in ("nm", "bj", "hi"))
    inner_mongolia = await coordinator(client, "nm@sojourn.example", nm)
    body = {"member_a_id": nm, "member_b_id": bj, "modes": ["interactive", "migratory"], "signed_on": "2023-06-01"}
    created = await client.post("/api/v1/alliance/agreements", json=body, headers=inner_mongolia)
    assert created.status_code == 201, created.text
    agreement = created.json()
    assert agreement["modes"] == ["migratory", "interactive"] and {
        agreement["member_a_id"],
        agreement["member_b_id"],
    } == {nm, bj}
    twice = await client.post(
        "/api/v1/alliance/agreements", json={**body, "member_a_id": bj, "member_b_id": nm}, headers=inner_mongolia
    )
    assert twice.status_code == 409
    not_mine = await client.post(
        "/api/v1/alliance/agreements", json={**body, "member_a_id": bj, "member_b_id": hi}, headers=inner_mongolia
    )
    assert not_mine.status_code == 422
    no_modes = await client.post(
        "/api/v1/alliance/agreements", json={**body, "member_b_id": hi, "modes": []}, headers=inner_mongolia
    )
    assert no_modes.status_code in (400, 422)
    ends_early = await client.patch(
        f"/api/v1/alliance/agreements/{agreement['id']}",
        json={"modes": ["vacation"], "signed_on": "2023-06-01", "expires_on": "2023-01-01"},
        headers=inner_mongolia,
    )
    assert ends_early.status_code == 422 and "expires_on" in ends_early.json()["field_errors"]
    changed = await client.patch(
        f"/api/v1/alliance/agreements/{agreement['id']}",
        json={"modes": ["vacation"], "signed_on": "2023-06-01", "expires_on": "2028-06-01"},
        headers=inner_mongolia,
    )
    assert changed.status_code == 200 and changed.json()["modes"] == ["vacation"]
    hainan = await coordinator(client, "hainan@sojourn.example", hi)
    assert (await client.get("/api/v1/alliance/agreements", headers=hainan)).json()["items"] == []
    assert (
        await client.patch(
            f"/api/v1/alliance/agreements/{agreement['id']}",
            json={"modes": ["vacation"], "signed_on": "2023-06-01"},
            headers=hainan,
        )
    ).status_code == 404
    assert await audit_actions("agreement") == ["agreement_created", "agreement_updated"]


async def test_a_suspended_base_takes_no_new_bookings_and_existing_ones_stand(client, world):
    headers = await coordinator(client, "all@sojourn.example")
    senior = await booker(client, "13800000001")
    booking_id = await hold(client, senior, stay(world, "migratory", senior.traveller_ids, 5, 30))
    sanya = world.bases["sanya"]["id"]
    suspended = await client.post(f"/api/v1/alliance/bases/{sanya}/suspend", headers=headers)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    other = await booker(client, "13800000002")
    refused = await client.post(
        "/api/v1/bookings", json=stay(world, "migratory", other.traveller_ids, 10, 30), headers=other.headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "tour_closed"
    existing = await client.get(f"/api/v1/bookings/{booking_id}", headers=senior.headers)
    assert existing.json()["status"] == "confirmed"
    readmitted = await client.post(f"/api/v1/alliance/bases/{sanya}/admit", headers=headers)
    assert readmitted.json()["status"] == "admitted"
    allowed = await client.post(
        "/api/v1/bookings", json=stay(world, "migratory", other.traveller_ids, 10, 30), headers=other.headers
    )
    assert allowed.status_code == 201
    assert await audit_actions("base") == ["base_suspended", "base_admitted"]


async def test_pending_bases_are_admitted_and_cannot_be_suspended_first(client, world):
    headers = await admin(client)
    pending = await factories.base(world.members["hi"]["id"], name_zh="新基地", name_en="New base", status="pending")
    assert (await client.post(f"/api/v1/alliance/bases/{pending['id']}/suspend", headers=headers)).status_code == 409
    listed = (await client.get("/api/v1/alliance/bases", params={"status": "pending"}, headers=headers)).json()["items"]
    assert [b["id"] for b in listed] == [pending["id"]]
    admitted = await client.post(f"/api/v1/alliance/bases/{pending['id']}/admit", headers=headers)
    assert admitted.json()["status"] == "admitted"


async def test_operator_accounts_are_invited_and_given_bases(client, world):
    """Coordinators ask, administrators decide (tests/security/test_operator_invitations.py has the
    whole invitation); here: scoping, refusals and taking bases away."""
    sanya, hulunbuir = world.bases["sanya"]["id"], world.bases["hulunbuir"]["id"]
    hainan = await coordinator(client, "hainan@sojourn.example", world.members["hi"]["id"])
    body = {"login": "13900000009", "display_name": "三亚前台", "base_ids": [sanya]}
    asked = await client.post("/api/v1/alliance/operators", json=body, headers=hainan)
    assert asked.status_code == 202, asked.text
    duplicate = await client.post("/api/v1/alliance/operators", json=body, headers=hainan)
    assert duplicate.status_code == 409
    outside = await client.post(
        "/api/v1/alliance/operators", json={**body, "login": "13900000010", "base_ids": [hulunbuir]}, headers=hainan
    )
    assert outside.status_code == 422 and "base_ids" in outside.json()["field_errors"]
    with_password = await client.post(
        "/api/v1/alliance/operators", json={**body, "login": "13900000011", "password": "sea-breeze-1"}, headers=hainan
    )
    assert with_password.status_code == 422 and "password" in with_password.json()["field_errors"]
    listed = (await client.get("/api/v1/alliance/operator-invitations", headers=hainan)).json()["items"]
    assert [(i["login"], i["status"]) for i in listed] == [("13900000009", "requested")]

    boss = await admin(client)
    code = (
        await client.post(f"/api/v1/alliance/operator-invitations/{asked.json()['id']}/approve", headers=boss)
    ).json()["code"]
    weak = await client.post("/api/v1/auth/invitation", json={"code": code, "password": "12345678"})
    assert weak.status_code == 422  # the code stays usable
    accepted = await client.post("/api/v1/auth/invitation", json={"code": code, "password": "sea-breeze-front-desk"})
    assert accepted.status_code == 201, accepted.text
    operator_id = accepted.json()["account_id"]
    staff = await factories.bearer(client, "13900000009", "sea-breeze-front-desk")
    assert (await client.get("/api/v1/operator/declarations", headers=staff)).status_code == 200

    added = await client.post(
        f"/api/v1/alliance/operators/{operator_id}/bases", json={"base_id": hulunbuir}, headers=boss
    )
    assert [b["id"] for b in added.json()["bases"]] == [sanya, hulunbuir]
    not_hers = await client.delete(f"/api/v1/alliance/operators/{operator_id}/bases/{hulunbuir}", headers=hainan)
    assert not_hers.status_code == 422
    removed = await client.delete(f"/api/v1/alliance/operators/{operator_id}/bases/{sanya}", headers=hainan)
    assert removed.status_code == 200 and [b["id"] for b in removed.json()["bases"]] == [hulunbuir]
    assert (await client.get("/api/v1/alliance/operators", headers=hainan)).json()["items"] == []
    assert await audit_actions("account") == ["operator_base_assigned", "operator_base_unassigned"]


async def test_the_pages_add_a_member_and_suspend_a_base(client, world):
    await factories.account("all@sojourn.example", role="coordinator")
    await sign_in(client, "all@sojourn.example", factories.PASSWORD)
    page = await client.get("/alliance/members")
    assert page.status_code == 200 and "内蒙古" in page.text
    wrong = await post_form(client, "/alliance/members", {"code": "23", "name_zh": "黑龙江", "name_en": "Heilongjiang"})
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.text and "黑龙江" in wrong.text
    added = await post_form(
        client, "/alliance/members", {"code": "230000", "name_zh": "黑龙江", "name_en": "Heilongjiang"}
    )
    assert added.status_code == 303 and added.headers["location"] == "/alliance/members"
    assert "黑龙江" in (await client.get("/alliance/members")).text
    sanya = world.bases["sanya"]["id"]
    suspended = await post_form(client, f"/alliance/bases/{sanya}/suspend", {}, from_page="/alliance/bases")
    assert suspended.status_code == 303
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT status FROM base WHERE id = $1", sanya) == "suspended"
    for path in (
        "/alliance/agreements",
        "/alliance/bases",
        "/alliance/operators",
        f"/alliance/members/{world.members['hi']['id']}",
    ):
        assert (await client.get(path)).status_code == 200, path
    agreement = await post_form(
        client,
        "/alliance/agreements",
        {
            "member_a_id": world.members["nm"]["id"],
            "member_b_id": world.members["bj"]["id"],
            "modes": ["interactive"],
            "signed_on": "2023-06-01",
        },
    )
    assert agreement.status_code == 303, agreement.text[-2000:]
    operator = await post_form(
        client,
        "/alliance/operators",
        {"display_name": "前台", "login": "13900000012", "base_ids": [str(sanya)]},
    )
    assert operator.status_code == 303, operator.text[-2000:]  # a coordinator's request: an admin decides
