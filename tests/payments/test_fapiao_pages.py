"""Fapiao on the pages, in-process with a pinned clock: the senior asks on her trip page (errors in
words, what she typed kept), sees 已申请 there and on the receipt; the hotline desk asks for her from
the senior's page; finance finds the request under the alliance pages, records the fapiao (a wrong
date explained), and the senior's trip page then says 已开具 with its number and date."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.booking_helpers import booker, confirm, migratory_body
from tests.payment_helpers import fetch, fetchval
from tests.web_helpers import form_token, post_form, sign_in

pytestmark = pytest.mark.usefixtures("sandbox")

TAX_NUMBER = "91350100M000100Y43"


async def _paid_trip(client, login: str = "13900000031") -> tuple[dict, object]:
    world = await factories.small_world()
    senior = await booker(client, login)
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 40, 30, senior.traveller_ids), headers=senior.headers
    )
    booking = await confirm(client, held.json()["id"], senior.headers)
    return {"booking": booking, "world": world}, senior


async def _post_on_page(client, page_path: str, action: str, data: dict):
    page = await client.get(page_path)
    return await client.post(action, data={**data, "_csrf_token": form_token(page.text, action)})


async def test_the_senior_asks_for_a_fapiao_on_her_trip_page_and_sees_it_requested(client, clock):
    made, senior = await _paid_trip(client)
    booking = made["booking"]
    trip_path, action = f"/trips/{booking['id']}", f"/trips/{booking['id']}/fapiao"
    await sign_in(client, senior.login, factories.PASSWORD)
    trip = await client.get(trip_path)
    assert '<h2 id="fapiao-heading">发票</h2>' in trip.text and "申请发票</button>" in trip.text
    assert f'action="{action}"' in (await client.get(f"/trips/{booking['id']}/receipt")).text

    wrong = await _post_on_page(
        client,
        trip_path,
        action,
        {"title_kind": "company", "title": "三亚阳光养老服务有限公司", "tax_number": "91350100M000100Y44"},
    )
    assert wrong.status_code == 400
    assert "这个税号不对：有一个字符输错了。请从公司证照上重新抄一遍。" in wrong.text
    assert 'value="三亚阳光养老服务有限公司"' in wrong.text and 'value="company" checked' in wrong.text
    assert 'aria-invalid="true"' in wrong.text and 'href="#tax_number"' in wrong.text
    empty = await _post_on_page(client, trip_path, action, {"title_kind": "personal", "title": ""})
    assert empty.status_code == 400 and "这一项必须填写。" in empty.text
    assert await fetchval("SELECT count(*) FROM invoice_request") == 0

    done = await _post_on_page(
        client,
        trip_path,
        action,
        {"title_kind": "company", "title": "三亚阳光养老服务有限公司", "tax_number": TAX_NUMBER},
    )
    assert done.status_code == 303 and done.headers["location"] == f"{trip_path}#fapiao"
    trip = await client.get(trip_path)
    assert "您的发票申请已提交。发票开具后我们会通知您。" in trip.text
    assert "已申请" in trip.text and f"税号 {TAX_NUMBER}" in trip.text and "申请发票</button>" not in trip.text
    receipt = await client.get(f"/trips/{booking['id']}/receipt")
    assert "已申请" in receipt.text and "三亚阳光养老服务有限公司" in receipt.text
    again = await post_form(client, action, {"title_kind": "personal", "title": "王秀兰"}, from_page=trip_path)
    assert again.status_code == 303
    assert "这个预订已经申请过发票" in (await client.get(trip_path)).text
    await post_form(client, "/preferences/language", {"locale": "en"}, from_page=trip_path)
    english = await client.get(trip_path)
    assert "Requested" in english.text and "We will tell you when it is issued." in english.text


async def test_the_hotline_desk_asks_for_the_senior_from_her_page(client, clock):
    made, senior = await _paid_trip(client)
    booking = made["booking"]
    desk = await factories.account("desk@96111.cn", role="agent")
    traveller = await fetchval("SELECT traveller FROM booking_traveller WHERE booking = $1", booking["id"])
    await factories.agent_mandate(traveller, desk)
    client.cookies.clear()
    await sign_in(client, "desk@96111.cn", factories.PASSWORD)
    senior_account = await fetchval("SELECT account FROM booking WHERE id = $1", booking["id"])
    senior_page = await client.get(f"/hotline/seniors/{senior_account}")
    assert f'<a href="/trips/{booking["id"]}">{booking["reference"]}</a>' in senior_page.text
    trip_path = f"/trips/{booking['id']}"
    done = await _post_on_page(client, trip_path, f"{trip_path}/fapiao", {"title_kind": "personal", "title": "王秀兰"})
    assert done.status_code == 303
    audit = await fetch("SELECT actor_id, on_behalf_of_account_id FROM audit_event WHERE action = 'invoice_requested'")
    assert [tuple(a) for a in audit] == [(desk, senior_account)]
    client.cookies.clear()
    await sign_in(client, senior.login, factories.PASSWORD)
    assert "由 96111 热线代您申请" in (await client.get(trip_path)).text


async def test_finance_records_the_fapiao_on_the_alliance_pages_and_the_trip_says_issued(client, clock):
    made, senior = await _paid_trip(client)
    booking, world = made["booking"], made["world"]
    await sign_in(client, senior.login, factories.PASSWORD)
    trip_path = f"/trips/{booking['id']}"
    await _post_on_page(client, trip_path, f"{trip_path}/fapiao", {"title_kind": "personal", "title": "王秀兰"})
    request_id = await fetchval("SELECT id FROM invoice_request")

    await factories.account("stats@alliance.example", role="coordinator")
    client.cookies.clear()
    await sign_in(client, "stats@alliance.example", factories.PASSWORD)
    assert "/alliance/invoices" not in (await client.get("/alliance")).text
    assert (await client.get("/alliance/invoices")).status_code == 403

    await factories.account("caiwu@hainan.example", role="coordinator", member_ids=[world.members["hi"]["id"]])
    client.cookies.clear()
    await sign_in(client, "caiwu@hainan.example", factories.PASSWORD)
    assert '<a href="/alliance/invoices" >发票申请</a>' in (await client.get("/alliance")).text
    queue = await client.get("/alliance/invoices")
    assert queue.status_code == 200 and booking["reference"] in queue.text and "王秀兰" in queue.text
    assert f'href="/alliance/invoices/{request_id}">登记为已开具' in queue.text
    assert "共 1 条申请" in queue.text
    issued_list = await client.get("/alliance/invoices?status=issued")
    assert booking["reference"] not in issued_list.text and "没有要显示的申请。" in issued_list.text

    today = (clock.now() + dt.timedelta(hours=8)).date()
    issue_path = f"/alliance/invoices/{request_id}"
    late = await _post_on_page(
        client,
        issue_path,
        issue_path,
        {"invoice_number": "26462000000012345678", "issued_on": (today + dt.timedelta(days=1)).isoformat()},
    )
    assert (
        late.status_code == 400
        and "开票日期不能晚于今天。" in late.text
        and 'value="26462000000012345678"' in late.text
    )
    done = await _post_on_page(
        client, issue_path, issue_path, {"invoice_number": "2646 2000 0000 1234 5678", "issued_on": today.isoformat()}
    )
    assert done.status_code == 303 and done.headers["location"] == "/alliance/invoices"
    assert "已登记，已通知老人" in (await client.get("/alliance/invoices")).text
    download = await client.get("/alliance/invoices/download?status=issued")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("申请日期,预订编号,成员单位,基地,抬头类型,开票抬头,") and len(lines) == 2
    assert "26462000000012345678" in lines[1] and "已开具" in lines[1]

    client.cookies.clear()
    await sign_in(client, senior.login, factories.PASSWORD)
    trip = await client.get(trip_path)
    assert "已开具" in trip.text and "发票号码 26462000000012345678" in trip.text
    told = await fetchval("SELECT count(*) FROM outbox_message WHERE kind = 'fapiao_issued'")
    assert told == 1
