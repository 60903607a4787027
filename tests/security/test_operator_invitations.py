"""Finding 1: a coordinator (aggregates only) can never create or empower an account that sees
individuals. Operators are invited with a one-time code and set their own password; giving a
base to an operator is done by an administrator, or asked for by a coordinator and approved by
an administrator. Everything audited."""

from __future__ import annotations

import datetime as dt

from sojourn import db
from tests import factories
from tests.pinned import PINNED_NOW
from tests.stats_helpers import admin, coordinator

DESK = "13900000009"
PASSWORD = "sea-breeze-front-desk"


async def _can_sign_in(client, login: str, password: str) -> bool:
    response = await client.post("/api/v1/auth/token", json={"login": login, "password": password})
    return response.status_code == 200


async def _actions() -> list[str]:
    async with db.connection() as conn:
        return [r["action"] for r in await conn.fetch("SELECT action FROM audit_event ORDER BY id")]


def _invite(world, **changes) -> dict:
    return {"login": DESK, "display_name": "三亚前台", "base_ids": [world.bases["sanya"]["id"]], **changes}


async def test_a_coordinator_cannot_make_an_operator_who_can_sign_in(client, world):
    hainan = await coordinator(client, "hainan@sojourn.example", world.members["hi"]["id"])
    made = await client.post(
        "/api/v1/alliance/operators", json={**_invite(world), "password": PASSWORD}, headers=hainan
    )
    assert made.status_code in (202, 422), made.text  # a request for an administrator, or refused
    assert not await _can_sign_in(client, DESK, PASSWORD)
    asked = await client.post("/api/v1/alliance/operators", json=_invite(world), headers=hainan)
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "requested" and asked.json().get("code") is None
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM account WHERE phone = $1", DESK) == 0


async def test_a_coordinator_cannot_give_a_base_to_an_operator(client, world):
    sanya, hulunbuir = world.bases["sanya"]["id"], world.bases["hulunbuir"]["id"]
    operator_id = await factories.account(DESK, role="operator", base_ids=(sanya,))
    everyone = await coordinator(client, "all@sojourn.example")
    asked = await client.post(
        f"/api/v1/alliance/operators/{operator_id}/bases", json={"base_id": hulunbuir}, headers=everyone
    )
    assert asked.status_code == 202, asked.text
    async with db.connection() as conn:
        bases = await conn.fetch("SELECT base FROM account_base WHERE account = $1", operator_id)
    assert [row["base"] for row in bases] == [sanya]
    grants = await client.get("/api/v1/alliance/base-grants", headers=everyone)
    [grant] = grants.json()["items"]
    refused = await client.post(f"/api/v1/alliance/base-grants/{grant['id']}/approve", headers=everyone)
    assert refused.status_code == 403
    boss = await admin(client)
    approved = await client.post(f"/api/v1/alliance/base-grants/{grant['id']}/approve", headers=boss)
    assert approved.status_code == 200, approved.text
    assert sorted(b["id"] for b in approved.json()["operator"]["bases"]) == sorted([sanya, hulunbuir])
    assert (await _actions())[-2:] == ["operator_base_requested", "operator_base_assigned"]


async def test_an_invited_operator_sets_their_own_password_once(client, world, clock):
    hainan = await coordinator(client, "hainan@sojourn.example", world.members["hi"]["id"])
    asked = await client.post("/api/v1/alliance/operators", json=_invite(world), headers=hainan)
    boss = await admin(client)
    refused = await client.post(f"/api/v1/alliance/operator-invitations/{asked.json()['id']}/approve", headers=hainan)
    assert refused.status_code == 403
    approved = await client.post(f"/api/v1/alliance/operator-invitations/{asked.json()['id']}/approve", headers=boss)
    assert approved.status_code == 200, approved.text
    code = approved.json()["code"]
    assert code and approved.json()["status"] == "approved"
    async with db.connection() as conn:
        stored = await conn.fetchval("SELECT code_hash FROM operator_invitation")
    assert stored and code not in stored and code.replace("-", "") not in stored  # kept hashed only

    wrong = await client.post("/api/v1/auth/invitation", json={"code": "AAAA-BBBB-CCCC", "password": PASSWORD})
    assert wrong.status_code == 400
    accepted = await client.post("/api/v1/auth/invitation", json={"code": code.lower(), "password": PASSWORD})
    assert accepted.status_code == 201, accepted.text
    assert await _can_sign_in(client, DESK, PASSWORD)
    again = await client.post("/api/v1/auth/invitation", json={"code": code, "password": "another-password-1"})
    assert again.status_code == 400  # single use
    assert await _actions() == [
        "operator_invitation_requested",
        "operator_invitation_approved",
        "operator_invitation_accepted",
        "login",
    ]


async def test_an_invitation_expires(client, world, clock):
    boss = await admin(client)
    invited = await client.post("/api/v1/alliance/operators", json=_invite(world), headers=boss)
    assert invited.status_code == 201, invited.text
    code = invited.json()["code"]
    clock.set(PINNED_NOW + dt.timedelta(days=8))
    late = await client.post("/api/v1/auth/invitation", json={"code": code, "password": PASSWORD})
    assert late.status_code == 400
    assert not await _can_sign_in(client, DESK, PASSWORD)


async def test_the_pages_invite_approve_and_accept(client, world):
    import re

    from tests.web_helpers import post_form, sign_in

    await factories.account("admin@sojourn.example", role="admin", name="管理员")
    await sign_in(client, "admin@sojourn.example", factories.PASSWORD)
    made = await post_form(
        client,
        "/alliance/operators",
        {"display_name": "三亚前台", "login": DESK, "base_ids": [str(world.bases["sanya"]["id"])]},
    )
    assert made.status_code == 200, made.text[-2000:]
    code = re.search(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>", made.text)[1]
    assert "no-store" in made.headers["cache-control"]
    await client.post("/logout", data={"_csrf_token": client.cookies.get("sojourn_csrf")})
    client.cookies.clear()
    accepted = await post_form(client, "/invitation", {"code": code, "password": PASSWORD})
    assert accepted.status_code == 303, accepted.text[-2000:]
    assert await _can_sign_in(client, DESK, PASSWORD)
