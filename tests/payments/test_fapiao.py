"""Fapiao requests through the API with a pinned clock: the senior (or the hotline for her) asks once
money is paid, with a checked tax number for a company; finance (admins, coordinators limited to
members) sees its members' queue, records the fapiao's number and date, and the senior is told; the
CSV export speaks the reader's language. The money is paid as a senior pays (a real order at the
sandbox, WeChat's signed notification)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from sojourn.notifications.messages import render
from tests import factories
from tests.payment_helpers import PayingWorld, fetch, fetchval, held_booking, pay_first_amount

pytestmark = pytest.mark.usefixtures("sandbox")

COMPANY = {"title": "三亚阳光养老服务有限公司", "title_kind": "company", "tax_number": "91350100M000100Y43"}
ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}


def _ask(client, w: PayingWorld, body: dict, headers: dict | None = None):
    return client.post(
        f"/api/v1/bookings/{w.booking['id']}/invoice-request", json=body, headers={**w.headers, **(headers or {})}
    )


async def _finance(client, login: str, **scopes) -> dict[str, str]:
    role = scopes.pop("role", "coordinator")
    await factories.account(login, role=role, **scopes)
    return await factories.bearer(client, login)


async def _paid_world(client, settings, clock) -> PayingWorld:
    w = await held_booking(client, settings, clock.now())
    await pay_first_amount(client, w.booking["id"], w.headers)
    return w


async def test_a_fapiao_is_asked_for_once_money_is_paid_with_a_checked_tax_number(client, settings, clock):
    w = await held_booking(client, settings, clock.now())
    unpaid = await _ask(client, w, {"title": "王秀兰"}, EN)
    assert unpaid.status_code == 409 and unpaid.json()["code"] == "not_invoiceable"
    assert "once it is paid" in unpaid.json()["detail"]
    await pay_first_amount(client, w.booking["id"], w.headers)

    mistyped = await _ask(client, w, {**COMPANY, "tax_number": "91350100M000100Y44"}, ZH)
    assert mistyped.status_code == 422
    assert mistyped.json()["field_errors"]["tax_number"] == "这个税号不对：有一个字符输错了。请从公司证照上重新抄一遍。"
    for number, words in (
        ("9135010", "18 characters"),
        ("91350100M000100YO3", "never I, O, Z, S or V"),
        ("", "needs the company's tax number"),
    ):
        wrong = await _ask(client, w, {**COMPANY, "tax_number": number}, EN)
        assert wrong.status_code == 422 and words in wrong.json()["field_errors"]["tax_number"], wrong.text
    personal_with_number = await _ask(
        client, w, {"title": "王秀兰", "tax_number": COMPANY["tax_number"], "title_kind": "personal"}, EN
    )
    assert "no tax number" in personal_with_number.json()["field_errors"]["tax_number"]
    bad_email = await _ask(client, w, {"title": "王秀兰", "email": "caiwu@example"}, EN)
    assert "name@example.com" in bad_email.json()["field_errors"]["email"]
    assert await fetchval("SELECT count(*) FROM invoice_request") == 0  # nothing recorded for bad input

    # Typed with spaces and small letters: recorded as the code it is.
    made = await _ask(client, w, {**COMPANY, "tax_number": "91350100m000 100y43", "email": "caiwu@example.com"})
    assert made.status_code == 201, made.text
    assert {k: made.json()[k] for k in ("title_kind", "tax_number", "amount_fen", "status", "on_behalf")} == {
        "title_kind": "company",
        "tax_number": "91350100M000100Y43",
        "amount_fen": 380000,
        "status": "requested",
        "on_behalf": False,
    }
    again = await _ask(client, w, {"title": "王秀兰"})
    assert again.status_code == 409 and again.json()["code"] == "invoice_already_requested"
    audit = await fetch(
        "SELECT actor_id, on_behalf_of_account_id, detail FROM audit_event WHERE action = 'invoice_requested'"
    )
    assert len(audit) == 1 and audit[0]["on_behalf_of_account_id"] is None


async def test_the_hotline_asks_for_the_senior_on_behalf_and_it_is_audited(client, settings, clock):
    w = await _paid_world(client, settings, clock)
    senior = await fetchval("SELECT account FROM booking WHERE id = $1", w.booking["id"])
    desk = await factories.account("desk@96111.cn", role="agent")
    traveller = await fetchval("SELECT traveller FROM booking_traveller WHERE booking = $1", w.booking["id"])
    await factories.agent_mandate(traveller, desk)
    agent = await factories.bearer(client, "desk@96111.cn")
    made = await client.post(
        f"/api/v1/bookings/{w.booking['id']}/invoice-request", json={"title": "王秀兰"}, headers=agent
    )
    assert made.status_code == 201, made.text
    assert (made.json()["title_kind"], made.json()["on_behalf"]) == ("personal", True)
    audit = await fetch(
        "SELECT actor_id, actor_role, on_behalf_of_account_id FROM audit_event WHERE action = 'invoice_requested'"
    )
    assert [tuple(a) for a in audit] == [(desk, "agent", senior)]


async def test_finance_sees_its_members_queue_and_marks_a_fapiao_issued_and_the_senior_is_told(client, settings, clock):
    w = await _paid_world(client, settings, clock)
    assert (await _ask(client, w, COMPANY)).status_code == 201
    hainan, beijing = w.world.members["hi"]["id"], w.world.members["bj"]["id"]
    ours = await _finance(client, "caiwu@hainan.example", member_ids=[hainan])
    theirs = await _finance(client, "caiwu@beijing.example", member_ids=[beijing])
    alliance_wide = await _finance(client, "stats@alliance.example")
    admin = await _finance(client, "admin@alliance.example", role="admin")

    listed = await client.get("/api/v1/invoice-requests", headers=ours)
    assert listed.status_code == 200 and listed.json()["total"] == 1
    item = listed.json()["items"][0]
    assert (item["booking_reference"], item["tax_number"], item["amount_fen"], item["member_id"]) == (
        w.booking["reference"],
        COMPANY["tax_number"],
        380000,
        hainan,
    )
    assert (await client.get("/api/v1/invoice-requests", headers=theirs)).json() == {"items": [], "total": 0}
    assert (await client.get("/api/v1/invoice-requests", headers=alliance_wide)).status_code == 403
    assert (await client.get("/api/v1/invoice-requests", headers=w.headers)).status_code == 403
    assert (await client.get("/api/v1/invoice-requests", headers=admin)).json()["total"] == 1
    issued_path = f"/api/v1/invoice-requests/{item['id']}/issued"
    today = (clock.now() + dt.timedelta(hours=8)).date()
    good = {"invoice_number": "26462000000012345678", "issued_on": today.isoformat()}
    assert (await client.post(issued_path, json=good, headers=theirs)).status_code == 404

    for body, field, words in (
        ({**good, "invoice_number": "1234"}, "invoice_number", "20 digits"),
        ({**good, "issued_on": (today + dt.timedelta(days=1)).isoformat()}, "issued_on", "after today"),
        ({**good, "issued_on": (today - dt.timedelta(days=1)).isoformat()}, "issued_on", "before the request"),
    ):
        refused = await client.post(issued_path, json=body, headers={**ours, **EN})
        assert refused.status_code == 422 and words in refused.json()["field_errors"][field], refused.text
    assert await fetchval("SELECT status FROM invoice_request") == "requested"
    assert await fetchval("SELECT count(*) FROM outbox_message WHERE kind = 'fapiao_issued'") == 0

    clock.advance(hours=2)
    done = await client.post(issued_path, json=good, headers=ours)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["invoice_number"], done.json()["amount_fen"]) == (
        "issued",
        good["invoice_number"],
        380000,
    )
    twice = await client.post(issued_path, json=good, headers=ours)
    assert twice.status_code == 409 and twice.json()["code"] == "invoice_not_open"
    told = await fetch("SELECT account, payload FROM outbox_message WHERE kind = 'fapiao_issued'")
    assert len(told) == 1 and told[0]["account"] == await fetchval("SELECT account FROM booking")
    message = render("fapiao_issued", json.loads(told[0]["payload"]), "zh_CN", "https://sojourn.example")
    assert good["invoice_number"] in message.body and "¥3,800" in message.body
    assert f"https://sojourn.example/trips/{w.booking['id']}" in message.body
    audit = await fetch("SELECT actor_id, detail FROM audit_event WHERE action = 'invoice_issued'")
    assert len(audit) == 1 and good["invoice_number"] in audit[0]["detail"]
    # The queue's default is what is left to issue; the issued one is under "issued".
    assert (await client.get("/api/v1/invoice-requests", headers=ours)).json()["total"] == 0
    issued = (await client.get("/api/v1/invoice-requests?status=issued", headers=ours)).json()["items"]
    assert [(i["invoice_number"], i["issued_on"]) for i in issued] == [(good["invoice_number"], today.isoformat())]
    # Everything paid has its fapiao: nothing more to ask for.
    nothing = await _ask(client, w, {"title": "王秀兰"}, EN)
    assert nothing.status_code == 409 and "already has a fapiao" in nothing.json()["detail"]


async def test_the_queue_is_oldest_first_filtered_by_month_and_member_and_exports_csv_in_the_readers_language(
    client, settings, clock
):
    w = await _paid_world(client, settings, clock)
    assert (await _ask(client, w, {"title": "=HYPERLINK(1)", "title_kind": "personal"})).status_code == 201
    admin = await _finance(client, "admin@alliance.example", role="admin")
    month = (clock.now() + dt.timedelta(hours=8)).strftime("%Y-%m")
    listed = await client.get(
        f"/api/v1/invoice-requests?month={month}&member_id={w.world.members['hi']['id']}", headers=admin
    )
    assert listed.json()["total"] == 1
    other_member = await client.get(f"/api/v1/invoice-requests?member_id={w.world.members['bj']['id']}", headers=admin)
    assert other_member.json()["total"] == 0
    bad_month = await client.get("/api/v1/invoice-requests?month=2026-13", headers=admin)
    assert bad_month.status_code == 400
    for language, title, kind in (("zh-CN", "开票抬头", "个人"), ("en", "Title on the fapiao", "Personal")):
        exported = await client.get(
            "/api/v1/invoice-requests", headers={**admin, "Accept": "text/csv", "Accept-Language": language}
        )
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        assert exported.content.startswith("\ufeff".encode())
        table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert title in table[0] and len(table) == 2
        line = dict(zip(table[0], table[1], strict=True))
        assert line[title] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
        assert kind in table[1] and w.booking["reference"] in table[1] and "3800.00" in table[1]
