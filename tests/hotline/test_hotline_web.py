"""The hotline desk pages: search by one box (POST, masked), consent recorded with the number the
senior gave, the senior's overview only while a consent is active, accounts opened for seniors."""

import datetime as dt

from sojourn import db
from tests import factories
from tests.web_helpers import post_form, sign_in

AGENT = "13300000001"
SENIOR = "13800138000"
BIRTH = dt.date(1955, 4, 12)


async def desk_agent(client) -> int:
    agent_id = await factories.account(AGENT, role="agent", name="热线小李")
    await sign_in(client, AGENT, factories.PASSWORD)
    return agent_id


async def senior(login: str = SENIOR, **traveller) -> tuple[int, int]:
    """A senior's account with one traveller (who has an identity number)."""
    import msgspec

    from sojourn.accounts.principal import principal_for_account
    from sojourn.config import load_settings
    from sojourn.crypto import KeyRing
    from sojourn.travellers.schemas import TravellerIn
    from sojourn.travellers.services import create_traveller

    account_id = await factories.account(login, name="王秀兰")
    settings = load_settings()
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    body = factories.traveller_body(id_number=factories.identity_number(BIRTH), **traveller)
    created = await create_traveller(
        await principal_for_account(account_id),
        msgspec.convert(body, TravellerIn),
        keyring=keyring,
        today=dt.date(2026, 12, 1),
    )
    return account_id, created.id


def consent(**extra) -> dict:
    return {"method": "phone_call", "reference": "96111-0042", "confirmed": "on", **extra}


async def search(client, query: str):
    return await post_form(client, "/hotline/search", {"query": query}, from_page="/hotline")


async def test_search_by_mobile_shows_masked_results_with_a_consent_form(client):
    await desk_agent(client)
    account_id, traveller_id = await senior()
    response = await search(client, "138 0013 8000")
    assert response.status_code == 200
    text = response.text
    assert "王**" in text and "138****8000" in text
    assert "王秀兰" not in text and "王强" not in text and "13900001111" not in text
    assert f'action="/hotline/travellers/{traveller_id}/mandate"' in text
    assert f'href="/hotline/seniors/{account_id}"' not in text  # no consent yet: no way in
    async with db.connection() as conn:
        event = await conn.fetchrow(
            "SELECT on_behalf_of_account_id, detail->>'by' AS by FROM audit_event WHERE action = 'senior_lookup'"
        )
    assert event["on_behalf_of_account_id"] == account_id and event["by"] == "phone"


async def test_search_by_identity_number_and_bad_numbers(client):
    await desk_agent(client)
    account_id, _ = await senior()
    number = factories.identity_number(BIRTH)
    found = await search(client, number)
    assert found.status_code == 200 and f'id="senior-{account_id}"' in found.text
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    bad_id = await search(client, broken)
    assert bad_id.status_code == 400 and 'id="query-error"' in bad_id.text and f'value="{broken}"' in bad_id.text
    bad_phone = await search(client, "1380013")
    assert bad_phone.status_code == 400 and 'id="query-error"' in bad_phone.text


async def test_search_that_finds_nobody_offers_to_open_an_account_with_the_number(client):
    await desk_agent(client)
    response = await search(client, "13600136000")
    assert 'action="/hotline/seniors/new"' in response.text and 'value="13600136000"' in response.text
    start = await post_form(
        client, "/hotline/seniors/new", {"step": "start", "login_phone": "13600136000"}, from_page="/hotline"
    )
    assert start.status_code == 200 and 'id="login_phone"' in start.text and 'value="13600136000"' in start.text
    assert 'id="login_phone-error"' not in start.text


async def test_agent_without_a_mandate_cannot_open_the_senior(client):
    await desk_agent(client)
    account_id, traveller_id = await senior()
    assert (await client.get(f"/hotline/seniors/{account_id}")).status_code == 404
    assert (await client.get(f"/hotline/seniors/{account_id}/travellers/new")).status_code == 404
    withdraw = await post_form(client, f"/hotline/travellers/{traveller_id}/mandate/withdraw", {}, from_page="/hotline")
    assert withdraw.status_code == 404


async def test_recording_consent_opens_the_senior_and_withdrawing_closes_it(client):
    await desk_agent(client)
    account_id, traveller_id = await senior()
    url = f"/hotline/travellers/{traveller_id}/mandate"
    recorded = await post_form(client, url, consent(senior_number=SENIOR), from_page="/hotline")
    assert recorded.status_code == 303 and recorded.headers["location"] == f"/hotline/seniors/{account_id}"
    overview = await client.get(f"/hotline/seniors/{account_id}")
    assert overview.status_code == 200
    assert "王秀兰" in overview.text and "王强" in overview.text and "96111-0042" in overview.text
    assert f'href="/tours?for={account_id}"' in overview.text
    desk = await client.get("/hotline")
    assert f'href="/hotline/seniors/{account_id}"' in desk.text  # recent consents
    withdrawn = await post_form(client, f"{url}/withdraw", {}, from_page="/hotline")
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == "/hotline"
    assert (await client.get(f"/hotline/seniors/{account_id}")).status_code == 404
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT action FROM audit_event WHERE on_behalf_of_account_id = $1 ORDER BY id", account_id
        )
    actions = [row["action"] for row in rows]
    assert actions == ["mandate_recorded", "senior_viewed", "mandate_withdrawn"]


async def test_consent_form_errors_are_explained_and_nothing_is_recorded(client):
    await desk_agent(client)
    _, traveller_id = await senior()
    url = f"/hotline/travellers/{traveller_id}/mandate"
    response = await post_form(
        client, url, {"method": "phone_call", "reference": "", "senior_number": SENIOR}, from_page="/hotline"
    )
    assert response.status_code == 400
    assert 'id="reference-error"' in response.text and 'id="confirmed-error"' in response.text
    assert f'name="senior_number" value="{SENIOR}"' in response.text
    wrong_number = await post_form(client, url, consent(senior_number="13900139000"), from_page="/hotline")
    assert wrong_number.status_code == 404
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM agent_mandate") == 0


async def test_agent_opens_an_account_for_a_senior_and_lands_on_the_overview(client):
    agent_id = await desk_agent(client)
    number = factories.identity_number(BIRTH)
    data = {
        "login_phone": "136 0013 6000",
        "name": "李桂英",
        "birth_date": "1955-04-12",
        "gender": "female",
        "home_province_code": "230000",
        "id_number": number,
        "emergency_name": "李强",
        "emergency_phone": "13900001111",
        "emergency_relation": "儿子",
        **consent(),
    }
    response = await post_form(client, "/hotline/seniors/new", data, from_page="/hotline/seniors/new")
    assert response.status_code == 303, response.text[:2000]
    overview = await client.get(response.headers["location"])
    assert overview.status_code == 200 and "李桂英" in overview.text and number not in overview.text
    async with db.connection() as conn:
        account = await conn.fetchrow("SELECT id, role, phone FROM account WHERE phone = '13600136000'")
        traveller = await conn.fetchrow(
            "SELECT phone, is_account_holder FROM traveller WHERE account = $1", account["id"]
        )
        created = await conn.fetchrow(
            "SELECT actor_id, on_behalf_of_account_id FROM audit_event WHERE action = 'senior_account_created'"
        )
    assert account["role"] == "traveller"
    assert traveller["phone"] == "13600136000" and traveller["is_account_holder"] is True
    assert created["actor_id"] == agent_id and created["on_behalf_of_account_id"] == account["id"]


async def test_opening_an_account_keeps_what_was_typed_when_something_is_wrong(client):
    await desk_agent(client)
    await senior()
    data = {
        "login_phone": SENIOR,
        "name": "李桂英",
        "birth_date": "1955-04-12",
        "home_province_code": "230000",
        "emergency_name": "李强",
        "emergency_phone": "13900001111",
        "emergency_relation": "儿子",
        **consent(),
    }
    taken = await post_form(client, "/hotline/seniors/new", data, from_page="/hotline/seniors/new")
    assert taken.status_code == 400 and 'id="login_phone-error"' in taken.text and 'value="李桂英"' in taken.text
    bad = await post_form(
        client,
        "/hotline/seniors/new",
        {**data, "login_phone": "1360013", "emergency_phone": "", "confirmed": ""},
        from_page="/hotline/seniors/new",
    )
    assert bad.status_code == 400
    for field in ("login_phone", "emergency_phone", "confirmed"):
        assert f'id="{field}-error"' in bad.text, field
    assert 'value="1360013"' in bad.text and 'value="96111-0042"' in bad.text
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM account") == 2  # the agent and the existing senior


async def test_agent_adds_a_family_member_to_a_served_senior(client):
    await desk_agent(client)
    account_id, traveller_id = await senior()
    await post_form(
        client, f"/hotline/travellers/{traveller_id}/mandate", consent(senior_number=SENIOR), from_page="/hotline"
    )
    url = f"/hotline/seniors/{account_id}/travellers/new"
    page = await client.get(url, params={"next": "/tours/3/book"})
    assert page.status_code == 200 and 'name="next" value="/tours/3/book"' in page.text
    data = {
        "name": "王建军",
        "birth_date": "1953-02-02",
        "home_province_code": "230000",
        "emergency_name": "王强",
        "emergency_phone": "13900001111",
        "emergency_relation": "儿子",
        "next": "/tours/3/book",
        **consent(),
    }
    response = await post_form(client, url, data, from_page=url)
    assert response.status_code == 303 and response.headers["location"] == "/tours/3/book"
    async with db.connection() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM agent_mandate m JOIN traveller t ON t.id = m.traveller WHERE t.account = $1 AND m.withdrawn_at IS NULL",
                account_id,
            )
            == 2
        )


async def test_the_desk_is_for_agents(client):
    assert (await client.get("/hotline")).status_code == 401
    await factories.account(SENIOR)
    await sign_in(client, SENIOR, factories.PASSWORD)
    assert (await client.get("/hotline")).status_code == 403
