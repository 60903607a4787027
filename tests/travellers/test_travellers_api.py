"""Travellers: validation, masking, encryption at rest, and nobody else's travellers."""

import datetime as dt

from sojourn import db
from tests import factories


async def signed_in(client, login="13800138000"):
    await factories.account(login)
    return await factories.bearer(client, login)


async def test_traveller_is_created_with_a_masked_identity_number(client):
    headers = await signed_in(client)
    number = factories.identity_number(dt.date(1955, 4, 12))
    response = await client.post("/api/v1/travellers", json=factories.traveller_body(id_number=number), headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert "id_number" not in body
    assert body["age"] >= 70


async def test_identity_number_and_date_of_birth_must_agree(client):
    headers = await signed_in(client)
    number = factories.identity_number(dt.date(1960, 1, 1))
    response = await client.post("/api/v1/travellers", json=factories.traveller_body(id_number=number), headers=headers)
    assert response.status_code == 422
    assert "id_number" in response.json()["field_errors"]


async def test_identity_number_with_a_bad_checksum_is_refused_and_nothing_is_saved(client):
    headers = await signed_in(client)
    number = factories.identity_number(dt.date(1955, 4, 12))
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = await client.post(
        "/api/v1/travellers",
        json=factories.traveller_body(id_number=broken),
        headers={**headers, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "identity number" in response.json()["field_errors"]["id_number"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM traveller") == 0


async def test_missing_emergency_contact_is_a_field_error(client):
    headers = await signed_in(client)
    body = factories.traveller_body()
    del body["emergency_contact"]
    response = await client.post("/api/v1/travellers", json=body, headers=headers)
    assert response.status_code == 400
    assert "emergency_contact" in response.json()["field_errors"]


async def test_raw_rows_hold_no_plaintext_identity_number(client):
    headers = await signed_in(client)
    number = factories.identity_number(dt.date(1955, 4, 12))
    await client.post("/api/v1/travellers", json=factories.traveller_body(id_number=number), headers=headers)
    async with db.connection() as conn:
        dump = await conn.fetchval("SELECT row_to_json(t)::text FROM traveller t")
        cipher = await conn.fetchval("SELECT id_number_cipher FROM traveller")
    assert number not in dump and number[6:14] not in dump
    assert number.encode() not in cipher


async def test_another_account_gets_404_for_my_traveller(client):
    mine = await signed_in(client, "13800138000")
    theirs = await signed_in(client, "13900139000")
    created = await client.post("/api/v1/travellers", json=factories.traveller_body(), headers=mine)
    traveller_id = created.json()["id"]
    assert (await client.get(f"/api/v1/travellers/{traveller_id}", headers=theirs)).status_code == 404
    patched = await client.patch(f"/api/v1/travellers/{traveller_id}", json={"name": "x"}, headers=theirs)
    assert patched.status_code == 404
    listed = await client.get("/api/v1/travellers", headers=theirs)
    assert listed.json() == {"items": [], "total": 0}
    assert (await client.get(f"/api/v1/travellers/{traveller_id}", headers=mine)).status_code == 200
