"""Finding 12: the items fixed (docs/security.md says why the others stay as they are)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import httpx

from sojourn.app import create_app
from tests import factories
from tests.health_helpers import book, declaration_body, operator
from tests.operator.test_operator_tours_api import vacation_body
from tests.pinned import PINNED_NOW
from tests.web_helpers import sign_in

PHONE = "13800138000"


# --- risk level after the sharing consent is withdrawn ----------------------------------------


async def test_the_risk_level_is_hidden_once_sharing_is_withdrawn(client, world):
    booked = await book(client, world, "13800000001")
    heart = {"heart_disease": {"has": True, "controlled": False}}
    saved = await client.put(booked.path, json=declaration_body(conditions=heart), headers=booked.booker.headers)
    assert saved.status_code == 200, saved.text
    staff = await operator(client, "op@sanya.cn", world.bases["sanya"]["id"])
    [before] = (await client.get("/api/v1/operator/declarations", headers=staff)).json()["items"]
    assert before["risk"] is not None
    withdrawn = await client.post(
        f"{booked.path}/withdraw-consent", json={"purpose": "share_with_base"}, headers=booked.booker.headers
    )
    assert withdrawn.status_code == 200, withdrawn.text
    [after] = (await client.get("/api/v1/operator/declarations", headers=staff)).json()["items"]
    assert after["risk"] is None
    one = await client.get(f"/api/v1/operator/declarations/{after['declaration_id']}", headers=staff)
    assert one.status_code == 200, one.text
    one = one.json()
    assert one["risk"] is None
    by_risk = await client.get("/api/v1/operator/declarations", params={"risk": before["risk"]}, headers=staff)
    assert by_risk.json()["items"] == []  # filtering by risk must not tell it either


# --- a tour's organiser ---------------------------------------------------------------------


async def test_an_operator_cannot_name_any_member_as_organiser(client, world):
    staff = await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"])
    beijing = world.members["bj"]["id"]
    made = await client.post(
        "/api/v1/operator/tours", json=vacation_body(world, organiser_member_id=beijing), headers=staff
    )
    assert made.status_code == 422, made.text
    assert "organiser_member_id" in made.json()["field_errors"]
    own = await client.post(
        "/api/v1/operator/tours",
        json=vacation_body(world, organiser_member_id=world.members["hi"]["id"]),
        headers=staff,
    )
    assert own.status_code == 201, own.text


# --- locking someone's account with wrong passwords ---------------------------------------------


async def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(db, settings, clock):
    app = create_app(replace(settings, trusted_proxies=("127.0.0.1",)), clock=clock)
    await factories.account(PHONE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        attacker = {"X-Forwarded-For": "203.0.113.9"}
        for _ in range(6):
            await http.post("/api/v1/auth/token", json={"login": PHONE, "password": "guess-guess-1"}, headers=attacker)
        blocked = await http.post(
            "/api/v1/auth/token", json={"login": PHONE, "password": factories.PASSWORD}, headers=attacker
        )
        assert blocked.status_code == 429
        owner = await http.post(
            "/api/v1/auth/token",
            json={"login": PHONE, "password": factories.PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        assert owner.status_code == 200, owner.text


async def test_many_addresses_still_lock_a_login_until_a_reset(db, settings, clock):
    app = create_app(replace(settings, trusted_proxies=("127.0.0.1",)), clock=clock)
    await factories.account(PHONE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        for n in range(20):
            await http.post(
                "/api/v1/auth/token",
                json={"login": PHONE, "password": "guess-guess-1"},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
        locked = await http.post(
            "/api/v1/auth/token",
            json={"login": PHONE, "password": factories.PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        assert locked.status_code == 429


# --- an absolute session lifetime -----------------------------------------------------------------


async def test_a_session_ends_after_its_absolute_lifetime_even_when_used(client, clock):
    clock.set(PINNED_NOW)
    await factories.account(PHONE)
    await sign_in(client, PHONE, factories.PASSWORD)
    for day in range(1, 7):
        clock.set(PINNED_NOW + dt.timedelta(days=day))
        assert (await client.get("/account")).status_code == 200, day
    clock.set(PINNED_NOW + dt.timedelta(days=7, minutes=1))
    assert (await client.get("/account")).status_code == 401


async def test_staff_sessions_last_a_working_day(client, clock):
    clock.set(PINNED_NOW)
    await factories.account("admin@sojourn.example", role="admin")
    await sign_in(client, "admin@sojourn.example", factories.PASSWORD)
    clock.set(PINNED_NOW + dt.timedelta(hours=11))
    assert (await client.get("/account")).status_code == 200
    clock.set(PINNED_NOW + dt.timedelta(hours=12, minutes=1))
    assert (await client.get("/account")).status_code == 401
