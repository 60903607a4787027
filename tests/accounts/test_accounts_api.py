"""Signing in for the API: tokens, wrong passwords, throttling, revocation, expiry."""

from sojourn.accounts.services import MAX_FAILURES
from tests import factories


async def test_token_signs_in_by_phone_and_shows_who_you_are(client):
    await factories.account("13800138000", name="李阿姨")
    headers = await factories.bearer(client, "138 0013 8000")
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["display_name"] == "李阿姨" and me.json()["role"] == "traveller"


async def test_email_login_ignores_case(client):
    await factories.account("Zhang.Wei@Example.com")
    assert await factories.bearer(client, "zhang.wei@example.COM")


async def test_wrong_password_is_401_problem_in_english_or_chinese(client):
    await factories.account("13800138000")
    body = {"login": "13800138000", "password": "not-the-password"}
    english = await client.post("/api/v1/auth/token", json=body, headers={"Accept-Language": "en"})
    assert english.status_code == 401
    assert english.headers["content-type"].startswith("application/problem+json")
    assert "password" in english.json()["detail"]
    chinese = await client.post("/api/v1/auth/token", json=body)
    assert "密码" in chinese.json()["detail"]


async def test_unknown_login_and_wrong_password_answer_the_same(client):
    await factories.account("13800138000")
    known = await client.post("/api/v1/auth/token", json={"login": "13800138000", "password": "wrong-pass-1"})
    unknown = await client.post("/api/v1/auth/token", json={"login": "13900000000", "password": "wrong-pass-1"})
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()


async def test_login_is_locked_after_repeated_failures_even_with_the_right_password(client):
    await factories.account("13800138000")
    for _ in range(MAX_FAILURES):
        wrong = await client.post("/api/v1/auth/token", json={"login": "13800138000", "password": "wrong-pass-1"})
        assert wrong.status_code == 401
    locked = await client.post("/api/v1/auth/token", json={"login": "13800138000", "password": factories.PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0


async def test_sign_in_is_rate_limited_per_address(client):
    responses = [
        await client.post("/api/v1/auth/token", json={"login": f"1390000{i:04d}", "password": "whatever1"})
        for i in range(12)
    ]
    assert [r.status_code for r in responses[:10]] == [401] * 10
    assert responses[-1].status_code == 429
    assert "retry-after" in responses[-1].headers


async def test_revoked_token_stops_working(client):
    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    assert (await client.delete("/api/v1/auth/token", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_token_expires_after_twelve_hours(client, clock):
    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    clock.advance(hours=11, minutes=59)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    clock.advance(minutes=2)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_malformed_authorization_header_is_401(client):
    response = await client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_tokens_are_stored_only_as_hashes(client):
    from sojourn import db

    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    token = headers["Authorization"].split()[1]
    async with db.connection() as conn:
        stored = await conn.fetchval("SELECT token_hash FROM api_token")
    assert stored != token and token not in stored and len(stored) == 64
