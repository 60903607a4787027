"""Manifests: per departure and per arrival day, as JSON and as CSV that Excel opens in Chinese;
care notes only where the traveller agreed to share them, an emergency contact for everyone;
every export in the audit log."""

import csv
import datetime as dt
import io

import pytest

from tests.health_helpers import (
    START,
    book,
    declaration_body,
    fetch,
    fetchval,
    operator,
    with_companion,
)


@pytest.fixture
async def party(client, world):
    """Two travellers on the Sanya holiday: one shares her declaration with the base, one does not
    (and has her daughter as the emergency contact on her profile)."""
    sharing = await book(client, world, "13800000001", tour="vacation")
    body = with_companion(diet=["diabetic", "soft"], mobility_aid="walker")
    assert (await client.put(sharing.path, json=body, headers=sharing.booker.headers)).status_code == 200
    private = await book(client, world, "13800000002", tour="vacation", birth=dt.date(1950, 2, 3))
    contact = {"emergency_contact": {"name": "赵丽", "phone": "13700002222", "relation": "女儿"}}
    patched = await client.patch(
        f"/api/v1/travellers/{private.traveller_id}", json=contact, headers=private.booker.headers
    )
    assert patched.status_code == 200, patched.text
    body = declaration_body(consent={"collect": True, "share_with_base": False})
    assert (await client.put(private.path, json=body, headers=private.booker.headers)).status_code == 200
    await book(client, world, "13800000003", tour="vacation", confirm=False)  # a hold: not on the manifest
    return sharing, private


def manifest_path(world) -> str:
    return f"/api/v1/operator/tours/{world.tours['vacation']['id']}/manifest"


async def test_json_manifest_lists_each_traveller_with_care_notes_only_where_shared_and_every_emergency_contact(
    client, world, party
):
    sharing, private = party
    headers = await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"])
    response = await client.get(manifest_path(world), headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "tour" and body["travellers"] == 2
    rows = {row["booking_id"]: row for row in body["rows"]}
    assert set(rows) == {sharing.booking_id, private.booking_id}
    shared = rows[sharing.booking_id]
    assert shared["care_shared"] is True
    assert shared["diet"] == ["diabetic", "soft"] and shared["mobility_aid"] == "walker"
    assert shared["companion"]["name"] == "李梅" and shared["emergency_contact"]["phone"] == "13900001111"
    assert shared["declaration_status"] == "submitted" and shared["booking_status"] == "confirmed"
    hidden = rows[private.booking_id]
    assert hidden["care_shared"] is False
    assert hidden["diet"] is None and hidden["companion"] is None and hidden["mobility_aid"] is None
    assert hidden["emergency_contact"] == {"name": "赵丽", "phone": "13700002222", "relation": "女儿"}
    assert hidden["age"] == 76 and hidden["gender"] == "unspecified"
    events = await fetch("SELECT detail FROM audit_event WHERE action = 'manifest_exported'")
    assert len(events) == 1


async def test_csv_manifest_has_a_bom_chinese_headers_and_says_not_shared(client, world, party):
    headers = await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"])
    response = await client.get(
        manifest_path(world), headers={**headers, "Accept": "text/csv", "Accept-Language": "zh-CN"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads the file as UTF-8
    text = raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "姓名",
        "年龄",
        "性别",
        "预订编号",
        "状态",
        "入住",
        "离开",
        "饮食",
        "助行器具",
        "同行人",
        "紧急联系人",
        "健康申报",
    ]
    assert len(rows) == 3
    names = {row[0]: row for row in rows[1:]}
    shared = names["旅客0001"]
    assert shared[7] == "糖尿病餐、软食" and shared[8] == "助行器" and "李梅" in shared[9]
    assert names["旅客0002"][7:10] == ["未共享"] * 3
    assert names["旅客0002"][10] == "赵丽 (女儿) 13700002222"
    assert shared[10] == "王强 (儿子) 13900001111"
    assert text.endswith("\r\n")
    detail = (await fetch("SELECT detail FROM audit_event WHERE action = 'manifest_exported'"))[0]["detail"]
    assert '"format": "csv"' in detail


async def test_csv_headers_follow_the_readers_language(client, world, party):
    headers = await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"])
    response = await client.get(
        manifest_path(world), headers={**headers, "Accept": "text/csv", "Accept-Language": "en"}
    )
    first = response.content.decode("utf-8-sig").splitlines()[0]
    assert first.startswith("Name,Age,Gender,Booking reference")


async def test_arrivals_manifest_lists_who_arrives_on_the_day(client, world, party):
    headers = await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"])
    day = (START + dt.timedelta(days=10)).isoformat()
    response = await client.get(
        f"/api/v1/operator/bases/{world.bases['sanya']['id']}/manifest?date={day}", headers=headers
    )
    assert response.status_code == 200
    assert response.json()["kind"] == "arrivals" and response.json()["travellers"] == 2
    other_day = (START + dt.timedelta(days=11)).isoformat()
    response = await client.get(
        f"/api/v1/operator/bases/{world.bases['sanya']['id']}/manifest?date={other_day}", headers=headers
    )
    assert response.json()["travellers"] == 0
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'manifest_exported'") == 2


async def test_an_operator_of_another_base_gets_nothing(client, world, party):
    other = await operator(client, "ops@hulunbuir.cn", world.bases["hulunbuir"]["id"])
    for accept in ("application/json", "text/csv"):
        response = await client.get(manifest_path(world), headers={**other, "Accept": accept})
        assert response.status_code == 404
        assert "旅客" not in response.text
    day = (START + dt.timedelta(days=10)).isoformat()
    response = await client.get(
        f"/api/v1/operator/bases/{world.bases['sanya']['id']}/manifest?date={day}",
        headers={**other, "Accept": "text/csv"},
    )
    assert response.status_code == 404
    assert (
        await fetchval("SELECT count(*) FROM audit_event WHERE action IN ('manifest_exported', 'care_notes_read')") == 0
    )


async def test_a_cell_that_looks_like_a_formula_is_defused(client, world):
    from sojourn.operator.manifest import _cell

    assert _cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert _cell("王秀兰") == "王秀兰"
