"""The hotline API: masked look-ups, accounts opened for seniors, consent recorded and withdrawn,
and an agent's access that exists exactly while a consent is active. Everything audited."""

import datetime as dt

from sojourn import db
from tests import booking_helpers, factories

AGENT = "13300000001"
SENIOR = "13800138000"
BIRTH = dt.date(1955, 4, 12)


async def agent(client, login: str = AGENT) -> dict[str, str]:
    await factories.account(login, role="agent", name="热线小李")
    return await factories.bearer(client, login)


async def senior_with_traveller(client, login: str = SENIOR, **extra) -> tuple[dict[str, str], int]:
    await factories.account(login, name="王秀兰")
    headers = await factories.bearer(client, login)
    body = factories.traveller_body(id_number=factories.identity_number(BIRTH), **extra)
    created = await client.post("/api/v1/travellers", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return headers, created.json()["id"]


async def audit_rows(action: str) -> list[dict]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT actor_id, actor_role, on_behalf_of_account_id, object_id, detail::text AS detail "
            "FROM audit_event WHERE action = $1 ORDER BY id",
            action,
        )
    return [dict(row) for row in rows]


async def account_id_of(login: str) -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT id FROM account WHERE phone = $1", login)


def mandate_body(**extra) -> dict:
    return {"method": "phone_call", "reference": "96111-20261201-0042", **extra}


async def test_lookup_by_account_phone_shows_only_masked_details_and_is_audited(client):
    headers = await agent(client)
    _, traveller_id = await senior_with_traveller(client)
    response = await client.post("/api/v1/agent/seniors/search", json={"phone": SENIOR}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1
    match = body["items"][0]
    assert match["display_name_masked"] == "王**"
    assert match["phone_masked"] == "138****8000"
    assert match["mandate_active"] is False
    traveller = match["travellers"][0]
    assert traveller["id"] == traveller_id and traveller["name_masked"] == "王**"
    assert traveller["id_number_masked"].count("*") == 10
    text = response.text
    assert "王秀兰" not in text and SENIOR not in text and factories.identity_number(BIRTH) not in text
    assert "王强" not in text and "13900001111" not in text  # the emergency contact stays hidden
    [event] = await audit_rows("senior_lookup")
    assert event["actor_role"] == "agent"
    assert event["on_behalf_of_account_id"] == await account_id_of(SENIOR)
    assert SENIOR not in event["detail"]


async def test_lookup_by_a_travellers_own_phone_finds_the_family_account(client):
    headers = await agent(client)
    await senior_with_traveller(client, phone="13700137000")
    response = await client.post("/api/v1/agent/seniors/search", json={"phone": "13700137000"}, headers=headers)
    [match] = response.json()["items"]
    assert match["account_id"] == await account_id_of(SENIOR)
    assert match["travellers"][0]["matched"] is True
    assert match["travellers"][0]["phone_masked"] == "137****7000"


async def test_lookup_by_identity_number_uses_the_digest(client):
    headers = await agent(client)
    await senior_with_traveller(client)
    number = factories.identity_number(BIRTH)
    response = await client.post("/api/v1/agent/seniors/search", json={"id_number": number.lower()}, headers=headers)
    assert response.status_code == 200
    assert [m["account_id"] for m in response.json()["items"]] == [await account_id_of(SENIOR)]
    other = factories.identity_number(dt.date(1950, 1, 1))
    nobody = await client.post("/api/v1/agent/seniors/search", json={"id_number": other}, headers=headers)
    assert nobody.json() == {"items": [], "total": 0}
    events = await audit_rows("senior_lookup")
    assert len(events) == 2 and events[1]["on_behalf_of_account_id"] is None
    assert '"by": "id_number"' in events[0]["detail"] and number not in events[0]["detail"]


async def test_lookup_refuses_bad_numbers_and_needs_exactly_one(client):
    headers = {**await agent(client), "Accept-Language": "en"}
    bad_phone = await client.post("/api/v1/agent/seniors/search", json={"phone": "1380013800"}, headers=headers)
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()["field_errors"]
    number = factories.identity_number(BIRTH)
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    bad_id = await client.post("/api/v1/agent/seniors/search", json={"id_number": broken}, headers=headers)
    assert bad_id.status_code == 422 and bad_id.json()["code"] == "bad_id_number"
    assert "identity number" in bad_id.json()["field_errors"]["id_number"]
    neither = await client.post("/api/v1/agent/seniors/search", json={}, headers=headers)
    assert neither.status_code == 422 and neither.json()["code"] == "lookup_key_missing"
    both = await client.post(
        "/api/v1/agent/seniors/search", json={"phone": SENIOR, "id_number": number}, headers=headers
    )
    assert both.status_code == 422
    assert await audit_rows("senior_lookup") == []


async def test_only_agents_and_admins_use_the_hotline_api(client):
    traveller_headers, traveller_id = await senior_with_traveller(client)
    assert (
        await client.post("/api/v1/agent/seniors/search", json={"phone": SENIOR}, headers=traveller_headers)
    ).status_code == 403
    refused = await client.post(
        f"/api/v1/agent/travellers/{traveller_id}/mandate",
        json=mandate_body(senior_phone=SENIOR),
        headers=traveller_headers,
    )
    assert refused.status_code == 403
    assert (await client.post("/api/v1/agent/seniors/search", json={"phone": SENIOR})).status_code == 401
    await factories.account("13500000009", role="admin")
    admin = await factories.bearer(client, "13500000009")
    assert (await client.post("/api/v1/agent/seniors/search", json={"phone": SENIOR}, headers=admin)).status_code == 200


async def test_agent_without_a_mandate_gets_404_for_the_traveller_and_the_senior(client):
    headers = await agent(client)
    _, traveller_id = await senior_with_traveller(client)
    assert (await client.get(f"/api/v1/travellers/{traveller_id}", headers=headers)).status_code == 404
    account_id = await account_id_of(SENIOR)
    assert (await client.get(f"/api/v1/agent/seniors/{account_id}", headers=headers)).status_code == 404
    assert (await client.get("/api/v1/travellers", headers=headers)).json()["total"] == 0
    withdraw = await client.post(f"/api/v1/agent/travellers/{traveller_id}/mandate/withdraw", headers=headers)
    assert withdraw.status_code == 404


async def test_mandate_gives_access_and_withdrawing_it_takes_access_away(client):
    headers = await agent(client)
    _, traveller_id = await senior_with_traveller(client)
    account_id = await account_id_of(SENIOR)
    recorded = await client.post(
        f"/api/v1/agent/travellers/{traveller_id}/mandate", json=mandate_body(senior_phone=SENIOR), headers=headers
    )
    assert recorded.status_code == 201, recorded.text
    mandate = recorded.json()
    assert mandate["active"] is True and mandate["method"] == "phone_call"
    assert mandate["reference"] == "96111-20261201-0042" and mandate["account_id"] == account_id
    seen = await client.get(f"/api/v1/travellers/{traveller_id}", headers=headers)
    assert seen.status_code == 200 and seen.json()["name"] == "王秀兰"
    overview = await client.get(f"/api/v1/agent/seniors/{account_id}", headers=headers)
    assert overview.status_code == 200
    assert [t["id"] for t in overview.json()["travellers"]] == [traveller_id]
    assert overview.json()["book_url"] == f"/tours?for={account_id}"

    again = await client.post(
        f"/api/v1/agent/travellers/{traveller_id}/mandate", json=mandate_body(senior_phone=SENIOR), headers=headers
    )
    assert again.status_code == 409 and again.json()["code"] == "mandate_active"

    withdrawn = await client.post(f"/api/v1/agent/travellers/{traveller_id}/mandate/withdraw", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"] is not None
    assert (await client.get(f"/api/v1/travellers/{traveller_id}", headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/agent/seniors/{account_id}", headers=headers)).status_code == 404

    [recorded_event] = await audit_rows("mandate_recorded")
    [withdrawn_event] = await audit_rows("mandate_withdrawn")
    for event in (recorded_event, withdrawn_event):
        assert event["on_behalf_of_account_id"] == account_id and event["actor_role"] == "agent"


async def test_mandate_needs_the_number_the_senior_gave(client):
    headers = await agent(client)
    _, traveller_id = await senior_with_traveller(client)
    without = await client.post(
        f"/api/v1/agent/travellers/{traveller_id}/mandate", json=mandate_body(), headers=headers
    )
    assert without.status_code == 404
    wrong = await client.post(
        f"/api/v1/agent/travellers/{traveller_id}/mandate",
        json=mandate_body(senior_phone="13900139000"),
        headers=headers,
    )
    assert wrong.status_code == 404
    missing = await client.post(
        "/api/v1/agent/travellers/999999/mandate", json=mandate_body(senior_phone=SENIOR), headers=headers
    )
    assert missing.status_code == 404
    by_id = await client.post(
        f"/api/v1/agent/travellers/{traveller_id}/mandate",
        json=mandate_body(method="written", senior_id_number=factories.identity_number(BIRTH)),
        headers=headers,
    )
    assert by_id.status_code == 201
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM agent_mandate") == 1


async def test_mandate_body_is_checked(client):
    headers = await agent(client)
    _, traveller_id = await senior_with_traveller(client)
    url = f"/api/v1/agent/travellers/{traveller_id}/mandate"
    no_reference = await client.post(url, json={"method": "phone_call", "senior_phone": SENIOR}, headers=headers)
    assert no_reference.status_code == 400 and "reference" in no_reference.json()["field_errors"]
    bad_method = await client.post(url, json=mandate_body(method="telepathy", senior_phone=SENIOR), headers=headers)
    assert bad_method.status_code == 400 and "method" in bad_method.json()["field_errors"]
    too_long = await client.post(url, json=mandate_body(reference="x" * 61, senior_phone=SENIOR), headers=headers)
    assert too_long.status_code == 400
    unknown = await client.post(url, json=mandate_body(senior_phone=SENIOR, note="hi"), headers=headers)
    assert unknown.status_code == 400


async def test_agent_opens_an_account_for_a_senior_with_travellers_and_consent(client):
    headers = await agent(client)
    number = factories.identity_number(BIRTH)
    body = {
        "phone": "13600136000",
        "travellers": [
            factories.traveller_body(name="李桂英", id_number=number),
            factories.traveller_body(name="李建国", birth=dt.date(1952, 8, 1)),
        ],
        "mandate": {"method": "phone_call", "reference": "96111-0007"},
    }
    response = await client.post("/api/v1/agent/seniors", json=body, headers=headers)
    assert response.status_code == 201, response.text
    overview = response.json()
    assert overview["display_name"] == "李桂英"
    assert [t["name"] for t in overview["travellers"]] == ["李桂英", "李建国"]
    assert overview["travellers"][0]["is_account_holder"] is True
    assert len(overview["consents"]) == 2 and all(c["withdrawn_at"] is None for c in overview["consents"])
    account_id = overview["account_id"]
    async with db.connection() as conn:
        account = await conn.fetchrow("SELECT role, phone, password_hash FROM account WHERE id = $1", account_id)
    assert account["role"] == "traveller" and account["phone"] == "13600136000"
    assert account["password_hash"].startswith("$argon2id$")
    [created] = await audit_rows("senior_account_created")
    agent_id = await account_id_of(AGENT)
    assert created["actor_id"] == agent_id and created["on_behalf_of_account_id"] == account_id
    assert len(await audit_rows("mandate_recorded")) == 2
    # The senior cannot sign in with a password nobody knows (no password comes back either).
    assert "password" not in response.text
    signin = await client.post("/api/v1/auth/token", json={"login": "13600136000", "password": factories.PASSWORD})
    assert signin.status_code == 401


async def test_opening_an_account_refuses_a_taken_number_and_bad_travellers_without_writing(client):
    headers = {**await agent(client), "Accept-Language": "en"}
    await senior_with_traveller(client)
    body = {
        "phone": SENIOR,
        "travellers": [factories.traveller_body()],
        "mandate": {"reference": "96111-0008"},
    }
    taken = await client.post("/api/v1/agent/seniors", json=body, headers=headers)
    assert taken.status_code == 409 and taken.json()["code"] == "login_taken"
    number = factories.identity_number(dt.date(1960, 1, 1))  # disagrees with the birth date
    bad = await client.post(
        "/api/v1/agent/seniors",
        json={**body, "phone": "13600136000", "travellers": [factories.traveller_body(id_number=number)]},
        headers=headers,
    )
    assert bad.status_code == 422 and "travellers[0].id_number" in bad.json()["field_errors"]
    bad_phone = await client.post("/api/v1/agent/seniors", json={**body, "phone": "23600136000"}, headers=headers)
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()["field_errors"]
    none = await client.post(
        "/api/v1/agent/seniors", json={**body, "phone": "13600136000", "travellers": []}, headers=headers
    )
    assert none.status_code == 400
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM account WHERE phone = '13600136000'") == 0
        assert await conn.fetchval("SELECT count(*) FROM agent_mandate") == 0


async def test_agent_adds_a_family_member_to_a_served_senior(client):
    headers = await agent(client)
    _, traveller_id = await senior_with_traveller(client)
    account_id = await account_id_of(SENIOR)
    body = {"traveller": factories.traveller_body(name="王建军", birth=dt.date(1953, 2, 2)), "mandate": mandate_body()}
    refused = await client.post(f"/api/v1/agent/seniors/{account_id}/travellers", json=body, headers=headers)
    assert refused.status_code == 404  # no consent yet and no number given
    with_number = await client.post(
        f"/api/v1/agent/seniors/{account_id}/travellers", json={**body, "senior_phone": SENIOR}, headers=headers
    )
    assert with_number.status_code == 201, with_number.text
    overview = with_number.json()
    assert [t["name"] for t in overview["travellers"]] == ["王建军"]
    assert [t["id"] for t in overview["other_travellers"]] == [traveller_id]
    [added] = await audit_rows("traveller_added_for_senior")
    assert added["on_behalf_of_account_id"] == account_id


async def test_openapi_describes_the_hotline_endpoints(client):
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/agent/seniors"] and "get" not in paths["/api/v1/agent/seniors"]
    lookup = paths["/api/v1/agent/seniors/search"]["post"]
    assert "parameters" not in lookup and "requestBody" in lookup  # personal numbers in the body only
    assert "404" in paths["/api/v1/agent/travellers/{traveller_id}/mandate"]["post"]["responses"]
    assert "MandateIn" in str(schema["components"]["schemas"].keys())


async def test_opening_an_account_for_someone_already_registered_by_identity_number_is_refused(client):
    headers = await agent(client)
    await senior_with_traveller(client)  # registered by the family, with the identity number
    body = {
        "phone": "13600136000",
        "travellers": [factories.traveller_body(id_number=factories.identity_number(BIRTH))],
        "mandate": {"reference": "96111-0009"},
    }
    response = await client.post("/api/v1/agent/seniors", json=body, headers=headers)
    assert response.status_code == 409 and response.json()["code"] == "id_number_known"
    assert "travellers[0].id_number" in response.json()["field_errors"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM account WHERE phone = '13600136000'") == 0


async def test_lookups_are_limited_per_agent(client):
    headers = await agent(client)
    statuses = [
        (await client.post("/api/v1/agent/seniors/search", json={"phone": SENIOR}, headers=headers)).status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    other = await agent(client, "13300000002")
    assert (await client.post("/api/v1/agent/seniors/search", json={"phone": SENIOR}, headers=other)).status_code == 200


async def test_agent_books_and_declares_for_a_consenting_senior_and_the_record_says_on_whose_behalf(client):
    from tests.health_helpers import declaration_body

    world = await factories.small_world()
    headers = await agent(client)
    senior_headers, traveller_id = await senior_with_traveller(client)
    account_id = await account_id_of(SENIOR)
    agent_id = await account_id_of(AGENT)
    body = {"tour_id": world.tours["vacation"]["id"], "traveller_ids": [traveller_id]}

    # No consent yet: the senior's traveller is not the agent's to book.
    refused = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert refused.status_code in (404, 422), refused.text
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM booking") == 0

    recorded = await client.post(
        f"/api/v1/agent/travellers/{traveller_id}/mandate", json=mandate_body(senior_phone=SENIOR), headers=headers
    )
    assert recorded.status_code == 201, recorded.text
    held = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert held.status_code == 201, held.text
    booking = held.json()
    assert booking["booked_by_account_id"] == agent_id and booking["on_behalf"] is True
    declared = await client.put(
        f"/api/v1/bookings/{booking['id']}/travellers/{traveller_id}/declaration",
        json=declaration_body(),
        headers=headers,
    )
    assert declared.status_code == 200, declared.text
    await booking_helpers.confirm(client, booking["id"], headers)  # the agent starts it, the senior pays

    # The senior sees the trip as their own; the outbox tells the senior, not the agent.
    mine = await client.get(f"/api/v1/bookings/{booking['id']}", headers=senior_headers)
    assert mine.status_code == 200 and mine.json()["on_behalf"] is True
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT account, booked_by FROM booking WHERE id = $1", booking["id"])
        told = await conn.fetch(
            "SELECT DISTINCT account FROM outbox_message WHERE kind IN ('hold_made', 'booking_confirmed')"
        )
    assert (row["account"], row["booked_by"]) == (account_id, agent_id)
    assert [r["account"] for r in told] == [account_id]

    # Consent withdrawn: the agent no longer reaches the booking.
    await client.post(f"/api/v1/agent/travellers/{traveller_id}/mandate/withdraw", headers=headers)
    assert (await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)).status_code == 404
