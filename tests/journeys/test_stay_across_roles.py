"""A whole stay across roles and time: the senior, the base, the coordinator, with the clock
moved between steps. Each step checks what the next person sees.

The senior uses the pages (server-rendered HTML over the app, the same pages a browser gets);
the base and the coordinator use the API. The clock of a separate ``sojourn serve`` cannot be
moved from a test, so the days of this story pass on the in-process app's clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from sojourn import db as database
from sojourn.feedback.requests import request_feedback
from sojourn.notifications.messages import render
from tests import factories
from tests.bookings.test_booking_web import hold_vacation, signed_in_family
from tests.feedback.test_feedback_web import ALL_GOOD
from tests.health.test_health_web import COMPLETE
from tests.payment_helpers import pay_on_pages
from tests.pinned import SHANGHAI
from tests.stats_helpers import coordinator, token_for
from tests.web_helpers import post_form, sign_in

SENIOR = "13800138000"
SITE = "https://sojourn.example"


def at_base(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI).astimezone(dt.UTC)


async def told(kind: str) -> tuple[str, str]:
    """The last message of ``kind`` as the senior reads it (English), and the path it links to."""
    async with database.connection() as conn:
        payload = await conn.fetchval(
            "SELECT payload::text FROM outbox_message WHERE kind = $1 ORDER BY id DESC LIMIT 1", kind
        )
    assert payload is not None, f"no {kind} message"
    message = render(kind, json.loads(payload), "en", SITE)
    links = re.findall(re.escape(SITE) + r"(/\S*)", message.body)
    assert len(links) == 1, message.body
    return message.body, links[0]


async def test_a_stay_for_two_from_booking_to_the_coordinators_statistics(client, db, clock, settings):
    world = await factories.small_world()
    sanya = world.bases["sanya"]["id"]
    tour = world.tours["vacation"]
    arrival, departure = tour["starts_on"], tour["ends_on"]
    account_id, (wife, husband) = await signed_in_family(client)
    base = await token_for(await factories.account("ops@sanya.cn", role="operator", base_ids=[sanya]))

    # She books for herself and her husband, declares for both and confirms: all on the pages.
    booking_id = await hold_vacation(client, world, [wife, husband])
    for traveller, companion in ((wife, "李建国"), (husband, "王秀兰")):
        form = f"/trips/{booking_id}/health/{traveller}"
        sent = await post_form(
            client, form, {**COMPLETE, "companion.name": companion, "action": "send"}, from_page=form
        )
        assert sent.status_code == 303, sent.text[:500]
    confirmed = await post_form(client, f"/trips/{booking_id}/confirm", {}, from_page=f"/trips/{booking_id}")
    assert confirmed.status_code == 303 and confirmed.headers["location"] == f"/trips/{booking_id}/pay"
    await pay_on_pages(client, booking_id)  # paying is what confirms
    trip = (await client.get(f"/trips/{booking_id}")).text
    assert trip.count("sent, the base will check it") == 2

    # The base sees both forms waiting, and asks about hers.
    queue = (await client.get("/api/v1/operator/declarations", headers=base)).json()
    forms = {item["traveller_id"]: item["declaration_id"] for item in queue["items"]}
    assert set(forms) == {wife, husband}
    clock.advance(hours=2)
    asked = await client.post(
        f"/api/v1/operator/declarations/{forms[wife]}/review",
        json={"decision": "request_info", "note": "请告诉我们您平时的血压读数。"},
        headers=base,
    )
    assert asked.status_code == 200, asked.text

    # She is told, follows the link, and answers on the form.
    body, link = await told("declaration_info_requested")
    assert "question about the health form of 王秀兰" in body and "血压" not in body
    assert link == f"/trips/{booking_id}/health"
    assert "请告诉我们您平时的血压读数。" in (await client.get(f"/trips/{booking_id}")).text
    clock.advance(hours=3)
    form = f"/trips/{booking_id}/health/{wife}"
    answered = await post_form(
        client, form, {**COMPLETE, "action": "send", "answer": "平时130/80左右。"}, from_page=form
    )
    assert answered.status_code == 303, answered.text[:500]

    # The base reads question and answer, in its own time, and approves both.
    thread = (await client.get(f"/api/v1/operator/declarations/{forms[wife]}", headers=base)).json()["thread"]
    assert [(m["side"], m["text"]) for m in thread] == [
        ("base", "请告诉我们您平时的血压读数。"),
        ("booker", "平时130/80左右。"),
    ]
    assert all(m["at"].endswith("+08:00") for m in thread)
    for traveller in (wife, husband):
        accepted = await client.post(
            f"/api/v1/operator/declarations/{forms[traveller]}/review", json={"decision": "accept"}, headers=base
        )
        assert accepted.status_code == 200, accepted.text
    assert (await client.get(f"/trips/{booking_id}/health")).text.count("accepted by the base") == 2

    # The day of arrival: the base checks them in; her trip says she is there.
    clock.set(at_base(arrival, 10))
    await sign_in(client, SENIOR, factories.PASSWORD)  # weeks have passed since she signed in
    arrivals = (await client.get(f"/api/v1/operator/bases/{sanya}/dashboard", headers=base)).json()["arrivals"]
    assert [item["booking_id"] for item in arrivals] == [booking_id]
    checked_in = await client.post(f"/api/v1/operator/bookings/{booking_id}/check-in", headers=base)
    assert checked_in.status_code == 200, checked_in.text
    assert "Staying there now" in (await client.get(f"/trips/{booking_id}")).text

    # Departure.
    clock.set(at_base(departure, 9))
    checked_out = await client.post(f"/api/v1/operator/bookings/{booking_id}/check-out", headers=base)
    assert checked_out.status_code == 200, checked_out.text

    # The next morning the feedback request arrives, and its link opens the feedback form.
    clock.set(at_base(departure + dt.timedelta(days=1), 10))
    assert await request_feedback(clock.now(), settings) == 1
    body, link = await told("feedback_request")
    assert link == f"/trips/{booking_id}/feedback"
    visitor = await client.get(link)  # a week after arriving, her session has ended: sign in, come back
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login?next=")
    back = await post_form(
        client,
        "/login",
        {"login": SENIOR, "password": factories.PASSWORD, "next": link},
        from_page=visitor.headers["location"],
    )
    assert back.headers["location"] == link
    page = await client.get(link)
    assert page.status_code == 200 and "Feedback from 王秀兰" in page.text
    for traveller in (wife, husband):
        saved = await post_form(client, f"/trips/{booking_id}/feedback/{traveller}", ALL_GOOD, from_page=link)
        assert saved.status_code == 303, saved.text[:500]

    # The base replies; she is told, and the link shows her the answer.
    listed = (await client.get("/api/v1/operator/feedback", headers=base)).json()["items"]
    assert {item["booking_id"] for item in listed} == {booking_id} and len(listed) == 2
    hers = listed[0]
    replied = await client.post(
        f"/api/v1/operator/feedback/{hers['id']}/reply", json={"reply": "谢谢您，欢迎明年再来！"}, headers=base
    )
    assert replied.status_code == 200, replied.text
    body, link = await told("feedback_replied")
    assert "answered your comment" in body
    assert link == f"/trips/{booking_id}/feedback"
    assert "谢谢您，欢迎明年再来！" in (await client.get(link)).text

    # The coordinator's statistics include the stay.
    everyone = await coordinator(client, "stats@sojourn.example")
    satisfaction = (await client.get("/api/v1/stats/satisfaction", headers=everyone)).json()
    sanya_scores = next(row for row in satisfaction if row["group"] == "base" and row["id"] == sanya)
    assert sanya_scores["review_count"] == 2
    flows = (await client.get("/api/v1/stats/flows", headers=everyone)).json()
    assert [(f["origin_code"], f["destination_code"], f["travellers"]) for f in flows] == [("230000", "460000", 2)]
    assert flows[0]["bed_nights"] == 2 * (departure - arrival).days
    assert account_id  # the same senior throughout
