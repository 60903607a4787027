"""Signing in on the website: sessions, CSRF, throttling, sign-out, password changes."""

from sojourn import db
from tests import factories
from tests.web_helpers import csrf_token, post_form, sign_in

SESSION = "sojourn_session"


async def test_sign_in_renews_the_session_id(client):
    await factories.account("13800138000")
    await client.get("/login")
    await client.post("/preferences/elder-mode", data={"elder_mode": "on", "_csrf_token": await csrf_token(client)})
    before = client.cookies.get(SESSION)
    await sign_in(client, "13800138000", factories.PASSWORD)
    after = client.cookies.get(SESSION)
    assert after and after != before
    account = await client.get("/account")
    assert account.status_code == 200 and "测试用户" in account.text


async def test_a_form_post_without_the_csrf_token_is_refused(client):
    await factories.account("13800138000")
    await client.get("/login")
    response = await client.post("/login", data={"login": "13800138000", "password": factories.PASSWORD})
    assert response.status_code == 403
    assert client.cookies.get(SESSION) is None
    forged = await client.post(
        "/login", data={"login": "13800138000", "password": factories.PASSWORD, "_csrf_token": "forged"}
    )
    assert forged.status_code == 403


async def test_wrong_password_shows_the_form_again_without_the_password(client):
    await factories.account("13800138000")
    response = await post_form(client, "/login", {"login": "13800138000", "password": "wrong-one-1"})
    assert response.status_code == 401
    assert 'value="13800138000"' in response.text
    assert "wrong-one-1" not in response.text
    assert 'aria-invalid="true"' in response.text


async def test_sign_in_is_throttled_per_login(client):
    await factories.account("13800138000")
    statuses = []
    for _ in range(6):
        response = await post_form(client, "/login", {"login": "13800138000", "password": "wrong-one-1"})
        statuses.append(response.status_code)
    assert statuses[:5] == [401] * 5 and statuses[5] == 429


async def test_sign_out_ends_the_session_on_the_server(client):
    await factories.account("13800138000")
    await sign_in(client, "13800138000", factories.PASSWORD)
    old_session = client.cookies.get(SESSION)
    response = await post_form(client, "/logout", {}, from_page="/account")
    assert response.status_code == 303
    client.cookies.set(SESSION, old_session)  # replaying the old cookie must not work
    assert (await client.get("/account")).status_code == 401


async def test_changing_the_password_signs_out_other_sessions(app, client):
    import httpx

    await factories.account("13800138000")
    await sign_in(client, "13800138000", factories.PASSWORD)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        await sign_in(other, "13800138000", factories.PASSWORD)
        changed = await post_form(
            client,
            "/account/password",
            {"current_password": factories.PASSWORD, "new_password": "a-new-sunny-day-9"},
            from_page="/account",
        )
        assert changed.status_code == 303
        assert (await client.get("/account")).status_code == 200
        assert (await other.get("/account")).status_code == 401


async def test_registration_validates_the_mobile_number_and_signs_in(client, caplog):
    """Step 1 sends a code to the number (tests/security/test_account_recovery.py has more)."""
    import json
    import logging
    import re

    caplog.set_level(logging.INFO, logger="sojourn.notifications.sink")
    bad = await post_form(client, "/register/code", {"display_name": "李阿姨", "phone": "12345"}, from_page="/register")
    assert bad.status_code == 400 and 'id="phone-error"' in bad.text
    asked = await post_form(
        client, "/register/code", {"display_name": "李阿姨", "phone": "139 0000 1234"}, from_page="/register"
    )
    assert asked.status_code == 200
    [record] = [r for r in caplog.records if r.name == "sojourn.notifications.sink"]
    code = re.search(r"\b(\d{6})\b", json.loads(record.getMessage().split(" ", 1)[1])["body"])[1]
    good = await post_form(
        client,
        "/register",
        {"display_name": "李阿姨", "phone": "139 0000 1234", "code": code, "password": "sunny-day-2026"},
        from_page="/register",
    )
    assert good.status_code == 303
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT phone FROM account") == "13900001234"
    assert (await client.get("/account")).status_code == 200


async def test_registration_names_every_problem_at_once(client):
    import re

    empty = await post_form(client, "/register/code", {}, from_page="/register")
    assert empty.status_code == 400
    assert 'id="display_name-error"' in empty.text and 'id="phone-error"' in empty.text
    nameless = await post_form(client, "/register/code", {"phone": "12345"}, from_page="/register")
    assert 'id="display_name-error"' in nameless.text and 'id="phone-error"' in nameless.text
    assert "11 位" in nameless.text or "11位" in nameless.text
    step_two = await post_form(
        client, "/register", {"phone": "12345", "code": "", "password": "short"}, from_page="/register"
    )
    assert step_two.status_code == 400
    for field in ("display_name", "phone", "code", "password"):
        assert f'id="{field}-error"' in step_two.text, field
    summary = re.search(r'<div class="error-summary".*?</div>', step_two.text, re.S)[0]
    assert summary.count("<li>") == 4  # each problem once, in the summary at the top
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM account") == 0


async def test_language_switch_is_remembered(client):
    switched = await post_form(client, "/preferences/language", {"locale": "en"}, from_page="/login")
    assert switched.status_code == 303
    page = await client.get("/")
    assert 'lang="en"' in page.text and "Find a stay" in page.text


async def test_session_cookie_is_http_only_and_same_site(client):
    await factories.account("13800138000")
    response = await sign_in(client, "13800138000", factories.PASSWORD)
    cookie = [
        value for name, value in response.headers.multi_items() if name == "set-cookie" and value.startswith(SESSION)
    ]
    assert cookie and "HttpOnly" in cookie[0] and "samesite=lax" in cookie[0].lower()


async def test_anonymous_pages_create_no_session(client):
    response = await client.get("/login")
    assert response.status_code == 200
    assert client.cookies.get(SESSION) is None


async def test_each_role_lands_where_its_work_is_after_signing_in(client):
    homes = {
        "traveller": "/",
        "agent": "/hotline",  # the hotline desk
        "operator": "/operator",  # the base dashboard
        "coordinator": "/alliance",  # the statistics
        "admin": "/alliance/members",  # alliance administration
    }
    for number, (role, home) in enumerate(homes.items()):
        login = f"1380013800{number}"
        await factories.account(login, role=role)
        response = await sign_in(client, login, factories.PASSWORD)
        assert response.headers["location"] == home, role
        landed = await client.get(home)
        assert landed.status_code == 200, (role, landed.text[:300])
        await post_form(client, "/logout", {}, from_page="/account")


async def test_a_safe_next_wins_over_the_role_home_and_an_unsafe_one_does_not(client):
    await factories.account("13800138001", role="agent")
    response = await post_form(
        client, "/login?next=/tours", {"login": "13800138001", "password": factories.PASSWORD, "next": "/tours"}
    )
    assert response.headers["location"] == "/tours"
    await post_form(client, "/logout", {}, from_page="/account")
    response = await post_form(
        client, "/login", {"login": "13800138001", "password": factories.PASSWORD, "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/hotline"
    # Already signed in: the sign-in page sends the agent to the desk too.
    again = await client.get("/login")
    assert again.status_code in (302, 303, 307) and again.headers["location"] == "/hotline"
