"""Account recovery and the registration code: one-time codes sent through the configured
channel (here the development sink, read from the log), hashed, few tries, never telling
whether an account exists."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest

from sojourn import db
from tests import factories
from tests.pinned import PINNED_NOW
from tests.web_helpers import post_form

PHONE = "13800138000"
NEW = "a-new-sunny-day-9"


@pytest.fixture
def sent(caplog):
    """The messages the sink channel delivered, newest last."""
    caplog.set_level(logging.INFO, logger="sojourn.notifications.sink")

    def messages() -> list[dict]:
        return [
            json.loads(r.getMessage().split(" ", 1)[1])
            for r in caplog.records
            if r.name == "sojourn.notifications.sink"
        ]

    return messages


def code_in(message: dict) -> str:
    return re.search(r"\b(\d{6})\b", message["body"])[1]


async def test_a_reset_code_sets_a_new_password_once(client, clock, sent):
    clock.set(PINNED_NOW)
    await factories.account(PHONE)
    old_token = await factories.bearer(client, PHONE)
    asked = await client.post("/api/v1/auth/reset-code", json={"login": PHONE})
    assert asked.status_code == 202
    [message] = sent()
    assert message["to"] == PHONE
    code = code_in(message)
    async with db.connection() as conn:
        stored = await conn.fetchval("SELECT code_hash FROM one_time_code")
    assert code not in stored
    wrong = await client.post("/api/v1/auth/reset", json={"login": PHONE, "code": "000000", "new_password": NEW})
    assert wrong.status_code == 400
    done = await client.post("/api/v1/auth/reset", json={"login": PHONE, "code": code, "new_password": NEW})
    assert done.status_code == 200, done.text
    assert (await client.get("/api/v1/me", headers=old_token)).status_code == 401  # every token revoked
    assert (await client.post("/api/v1/auth/token", json={"login": PHONE, "password": NEW})).status_code == 200
    again = await client.post(
        "/api/v1/auth/reset", json={"login": PHONE, "code": code, "new_password": "other-pass-77"}
    )
    assert again.status_code == 400


async def test_asking_for_a_code_never_tells_whether_the_account_exists(client, clock, sent):
    clock.set(PINNED_NOW)
    await factories.account(PHONE)
    known = await client.post("/api/v1/auth/reset-code", json={"login": PHONE})
    unknown = await client.post("/api/v1/auth/reset-code", json={"login": "13900000000"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m["to"] for m in sent()] == [PHONE]


async def test_a_code_expires_and_dies_after_five_wrong_tries(client, clock, sent):
    clock.set(PINNED_NOW)
    await factories.account(PHONE)
    await client.post("/api/v1/auth/reset-code", json={"login": PHONE})
    code = code_in(sent()[-1])
    clock.set(PINNED_NOW + dt.timedelta(minutes=11))
    late = await client.post("/api/v1/auth/reset", json={"login": PHONE, "code": code, "new_password": NEW})
    assert late.status_code == 400
    clock.set(PINNED_NOW + dt.timedelta(minutes=20))
    await client.post("/api/v1/auth/reset-code", json={"login": PHONE})
    code = code_in(sent()[-1])
    for guess in ("111111", "222222", "333333", "444444", "555555"):
        response = await client.post("/api/v1/auth/reset", json={"login": PHONE, "code": guess, "new_password": NEW})
        assert response.status_code == 400
    dead = await client.post("/api/v1/auth/reset", json={"login": PHONE, "code": code, "new_password": NEW})
    assert dead.status_code == 400


async def test_a_phone_gets_at_most_three_codes_an_hour(client, clock, sent):
    clock.set(PINNED_NOW)
    await factories.account(PHONE)
    for _ in range(5):
        assert (await client.post("/api/v1/auth/reset-code", json={"login": PHONE})).status_code == 202
    assert len(sent()) == 3


async def test_a_reset_lifts_the_sign_in_lock_out(client, clock, sent):
    clock.set(PINNED_NOW)
    await factories.account(PHONE)
    for _ in range(5):
        await client.post("/api/v1/auth/token", json={"login": PHONE, "password": "wrong-password-1"})
    locked = await client.post("/api/v1/auth/token", json={"login": PHONE, "password": factories.PASSWORD})
    assert locked.status_code == 429
    await client.post("/api/v1/auth/reset-code", json={"login": PHONE})
    reset = await client.post(
        "/api/v1/auth/reset", json={"login": PHONE, "code": code_in(sent()[-1]), "new_password": NEW}
    )
    assert reset.status_code == 200
    assert (await client.post("/api/v1/auth/token", json={"login": PHONE, "password": NEW})).status_code == 200


async def test_the_forgotten_password_pages(client, clock, sent):
    clock.set(PINNED_NOW)
    await factories.account(PHONE)
    asked = await post_form(client, "/password/forgot", {"login": PHONE})
    assert asked.status_code == 200 and 'name="code"' in asked.text
    wrong = await post_form(
        client, "/password/reset", {"login": PHONE, "code": "000000", "new_password": NEW}, from_page="/password/forgot"
    )
    assert wrong.status_code == 400 and 'id="code-error"' in wrong.text
    done = await post_form(
        client,
        "/password/reset",
        {"login": PHONE, "code": code_in(sent()[-1]), "new_password": NEW},
        from_page="/password/forgot",
    )
    assert done.status_code == 303 and done.headers["location"] == "/login"


async def test_registration_needs_the_code_sent_to_the_number(client, clock, sent):
    clock.set(PINNED_NOW)
    step1 = await post_form(
        client, "/register/code", {"display_name": "李阿姨", "phone": "139 0000 1234"}, from_page="/register"
    )
    assert step1.status_code == 200 and 'name="code"' in step1.text
    code = code_in(sent()[-1])
    body = {"display_name": "李阿姨", "phone": "13900001234", "password": "sunny-day-2026"}
    wrong = await post_form(client, "/register", {**body, "code": "000000"}, from_page="/register")
    assert wrong.status_code == 400 and 'id="code-error"' in wrong.text
    good = await post_form(client, "/register", {**body, "code": code}, from_page="/register")
    assert good.status_code == 303, good.text[-1500:]
    assert (await client.get("/account")).status_code == 200


async def test_registration_does_not_tell_that_a_number_has_an_account(client, clock, sent):
    clock.set(PINNED_NOW)
    await factories.account(PHONE)
    taken = await post_form(client, "/register/code", {"display_name": "王阿姨", "phone": PHONE}, from_page="/register")
    free = await post_form(
        client, "/register/code", {"display_name": "王阿姨", "phone": "13900001234"}, from_page="/register"
    )
    assert taken.status_code == free.status_code == 200
    strip = lambda text: re.sub(r'value="[^"]*"|\d{11}|139 ?0000 ?1234', "", text)  # noqa: E731
    assert strip(taken.text) == strip(free.text)
    to_taken = [m for m in sent() if m["to"] == PHONE][0]
    assert not re.search(r"\b\d{6}\b", to_taken["body"])  # told to sign in instead, no code
