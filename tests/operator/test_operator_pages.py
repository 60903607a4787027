"""The base console's pages: every page and form scoped to the operator's own bases (another
base's objects are 404), working without JavaScript, with the same services as the API."""

import datetime as dt

import pytest

from sojourn import db
from tests import factories
from tests.booking_helpers import calendar_mismatches
from tests.health_helpers import START, book, declaration_body, fetch, fetchval, with_companion
from tests.web_helpers import csrf_token, sign_in


@pytest.fixture
async def sanya(client, world):
    """The Sanya operator, signed in with a cookie session (pages), on the shared client."""
    await factories.account("ops@sanya.cn", role="operator", name="三亚前台", base_ids=[world.bases["sanya"]["id"]])
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)
    return world.bases["sanya"]["id"]


async def post(client, path: str, data: dict, from_page: str = "/operator"):
    token = await csrf_token(client, from_page)
    return await client.post(path, data={**data, "_csrf_token": token})


async def test_dashboard_shows_the_operators_base_and_refuses_others(client, world, sanya):
    response = await client.get("/operator")
    assert response.status_code == 200
    assert "三亚候鸟康养基地" in response.text and "/static/css/operator.css" in response.text
    other = world.bases["hulunbuir"]["id"]
    assert (await client.get(f"/operator?base_id={other}")).status_code == 404
    for path in (
        f"/operator/bases/{other}/calendar",
        f"/operator/bases/{other}/arrivals",
        f"/operator/bases/{other}/manifest?date=2027-01-30",
        f"/operator/bases/{other}/manifest.csv?date=2027-01-30",
        f"/operator/tours/{world.tours['interactive']['id']}",
        f"/operator/tours/{world.tours['interactive']['id']}/edit",
        f"/operator/tours/{world.tours['interactive']['id']}/cancel",
        f"/operator/tours/{world.tours['interactive']['id']}/manifest",
        f"/operator/tours/{world.tours['interactive']['id']}/manifest.csv",
        f"/operator/tours?base_id={other}",
        f"/operator/feedback?base_id={other}",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "呼伦贝尔" not in response.text and "京蒙" not in response.text, path


async def test_pages_are_for_operators_only(client, world):
    assert (await client.get("/operator")).status_code == 401
    await factories.account("13800000009")
    await sign_in(client, "13800000009", factories.PASSWORD)
    assert (await client.get("/operator")).status_code == 403


async def test_calendar_bulk_edit_by_range_and_weekdays(client, world, sanya):
    page = await client.get(f"/operator/bases/{sanya}/calendar?month=2027-01")
    assert page.status_code == 200 and "床位 10" in page.text
    first, last = START, START + dt.timedelta(days=13)
    response = await post(
        client,
        f"/operator/bases/{sanya}/calendar",
        {
            "first_night": first.isoformat(),
            "last_night": last.isoformat(),
            "beds": "6",
            "weekdays": ["6", "7"],
            "action": "set",
        },
        f"/operator/bases/{sanya}/calendar",
    )
    assert response.status_code == 303, response.text[:2000]
    rows = await fetch(
        "SELECT night, beds FROM capacity_night WHERE base = $1 AND night BETWEEN $2 AND $3 ORDER BY night",
        sanya,
        first,
        last,
    )
    assert {row["night"] for row in rows if row["beds"] == 6} == {
        night["night"] for night in rows if night["night"].isoweekday() >= 6
    }
    closed = await post(
        client,
        f"/operator/bases/{sanya}/calendar",
        {"first_night": "2027-02-01", "last_night": "2027-02-02", "action": "close"},
        f"/operator/bases/{sanya}/calendar",
    )
    assert closed.status_code == 303
    assert await fetchval("SELECT beds FROM capacity_night WHERE base = $1 AND night = '2027-02-01'", sanya) == 0
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'capacity_changed'") == 2


async def test_calendar_refuses_below_what_is_taken_and_shows_the_bookings_in_the_way(client, world, sanya):
    booked = await book(client, world, "13800000001", tour="vacation")
    reference = await fetchval("SELECT reference FROM booking WHERE id = $1", booked.booking_id)
    response = await post(
        client,
        f"/operator/bases/{sanya}/calendar",
        {
            "first_night": (START + dt.timedelta(days=9)).isoformat(),
            "last_night": (START + dt.timedelta(days=12)).isoformat(),
            "action": "close",
        },
        f"/operator/bases/{sanya}/calendar",
    )
    assert response.status_code == 409
    assert reference in response.text and "bookings-in-the-way" in response.text
    assert (START + dt.timedelta(days=10)).isoformat() in response.text
    assert await fetchval("SELECT min(beds) FROM capacity_night WHERE base = $1", sanya) == 10
    missing = await post(
        client,
        f"/operator/bases/{sanya}/calendar",
        {"first_night": "2027-02-01", "last_night": "2027-02-03"},
        f"/operator/bases/{sanya}/calendar",
    )
    assert missing.status_code == 400 and 'id="beds-error"' in missing.text


async def test_tour_is_created_changed_published_and_cancelled_through_the_pages(client, world, sanya):
    form = {
        "base_id": str(sanya),
        "mode": "vacation",
        "title_zh": "三亚海边团",
        "title_en": "Sanya by the sea",
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-08",
        "price_yuan": "3800.50",
        "seats": "15",
        "policy_days_1": "30",
        "policy_percent_1": "100",
        "policy_days_2": "7",
        "policy_percent_2": "50",
        "health_requirements": ["long_stay"],
        "declaration_due_days": "7",
    }
    response = await post(client, "/operator/tours/new", form, "/operator/tours/new")
    assert response.status_code == 303, response.text[:3000]
    tour_id = int(response.headers["location"].rsplit("/", 1)[1])
    tour = (await fetch("SELECT * FROM tour WHERE id = $1", tour_id))[0]
    assert (tour["package_price_fen"], tour["seats"], tour["status"], tour["base"]) == (380050, 15, "draft", sanya)
    bad = await post(
        client,
        f"/operator/tours/{tour_id}/edit",
        {**form, "seats": "", "price_yuan": "abc"},
        f"/operator/tours/{tour_id}/edit",
    )
    assert bad.status_code == 400 and 'id="price_yuan-error"' in bad.text and "三亚海边团" in bad.text
    changed = await post(
        client,
        f"/operator/tours/{tour_id}/edit",
        {**form, "seats": "20", "title_zh": "三亚海边七日"},
        f"/operator/tours/{tour_id}/edit",
    )
    assert changed.status_code == 303, changed.text[:3000]
    assert await fetchval("SELECT seats FROM tour WHERE id = $1", tour_id) == 20
    assert (
        await post(client, f"/operator/tours/{tour_id}/publish", {}, f"/operator/tours/{tour_id}")
    ).status_code == 303
    assert await fetchval("SELECT status FROM tour WHERE id = $1", tour_id) == "published"
    listed = await client.get("/operator/tours")
    assert "三亚海边七日" in listed.text and "京蒙互动交流团" not in listed.text


async def test_seats_below_taken_are_refused_on_the_page_with_the_number_taken(client, world, sanya):
    await book(client, world, "13800000001", tour="vacation")
    tour_id = world.tours["vacation"]["id"]
    edit = await client.get(f"/operator/tours/{tour_id}/edit")
    assert edit.status_code == 200 and 'value="20"' in edit.text
    form = {
        "mode": "vacation",
        "title_zh": "三亚七日度假",
        "starts_on": (START + dt.timedelta(days=10)).isoformat(),
        "ends_on": (START + dt.timedelta(days=17)).isoformat(),
        "price_yuan": "3800",
        "seats": "0",
        "policy_days_1": "30",
        "policy_percent_1": "100",
        "policy_days_2": "7",
        "policy_percent_2": "50",
    }
    response = await post(client, f"/operator/tours/{tour_id}/edit", form, f"/operator/tours/{tour_id}/edit")
    assert response.status_code == 400 and 'id="seats-error"' in response.text
    response = await post(
        client,
        f"/operator/tours/{tour_id}/edit",
        {**form, "seats": "1", "policy_percent_1": "100"},
        f"/operator/tours/{tour_id}/edit",
    )
    assert response.status_code == 303, response.text[:3000]
    response = await post(
        client, f"/operator/tours/{tour_id}/edit", {**form, "seats": "1"}, f"/operator/tours/{tour_id}/edit"
    )
    assert response.status_code == 303
    async with db.connection() as conn:
        await conn.execute("UPDATE tour SET seats = 2 WHERE id = $1", tour_id)
    await book(client, world, "13800000002", tour="vacation")
    response = await post(
        client, f"/operator/tours/{tour_id}/edit", {**form, "seats": "1"}, f"/operator/tours/{tour_id}/edit"
    )
    assert response.status_code == 409 and 'id="seats-error"' in response.text and "2" in response.text


async def test_cancel_departure_asks_first_then_refunds_everyone(client, world, sanya):
    await book(client, world, "13800000001", tour="vacation")
    await book(client, world, "13800000002", tour="vacation")
    tour_id = world.tours["vacation"]["id"]
    confirm = await client.get(f"/operator/tours/{tour_id}/cancel")
    assert confirm.status_code == 200 and 'name="reason"' in confirm.text
    assert await fetchval("SELECT status FROM tour WHERE id = $1", tour_id) == "published"
    no_reason = await post(
        client, f"/operator/tours/{tour_id}/cancel", {"reason": " "}, f"/operator/tours/{tour_id}/cancel"
    )
    assert no_reason.status_code == 400 and 'id="reason-error"' in no_reason.text
    done = await post(
        client, f"/operator/tours/{tour_id}/cancel", {"reason": "台风"}, f"/operator/tours/{tour_id}/cancel"
    )
    assert done.status_code == 303
    assert await fetchval("SELECT count(*) FROM booking WHERE status = 'cancelled' AND refund_fen = total_fen") == 2
    assert await calendar_mismatches() == []
    assert await fetchval("SELECT count(*) FROM outbox_message WHERE kind = 'booking_cancelled'") == 2


async def test_manifest_page_and_csv_download(client, world, sanya):
    sharing = await book(client, world, "13800000001", tour="vacation")
    await client.put(sharing.path, json=with_companion(diet=["halal"]), headers=sharing.booker.headers)
    private = await book(client, world, "13800000002", tour="vacation")
    await client.put(
        private.path,
        json=declaration_body(consent={"collect": True, "share_with_base": False}),
        headers=private.booker.headers,
    )
    tour_id = world.tours["vacation"]["id"]
    page = await client.get(f"/operator/tours/{tour_id}/manifest")
    assert page.status_code == 200 and "旅客0001" in page.text and "李梅" in page.text
    assert f"/operator/tours/{tour_id}/manifest.csv" in page.text
    download = await client.get(f"/operator/tours/{tour_id}/manifest.csv")
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbf")
    assert "旅客0002" in download.content.decode("utf-8")
    day = (START + dt.timedelta(days=10)).isoformat()
    arrivals = await client.get(f"/operator/bases/{sanya}/manifest?date={day}")
    assert arrivals.status_code == 200 and "旅客0002" in arrivals.text
    formats = [
        row["format"]
        for row in await fetch(
            "SELECT detail->>'format' AS format FROM audit_event WHERE action = 'manifest_exported' ORDER BY id"
        )
    ]
    assert formats == ["html", "csv", "html"]


async def test_manifest_page_shows_the_emergency_contact_of_a_traveller_who_declared_nothing(client, world, sanya):
    undeclared = await book(client, world, "13800000003", tour="vacation")
    contact = {"emergency_contact": {"name": "孙伟", "phone": "13600003333", "relation": "侄子"}}
    await client.patch(f"/api/v1/travellers/{undeclared.traveller_id}", json=contact, headers=undeclared.booker.headers)
    page = await client.get(f"/operator/tours/{world.tours['vacation']['id']}/manifest")
    assert page.status_code == 200
    row = page.text.split("旅客0003", 1)[1].split("</tr>", 1)[0]
    assert "孙伟 (侄子) 13600003333" in row
    assert row.count("未共享") == 3  # diet, mobility aid, companion: the declaration's own content stays private
    day = (START + dt.timedelta(days=10)).isoformat()
    download = await client.get(f"/operator/bases/{sanya}/manifest.csv?date={day}")
    assert "孙伟 (侄子) 13600003333" in download.content.decode("utf-8-sig")


async def test_front_desk_checks_in_and_out_through_forms(client, world, sanya, clock):
    booked = await book(client, world, "13800000001", tour="vacation")
    arrival = START + dt.timedelta(days=10)
    clock.set(dt.datetime.combine(arrival, dt.time(2, 0), tzinfo=dt.UTC))
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)  # weeks later: a staff session lasts a day
    here = f"/operator/bases/{sanya}/arrivals?date={arrival.isoformat()}"
    person = f"/operator/bookings/{booked.booking_id}/travellers/{booked.traveller_id}"
    page = await client.get(here)
    assert page.status_code == 200 and f"{person}/check-in" in page.text
    assert f"{person}/check-out" not in page.text  # nobody to check out yet: no button where check-in is
    response = await post(client, f"{person}/check-in", {"next": here}, here)
    assert response.status_code == 303 and response.headers["location"] == here
    assert await fetchval("SELECT status FROM booking WHERE id = $1", booked.booking_id) == "checked_in"
    followed = await client.get(here)
    assert "旅客0001 已入住。" in followed.text
    assert "旅客0001 还没有提交健康申报。" in followed.text  # a warning, not a refusal
    assert f"{person}/check-in" not in followed.text and f"{person}/check-out?next=" in followed.text
    again = await post(client, f"{person}/check-in", {"next": here}, here)
    assert again.status_code == 303
    assert "notice error" in (await client.get(here)).text
    confirm = await client.get(f"{person}/check-out", params={"next": here})
    assert confirm.status_code == 200 and "确认为 旅客0001 办理退房吗" in confirm.text
    response = await post(client, f"{person}/check-out", {"next": "https://evil.example/"}, here)
    assert response.status_code == 303 and response.headers["location"] == "/operator"
    assert await fetchval("SELECT status FROM booking WHERE id = $1", booked.booking_id) == "checked_out"
    assert await fetchval("SELECT attendance FROM booking_traveller WHERE booking = $1", booked.booking_id) == (
        "checked_out"
    )


async def test_health_review_queue_detail_with_reading_trail_and_decision(client, world, sanya):
    booked = await book(client, world, "13800000001", tour="vacation")
    sent = await client.put(booked.path, json=declaration_body(), headers=booked.booker.headers)
    declaration_id = sent.json()["id"]
    other = await book(client, world, "13800000002", tour="interactive", province="110000")
    other_id = (await client.put(other.path, json=declaration_body(), headers=other.booker.headers)).json()["id"]
    queue = await client.get("/operator/declarations")
    assert queue.status_code == 200 and "旅客0001" in queue.text and "旅客0002" not in queue.text
    assert (await client.get(f"/operator/declarations/{other_id}")).status_code == 404
    detail = await client.get(f"/operator/declarations/{declaration_id}")
    assert detail.status_code == 200 and "三亚前台" in detail.text  # the trail names who read it
    no_note = await post(
        client,
        f"/operator/declarations/{declaration_id}/review",
        {"decision": "decline"},
        f"/operator/declarations/{declaration_id}",
    )
    assert no_note.status_code == 422 and 'id="note-error"' in no_note.text
    accepted = await post(
        client,
        f"/operator/declarations/{declaration_id}/review",
        {"decision": "accept"},
        f"/operator/declarations/{declaration_id}",
    )
    assert accepted.status_code == 303
    assert await fetchval("SELECT status FROM health_declaration WHERE id = $1", declaration_id) == "accepted"


async def test_feedback_reply_and_flag_through_the_pages(client, world, sanya):
    account = await factories.account("13800000005")
    traveller = await factories.traveller(account)
    stay = await factories.past_stay(
        world.tours["vacation"],
        account,
        [traveller["id"]],
        arrival=dt.date(2026, 10, 1),
        departure=dt.date(2026, 10, 8),
    )
    item = await factories.feedback(stay, traveller["id"], comment="饭菜很好")
    page = await client.get("/operator/feedback")
    assert page.status_code == 200 and "饭菜很好" in page.text
    response = await post(
        client,
        f"/operator/feedback/{item['id']}/reply",
        {"reply": "谢谢您!", "next": "/operator/feedback"},
        "/operator/feedback",
    )
    assert response.status_code == 303
    assert await fetchval("SELECT reply FROM feedback WHERE id = $1", item["id"]) == "谢谢您!"
    response = await post(
        client,
        f"/operator/feedback/{item['id']}/flag",
        {"reason": "广告", "next": "/operator/feedback"},
        "/operator/feedback",
    )
    assert response.status_code == 303
    assert await fetchval("SELECT abuse_flagged FROM feedback WHERE id = $1", item["id"]) is True


async def test_piccolo_admin_is_for_admins_only(client, world):
    assert (await client.get("/admin/")).status_code == 401
    await factories.account("ops@sanya.cn", role="operator", base_ids=[world.bases["sanya"]["id"]])
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)
    assert (await client.get("/admin/")).status_code == 403
    assert (await client.get("/admin/api/tables/")).status_code == 403
    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/operator")})
    await factories.account("admin@sojourn.cn", role="admin")
    await sign_in(client, "admin@sojourn.cn", factories.PASSWORD)
    root = await client.get("/admin/")
    assert root.status_code == 200 and '<div id="app">' in root.text
    tables = await client.get("/admin/api/tables/")
    assert tables.status_code == 200 and "booking" in tables.json()
    assert "id=" not in tables.headers.get("set-cookie", "")  # the admin session never reaches the browser
    rows = await client.get("/admin/api/tables/base/")
    assert rows.status_code == 200 and rows.json()["rows"]
