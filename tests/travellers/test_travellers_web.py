"""The "people I book for" pages: listing with masked identity numbers, adding, correcting and
removing travellers, every error next to its field with what was typed kept, and ?next=."""

import datetime as dt
import re

from sojourn import db
from tests import factories
from tests.web_helpers import post_form, sign_in

ME = "13800138000"
BIRTH = dt.date(1955, 4, 12)


def form(**extra) -> dict:
    values = {
        "name": "王秀兰",
        "birth_date": "1955-04-12",
        "gender": "female",
        "phone": "",
        "home_province_code": "230000",
        "id_number": "",
        "emergency_name": "王强",
        "emergency_phone": "13900001111",
        "emergency_relation": "儿子",
    }
    values.update(extra)
    return values


async def signed_in(client, login: str = ME) -> int:
    account_id = await factories.account(login, name="王秀兰")
    await sign_in(client, login, factories.PASSWORD)
    return account_id


async def traveller_rows() -> list[dict]:
    async with db.connection() as conn:
        return [dict(r) for r in await conn.fetch("SELECT * FROM traveller ORDER BY id")]


async def add(client, **extra):
    return await post_form(client, "/account/travellers", form(**extra), from_page="/account/travellers/new")


async def test_adding_a_traveller_shows_the_identity_number_masked_only(client):
    await signed_in(client)
    number = factories.identity_number(BIRTH)
    response = await add(client, id_number=number, phone="138 0013 8000")
    assert response.status_code == 303 and response.headers["location"] == "/account/travellers"
    [row] = await traveller_rows()
    assert row["phone"] == "13800138000" and row["gender"] == "female"
    page = await client.get("/account/travellers")
    assert page.status_code == 200
    assert "王秀兰" in page.text and number[:4] + "*" * 10 + number[-4:] in page.text
    assert number not in page.text
    edit = await client.get(f"/account/travellers/{row['id']}/edit")
    assert number not in edit.text and number[-4:] in edit.text  # the mask, as a hint


async def test_a_bad_mobile_and_a_bad_identity_number_are_shown_together_and_what_was_typed_is_kept(client):
    await signed_in(client)
    number = factories.identity_number(BIRTH)
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = await add(client, phone="1380013800", id_number=broken, name="王秀兰的姐姐")
    assert response.status_code == 400
    text = response.text
    assert 'id="phone-error"' in text and 'id="id_number-error"' in text
    assert 'value="1380013800"' in text and 'value="王秀兰的姐姐"' in text and f'value="{broken}"' in text
    assert 'value="王强"' in text and 'value="230000" selected' in text
    assert await traveller_rows() == []


async def test_missing_fields_and_a_wrong_date_are_explained(client):
    await signed_in(client)
    response = await add(client, name="", birth_date="1955-13-40", emergency_phone="", home_province_code="")
    assert response.status_code == 400
    for field in ("name", "birth_date", "emergency_phone", "home_province_code"):
        assert f'id="{field}-error"' in response.text, field
    assert 'href="#birth_date"' in response.text  # the summary links to the field


async def test_birth_date_may_be_written_the_chinese_way(client):
    await signed_in(client)
    response = await add(client, birth_date="1955年4月12日")
    assert response.status_code == 303
    assert (await traveller_rows())[0]["birth_date"] == BIRTH


async def test_identity_number_must_agree_with_the_birth_date(client):
    await signed_in(client)
    response = await add(client, id_number=factories.identity_number(dt.date(1960, 1, 1)))
    assert response.status_code == 400 and 'id="id_number-error"' in response.text


async def test_next_brings_the_person_back_to_the_booking_and_only_to_this_site(client):
    await signed_in(client)
    page = await client.get("/account/travellers/new", params={"next": "/tours/7/book?step=2"})
    assert 'name="next" value="/tours/7/book?step=2"' in page.text
    data = {**form(), "next": "/tours/7/book?step=2"}
    response = await post_form(client, "/account/travellers", data, from_page="/account/travellers/new")
    assert response.status_code == 303 and response.headers["location"] == "/tours/7/book?step=2"
    evil = await post_form(
        client,
        "/account/travellers",
        {**form(name="李四"), "next": "https://evil.example/"},
        from_page="/account/travellers/new",
    )
    assert evil.headers["location"] == "/account/travellers"
    back = await client.get("/account/travellers", params={"next": "/tours/7/book"})
    assert 'href="/tours/7/book"' in back.text


async def test_editing_keeps_the_identity_number_unless_replaced_or_removed(client):
    await signed_in(client)
    number = factories.identity_number(BIRTH)
    await add(client, id_number=number, phone="13800138000")
    [row] = await traveller_rows()
    url = f"/account/travellers/{row['id']}/edit"
    kept = await post_form(client, url, form(name="王秀兰 (妈妈)", phone=""), from_page=url)
    assert kept.status_code == 303
    [after] = await traveller_rows()
    assert after["name"] == "王秀兰 (妈妈)" and after["phone"] is None
    assert after["id_number_cipher"] == row["id_number_cipher"]
    removed = await post_form(client, url, {**form(), "remove_id_number": "on"}, from_page=url)
    assert removed.status_code == 303
    [gone] = await traveller_rows()
    assert gone["id_number_cipher"] is None and gone["id_number_digest"] is None


async def test_editing_with_errors_shows_them_and_changes_nothing(client):
    await signed_in(client)
    await add(client)
    [row] = await traveller_rows()
    url = f"/account/travellers/{row['id']}/edit"
    response = await post_form(client, url, form(phone="12345", emergency_relation=""), from_page=url)
    assert response.status_code == 400
    assert 'id="phone-error"' in response.text and 'id="emergency_relation-error"' in response.text
    assert 'value="12345"' in response.text
    assert (await traveller_rows())[0]["phone"] is None


async def test_another_accounts_traveller_is_404_everywhere(client):
    owner = await factories.account("13900139000")
    theirs = await factories.traveller(owner)
    await signed_in(client)
    tid = theirs["id"]
    assert (await client.get(f"/account/travellers/{tid}/edit")).status_code == 404
    assert (await client.get(f"/account/travellers/{tid}/delete")).status_code == 404
    for path in (f"/account/travellers/{tid}/edit", f"/account/travellers/{tid}/delete"):
        response = await post_form(client, path, form(), from_page="/account/travellers")
        assert response.status_code == 404, path
    assert len(await traveller_rows()) == 1 and (await traveller_rows())[0]["name"] == "王秀兰"


async def test_a_traveller_who_was_never_booked_can_be_removed(client):
    await signed_in(client)
    await add(client)
    [row] = await traveller_rows()
    confirm = await client.get(f"/account/travellers/{row['id']}/delete")
    assert confirm.status_code == 200 and 'id="confirm-remove"' in confirm.text
    response = await post_form(client, f"/account/travellers/{row['id']}/delete", {}, from_page="/account/travellers")
    assert response.status_code == 303
    assert await traveller_rows() == []
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM audit_event WHERE action = 'traveller_deleted'") == 1


async def test_a_traveller_on_a_booking_is_kept(client):
    world = await factories.small_world()
    account_id = await signed_in(client)
    await add(client)
    [row] = await traveller_rows()
    await factories.past_stay(
        world.tours["vacation"],
        account_id,
        [row["id"]],
        arrival=world.start,
        departure=world.start + dt.timedelta(days=7),
    )
    page = await client.get("/account/travellers")
    assert f'href="/account/travellers/{row["id"]}/delete"' not in page.text
    response = await post_form(client, f"/account/travellers/{row['id']}/delete", {}, from_page="/account/travellers")
    assert response.status_code == 409
    assert len(await traveller_rows()) == 1


async def test_only_traveller_accounts_use_these_pages(client):
    assert (await client.get("/account/travellers")).status_code == 401
    await factories.account("13300000001", role="agent")
    await sign_in(client, "13300000001", factories.PASSWORD)
    assert (await client.get("/account/travellers")).status_code == 403


async def test_the_senior_can_withdraw_the_hotlines_consent_from_their_list(client):
    account_id = await signed_in(client)
    agent_id = await factories.account("13300000001", role="agent")
    mine = await factories.traveller(account_id)
    await factories.agent_mandate(mine["id"], agent_id)
    page = await client.get("/account/travellers")
    action = f"/account/travellers/{mine['id']}/consent/withdraw"
    assert f'action="{action}"' in page.text
    response = await post_form(client, action, {}, from_page="/account/travellers")
    assert response.status_code == 303
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT withdrawn_at IS NOT NULL FROM agent_mandate") is True
    after = await client.get("/account/travellers")
    assert f'action="{action}"' not in after.text
    assert re.search(r"notice ok", after.text)
