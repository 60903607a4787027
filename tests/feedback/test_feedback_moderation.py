"""Public reviews, operators' replies and flags, admins' hiding, and the feedback requests job."""

import datetime as dt
import json

import pytest

from sojourn import db
from sojourn.feedback import requests
from tests import factories
from tests.pinned import SHANGHAI

START = dt.date(2027, 1, 10)
ARRIVAL, DEPARTURE = dt.date(2027, 1, 20), dt.date(2027, 1, 27)


@pytest.fixture
async def reviewed(client):
    """Sanya has three reviews (one hidden), Hulunbuir one; operators for each base, an admin."""
    world = await factories.small_world(start=START)
    senior = await factories.account("13800000001")
    people = {
        name: await factories.traveller(senior, name=name) for name in ("王秀兰", "李建国", "张桂芳", "Mary Smith")
    }

    async def review(tour, name, **extra):
        stay = await factories.past_stay(tour, senior, [people[name]["id"]], arrival=ARRIVAL, departure=DEPARTURE)
        return await factories.feedback(stay, people[name]["id"], **extra)

    sanya, hulunbuir = world.tours["vacation"], world.tours["interactive"]
    world.feedback = {
        "kind": await review(sanya, "王秀兰", ratings=5, nps=10, comment="护士很耐心，有事打13800138000找我女儿。"),
        "rude": await review(sanya, "李建国", ratings=1, nps=0, comment="一派胡言的脏话", hidden=True),
        "quiet": await review(sanya, "Mary Smith", ratings=4, nps=8, comment=""),
        "north": await review(hulunbuir, "张桂芳", ratings=3, nps=6, comment="草原很美，交通不便。"),
    }
    await factories.account("ops@sanya.example", role="operator", base_ids=[world.bases["sanya"]["id"]])
    await factories.account("ops@hulunbuir.example", role="operator", base_ids=[world.bases["hulunbuir"]["id"]])
    world.admin_id = await factories.account("admin@sojourn.example", role="admin")
    world.senior_id = senior
    return world


async def headers(client, login):
    return {**(await factories.bearer(client, login)), "Accept-Language": "en"}


# --- public reviews -----------------------------------------------------------------------------


async def test_public_reviews_show_smoothed_scores_and_hide_hidden_comments_and_full_names(client, reviewed):
    response = await client.get(f"/api/v1/bases/{reviewed.bases['sanya']['id']}/reviews")
    assert response.status_code == 200  # no sign-in needed
    page = response.json()
    # Hidden feedback counts nowhere. Alliance m = (5 + 4 + 3) / 3 = 4 on every aspect;
    # Sanya: 2 reviews summing 9 → (10·4 + 9) / 12 = 4.08.
    assert page["review_count"] == 2
    assert page["overall"] == {"score": pytest.approx(4.08), "average": 4.5, "count": 2}
    assert page["aspects"]["medical"]["count"] == 2
    assert page["nps"]["answers"] == 2 and page["nps"]["score"] == 50.0  # one promoter, one passive
    assert page["nps_reliable"] is False and page["prior_weight"] == 10
    # Comments: only the published ones with text, newest first; masked names and numbers.
    assert page["total"] == 1
    [item] = page["items"]
    assert item["author"] == "王**" and item["stayed_in"] == "2027-01" and item["rating"] == 5.0
    assert "13800138000" not in response.text and "138******00" in item["comment"]
    for secret in ("王秀兰", "李建国", "一派胡言", "Mary Smith", "13800000001"):
        assert secret not in response.text


async def test_public_reviews_of_a_base_without_feedback_and_of_no_base(client, reviewed):
    async with db.connection() as conn:
        await conn.execute("UPDATE feedback SET hidden = true WHERE base = $1", reviewed.bases["hulunbuir"]["id"])
    empty = (await client.get(f"/api/v1/bases/{reviewed.bases['hulunbuir']['id']}/reviews")).json()
    assert empty["review_count"] == 0 and empty["overall"]["score"] is None and empty["items"] == []
    assert (await client.get("/api/v1/bases/999999/reviews")).status_code == 404
    assert (await client.get(f"/api/v1/bases/{reviewed.bases['sanya']['id']}/reviews?limit=500")).status_code == 400


# --- operators ----------------------------------------------------------------------------------


async def test_operators_list_their_bases_feedback_with_hidden_ones_marked(client, reviewed):
    sanya_ops = await headers(client, "ops@sanya.example")
    listed = (await client.get("/api/v1/operator/feedback", headers=sanya_ops)).json()
    assert listed["total"] == 3
    assert {item["id"]: item["hidden"] for item in listed["items"]} == {
        reviewed.feedback["kind"]["id"]: False,
        reviewed.feedback["rude"]["id"]: True,
        reviewed.feedback["quiet"]["id"]: False,
    }
    assert "王秀兰" not in json.dumps(listed, ensure_ascii=False)
    only_hidden = (await client.get("/api/v1/operator/feedback?hidden=true", headers=sanya_ops)).json()
    assert [item["id"] for item in only_hidden["items"]] == [reviewed.feedback["rude"]["id"]]
    other_base = await client.get(
        f"/api/v1/operator/feedback?base_id={reviewed.bases['hulunbuir']['id']}", headers=sanya_ops
    )
    assert other_base.status_code == 404
    admin = await headers(client, "admin@sojourn.example")
    assert (await client.get("/api/v1/operator/feedback", headers=admin)).json()["total"] == 4


async def test_an_operator_replies_publicly_and_can_correct_the_reply(client, reviewed):
    sanya_ops = await headers(client, "ops@sanya.example")
    kind = reviewed.feedback["kind"]["id"]
    first = await client.post(
        f"/api/v1/operator/feedback/{kind}/reply",
        json={"reply": " 谢谢您的肯定！ "},
        headers=sanya_ops,
    )
    assert first.status_code == 200 and first.json()["reply"] == "谢谢您的肯定！"
    corrected = await client.post(
        f"/api/v1/operator/feedback/{kind}/reply",
        json={"reply": "谢谢，欢迎再来！"},
        headers=sanya_ops,
    )
    assert corrected.json()["reply"] == "谢谢，欢迎再来！"
    public = (await client.get(f"/api/v1/bases/{reviewed.bases['sanya']['id']}/reviews")).json()
    assert public["items"][0]["reply"] == "谢谢，欢迎再来！" and public["items"][0]["replied_at"]
    async with db.connection() as conn:
        audits = await conn.fetch("SELECT detail FROM audit_event WHERE action = 'feedback_replied' ORDER BY id")
        messages = await conn.fetch("SELECT account FROM outbox_message WHERE kind = 'feedback_replied'")
    assert [json.loads(a["detail"])["previous_reply"] for a in audits] == [None, "谢谢您的肯定！"]
    assert [m["account"] for m in messages] == [reviewed.senior_id]  # told once, not on every correction
    blank = await client.post(f"/api/v1/operator/feedback/{kind}/reply", json={"reply": "   "}, headers=sanya_ops)
    assert blank.status_code == 422 and "reply" in blank.json()["field_errors"]
    removed = await client.delete(f"/api/v1/operator/feedback/{kind}/reply", headers=sanya_ops)
    assert removed.status_code == 200 and removed.json()["reply"] == ""


async def test_an_operator_of_another_base_gets_404_on_reply_and_flag(client, reviewed):
    north_ops = await headers(client, "ops@hulunbuir.example")
    kind = reviewed.feedback["kind"]["id"]
    for path, payload in (
        (f"/api/v1/operator/feedback/{kind}/reply", {"reply": "不是我们的"}),
        (f"/api/v1/operator/feedback/{kind}/flag", None),
    ):
        response = await client.post(path, json=payload, headers=north_ops)
        assert response.status_code == 404, path
    assert (await client.delete(f"/api/v1/operator/feedback/{kind}/reply", headers=north_ops)).status_code == 404
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT reply, abuse_flagged FROM feedback WHERE id = $1", kind)
        assert await conn.fetchval("SELECT count(*) FROM audit_event WHERE object_type = 'feedback'") == 0
    assert row["reply"] == "" and row["abuse_flagged"] is False


async def test_travellers_get_403_on_operator_and_admin_endpoints(client, reviewed):
    senior = await headers(client, "13800000001")
    kind = reviewed.feedback["kind"]["id"]
    calls = [
        ("GET", "/api/v1/operator/feedback", None),
        ("POST", f"/api/v1/operator/feedback/{kind}/reply", {"reply": "自问自答"}),
        ("POST", f"/api/v1/operator/feedback/{kind}/flag", None),
        ("POST", f"/api/v1/admin/feedback/{kind}/hide", {"reason": "test"}),
        ("POST", f"/api/v1/admin/feedback/{kind}/unhide", None),
    ]
    for method, path, payload in calls:
        response = await client.request(method, path, json=payload, headers=senior)
        assert response.status_code == 403, (method, path)
    operator = await headers(client, "ops@sanya.example")
    hide = await client.post(f"/api/v1/admin/feedback/{kind}/hide", json={"reason": "不喜欢"}, headers=operator)
    assert hide.status_code == 403


# --- flags and hiding ---------------------------------------------------------------------------


async def test_flag_then_admin_hides_and_unhides_with_audit(client, reviewed):
    sanya_ops = await headers(client, "ops@sanya.example")
    admin = await headers(client, "admin@sojourn.example")
    sanya = reviewed.bases["sanya"]["id"]
    kind = reviewed.feedback["kind"]["id"]
    flagged = await client.post(
        f"/api/v1/operator/feedback/{kind}/flag", json={"reason": "含电话号码"}, headers=sanya_ops
    )
    assert flagged.status_code == 200 and flagged.json()["abuse_flagged"] is True
    again = await client.post(
        f"/api/v1/operator/feedback/{kind}/flag", headers=sanya_ops
    )  # no body: fine, and idempotent
    assert again.status_code == 200
    queue = (await client.get("/api/v1/operator/feedback?flagged=true", headers=admin)).json()
    assert [item["id"] for item in queue["items"]] == [kind]
    # Flagging alone changes nothing in public.
    assert (await client.get(f"/api/v1/bases/{sanya}/reviews")).json()["total"] == 1

    no_reason = await client.post(f"/api/v1/admin/feedback/{kind}/hide", json={}, headers=admin)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["field_errors"]
    hidden = await client.post(f"/api/v1/admin/feedback/{kind}/hide", json={"reason": "包含个人电话"}, headers=admin)
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True and hidden.json()["abuse_flagged"] is False
    public = (await client.get(f"/api/v1/bases/{sanya}/reviews")).json()
    assert public["total"] == 0 and public["review_count"] == 1  # out of the comments and the scores

    unhidden = await client.post(f"/api/v1/admin/feedback/{kind}/unhide", headers=admin)
    assert unhidden.status_code == 200 and unhidden.json()["hidden"] is False
    assert (await client.get(f"/api/v1/bases/{sanya}/reviews")).json()["review_count"] == 2
    async with db.connection() as conn:
        events = await conn.fetch(
            "SELECT action, actor_id, detail FROM audit_event WHERE object_type = 'feedback' AND object_id = $1 ORDER BY id",
            kind,
        )
        hidden_by = await conn.fetchval("SELECT hidden_by FROM feedback WHERE id = $1", kind)
    assert [e["action"] for e in events] == [
        "feedback_flagged",
        "feedback_hidden",
        "feedback_unhidden",
    ]
    assert json.loads(events[1]["detail"])["reason"] == "包含个人电话" and events[1]["actor_id"] == reviewed.admin_id
    assert json.loads(events[1]["detail"])["was_flagged"] is True
    assert hidden_by is None


async def test_admin_can_dismiss_a_flag_without_hiding(client, reviewed):
    sanya_ops = await headers(client, "ops@sanya.example")
    admin = await headers(client, "admin@sojourn.example")
    quiet = reviewed.feedback["quiet"]["id"]
    await client.post(f"/api/v1/operator/feedback/{quiet}/flag", headers=sanya_ops)
    dismissed = await client.post(
        f"/api/v1/admin/feedback/{quiet}/dismiss-flag", json={"reason": "没有问题"}, headers=admin
    )
    assert dismissed.json()["abuse_flagged"] is False and dismissed.json()["hidden"] is False


async def test_hidden_feedback_cannot_be_changed_by_its_author(client, reviewed, clock):
    clock.set(dt.datetime(2027, 3, 2, 12, 0, tzinfo=SHANGHAI))  # within 14 days of the review
    senior = await headers(client, "13800000001")
    rude = reviewed.feedback["rude"]["id"]
    ratings = {
        aspect: 5
        for aspect in (
            "accommodation",
            "food",
            "medical",
            "activities",
            "staff",
            "transport",
            "value",
            "safety",
        )
    }
    response = await client.put(f"/api/v1/feedback/{rude}", json={"ratings": ratings, "nps": 10}, headers=senior)
    assert response.status_code == 409 and response.json()["code"] == "feedback_hidden"
    quiet = reviewed.feedback["quiet"]["id"]
    assert (
        await client.put(f"/api/v1/feedback/{quiet}", json={"ratings": ratings, "nps": 10}, headers=senior)
    ).status_code == 200


# --- asking for feedback after a stay -----------------------------------------------------------


@pytest.mark.usefixtures("db")
async def test_request_feedback_asks_once_per_ended_stay(settings):
    world = await factories.small_world(start=START)
    senior = await factories.account("13800000001")
    tour = world.tours["vacation"]
    people = [await factories.traveller(senior, name=f"旅客{i}") for i in range(6)]

    async def stay(person, departure, status="confirmed"):
        return await factories.past_stay(
            tour,
            senior,
            [person["id"]],
            arrival=departure - dt.timedelta(days=7),
            departure=departure,
            status=status,
        )

    today = dt.date(2027, 2, 10)
    ended_yesterday = await stay(people[0], today - dt.timedelta(days=1))
    checked_out = await stay(people[1], today - dt.timedelta(days=3), status="checked_out")
    await stay(people[2], today)  # ends today: not yet
    await stay(people[3], today - dt.timedelta(days=2), status="cancelled")
    await stay(people[4], today - dt.timedelta(days=40))  # too long ago to start asking now
    already_given = await stay(people[5], today - dt.timedelta(days=2))
    await factories.feedback(already_given, people[5]["id"])

    night = dt.datetime(2027, 2, 10, 3, 0, tzinfo=SHANGHAI)
    assert await requests.request_feedback(night, settings) == 2
    assert await requests.request_feedback(night + dt.timedelta(hours=1), settings) == 0  # nothing twice
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT * FROM outbox_message WHERE kind = 'feedback_request' ORDER BY id")
    assert [row["dedupe_key"] for row in rows] == [
        f"feedback_request:{ended_yesterday['id']}",
        f"feedback_request:{checked_out['id']}",
    ]
    assert all(row["account"] == senior for row in rows)
    # Asked at 3 a.m. at the base: delivered from 9 a.m.
    assert rows[0]["deliver_after"] == dt.datetime(2027, 2, 10, 9, 0, tzinfo=SHANGHAI)
    assert json.loads(rows[0]["payload"])["reference"] == ended_yesterday["reference"]


def test_requests_due_in_the_daytime_go_at_once():
    noon = dt.datetime(2027, 2, 10, 12, 0, tzinfo=SHANGHAI)
    assert requests.deliver_after(noon, "Asia/Shanghai") == noon
    late = dt.datetime(2027, 2, 10, 22, 0, tzinfo=SHANGHAI)
    assert requests.deliver_after(late, "Asia/Shanghai") == dt.datetime(2027, 2, 11, 9, 0, tzinfo=SHANGHAI)
