"""The account holder's rights: a copy of everything held, and closing the account."""

from __future__ import annotations

from sojourn import db
from tests import factories
from tests.health_helpers import book, declaration_body
from tests.web_helpers import post_form, sign_in

ME = "13800000001"


async def _booked_and_declared(client, world):
    booked = await book(client, world, ME)
    saved = await client.put(booked.path, json=declaration_body(allergies="青霉素"), headers=booked.booker.headers)
    assert saved.status_code == 200, saved.text
    return booked


async def test_the_export_holds_everything_about_the_account(client, world):
    booked = await _booked_and_declared(client, world)
    response = await client.get("/api/v1/me/export", headers=booked.booker.headers)
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]
    data = response.json()
    assert data["account"]["phone"] == ME
    assert [t["id"] for t in data["travellers"]] == [booked.traveller_id]
    assert [b["id"] for b in data["bookings"]] == [booked.booking_id]
    [declaration] = data["health_declarations"]
    assert declaration["answers"]["allergies"] == "青霉素"
    assert data["consents"] and data["access_log"]
    assert "password_hash" not in response.text and "_digest" not in response.text and "_cipher" not in response.text
    others = await client.get("/api/v1/me/export")
    assert others.status_code == 401


async def test_the_account_page_offers_a_readable_file(client, world):
    await _booked_and_declared(client, world)
    await sign_in(client, ME, factories.PASSWORD)
    page = await client.get("/account")
    assert 'href="/account/export"' in page.text
    file = await client.get("/account/export")
    assert file.status_code == 200 and file.headers["content-type"].startswith("text/plain")
    assert "attachment" in file.headers["content-disposition"]
    assert "健康申报" in file.text and "青霉素" in file.text


async def test_closing_the_account_erases_personal_data_and_keeps_bookings(client, world, clock):
    booked = await _booked_and_declared(client, world)
    headers = booked.booker.headers
    still_open = await client.request("DELETE", "/api/v1/me", json={"password": factories.PASSWORD}, headers=headers)
    assert still_open.status_code == 409 and still_open.json()["code"] == "open_bookings"
    cancelled = await client.post(
        f"/api/v1/bookings/{booked.booking_id}/cancel", json={"reason": "不去了"}, headers=headers
    )
    assert cancelled.status_code == 200, cancelled.text
    wrong = await client.request("DELETE", "/api/v1/me", json={"password": "not-my-password"}, headers=headers)
    assert wrong.status_code == 422
    closed = await client.request("DELETE", "/api/v1/me", json={"password": factories.PASSWORD}, headers=headers)
    assert closed.status_code == 202, closed.text
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert (
        await client.post("/api/v1/auth/token", json={"login": ME, "password": factories.PASSWORD})
    ).status_code == 401
    async with db.connection() as conn:
        account = await conn.fetchrow("SELECT * FROM account WHERE id = (SELECT account FROM booking LIMIT 1)")
        traveller = await conn.fetchrow("SELECT * FROM traveller WHERE id = $1", booked.traveller_id)
        declaration = await conn.fetchrow("SELECT * FROM health_declaration WHERE booking = $1", booked.booking_id)
        booking = await conn.fetchrow("SELECT * FROM booking WHERE id = $1", booked.booking_id)
        actions = [r["action"] for r in await conn.fetch("SELECT action FROM audit_event ORDER BY id")]
    assert account["phone"] is None and account["display_name"] == "已注销" and account["status"] == "disabled"
    assert traveller["name"] == "已注销" and traveller["phone"] is None and traveller["emergency_phone"] == ""
    assert traveller["id_number_cipher"] is None and traveller["birth_date"].month == 1
    assert declaration["content_cipher"] is None and declaration["status"] == "shredded"
    assert booking["total_fen"] > 0 and booking["status"] == "cancelled"  # kept for accounting
    assert "account_closed" in actions
    again = await client.post("/api/v1/auth/token", json={"login": ME, "password": factories.PASSWORD})
    assert again.status_code == 401


async def test_staff_accounts_are_not_closed_by_themselves(client, world):
    await factories.account("ops@sanya.cn", role="operator", base_ids=(world.bases["sanya"]["id"],))
    staff = await factories.bearer(client, "ops@sanya.cn")
    refused = await client.request("DELETE", "/api/v1/me", json={"password": factories.PASSWORD}, headers=staff)
    assert refused.status_code == 403


async def test_the_page_closes_the_account(client, world):
    await factories.account(ME)
    await sign_in(client, ME, factories.PASSWORD)
    closed = await post_form(client, "/account/close", {"password": factories.PASSWORD}, from_page="/account")
    assert closed.status_code == 303 and closed.headers["location"] == "/"
    assert (await client.get("/account")).status_code == 401
