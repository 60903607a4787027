"""Operators manage the tours of their own bases: create, change, publish, close, cancel a departure."""

import datetime as dt
from dataclasses import replace

import httpx
import pytest

from sojourn import db
from sojourn.bookings.locking import lock_base
from tests import booking_helpers, factories
from tests.booking_helpers import booker, calendar_mismatches
from tests.health_helpers import START, book, fetch, fetchval, operator
from tests.pinned import PINNED_NOW
from tests.web_helpers import post_form, sign_in

TOURS = "/api/v1/operator/tours"


@pytest.fixture
async def sanya_ops(client, world):
    return await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"])


@pytest.fixture
async def hulunbuir_ops(client, world):
    return await operator(client, "ops@hulunbuir.cn", world.bases["hulunbuir"]["id"])


def vacation_body(world, **changes) -> dict:
    body = {
        "base_id": world.bases["sanya"]["id"],
        "mode": "vacation",
        "title_zh": "三亚春节团",
        "title_en": "Spring Festival in Sanya",
        "summary_zh": "温暖过年",
        "includes_zh": "住宿、三餐、体检",
        "starts_on": (START + dt.timedelta(days=40)).isoformat(),
        "ends_on": (START + dt.timedelta(days=47)).isoformat(),
        "seats": 12,
        "package_price_fen": 420000,
        "cancellation_policy": [{"days_before": 30, "refund_percent": 100}, {"days_before": 7, "refund_percent": 50}],
        "health_requirements": ["long_stay"],
        "declaration_due_days": 10,
    }
    body.update(changes)
    return body


async def test_operator_creates_a_draft_tour_at_their_base(client, world, sanya_ops):
    response = await client.post(TOURS, json=vacation_body(world), headers=sanya_ops)
    assert response.status_code == 201, response.text
    tour = response.json()
    assert tour["status"] == "draft" and tour["base_id"] == world.bases["sanya"]["id"]
    assert tour["seats"] == 12 and tour["seats_left"] == 12 and tour["package_price_fen"] == 420000
    assert tour["organiser_member_id"] == world.members["hi"]["id"]
    assert tour["health_requirements"] == ["long_stay"] and tour["declaration_due_days"] == 10
    assert (await client.get(f"/api/v1/tours/{tour['id']}")).status_code == 404  # not offered yet
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'tour_created'") == 1


async def test_exchange_tour_with_quotas_and_a_seasonal_stay_can_be_created(client, world, hulunbuir_ops, sanya_ops):
    exchange = {
        **vacation_body(world, base_id=world.bases["hulunbuir"]["id"], mode="interactive", seats=10),
        "partner_member_id": world.members["bj"]["id"],
        "quotas": [
            {"member_id": world.members["bj"]["id"], "seats": 6},
            {"member_id": world.members["nm"]["id"], "seats": 4},
        ],
    }
    response = await client.post(TOURS, json=exchange, headers=hulunbuir_ops)
    assert response.status_code == 201, response.text
    assert {(q["member_id"], q["seats"]) for q in response.json()["quotas"]} == {
        (world.members["bj"]["id"], 6),
        (world.members["nm"]["id"], 4),
    }
    seasonal = vacation_body(
        world,
        mode="migratory",
        seats=None,
        package_price_fen=None,
        monthly_price_fen=260000,
        min_nights=28,
        max_nights=90,
        ends_on=(START + dt.timedelta(days=160)).isoformat(),
    )
    response = await client.post(TOURS, json=seasonal, headers=sanya_ops)
    assert response.status_code == 201, response.text
    assert response.json()["min_nights"] == 28 and response.json()["price_per_night_fen"] == 8667


@pytest.mark.parametrize(
    "changes, fields",
    [
        ({"ends_on": (START + dt.timedelta(days=30)).isoformat()}, {"ends_on"}),
        ({"seats": None, "package_price_fen": None}, {"seats", "package_price_fen"}),
        ({"mode": "migratory", "seats": None, "package_price_fen": None}, {"monthly_price_fen", "min_nights"}),
        ({"mode": "interactive"}, {"partner_member_id"}),
        (
            {
                "cancellation_policy": [
                    {"days_before": 30, "refund_percent": 20},
                    {"days_before": 7, "refund_percent": 50},
                ]
            },
            {"cancellation_policy"},
        ),
        ({"starts_on": "2026-11-20", "ends_on": "2026-11-25"}, {"starts_on"}),
    ],
    ids=[
        "ends before it starts",
        "no seats nor price",
        "seasonal without terms",
        "exchange without partner",
        "earlier refunds less",
        "in the past",
    ],
)
async def test_a_badly_formed_tour_is_refused_field_by_field(client, world, sanya_ops, changes, fields):
    response = await client.post(TOURS, json=vacation_body(world, **changes), headers=sanya_ops)
    assert response.status_code == 422, response.text
    assert fields <= set(response.json()["field_errors"]), response.json()
    assert await fetchval("SELECT count(*) FROM tour WHERE title_zh = '三亚春节团'") == 0


async def test_tours_of_another_base_are_not_found_and_travellers_are_not_allowed(client, world, hulunbuir_ops):
    assert (await client.post(TOURS, json=vacation_body(world), headers=hulunbuir_ops)).status_code == 404
    vacation = world.tours["vacation"]["id"]
    for method, path, body in (
        ("GET", f"{TOURS}/{vacation}", None),
        ("PATCH", f"{TOURS}/{vacation}", {"title_zh": "改名"}),
        ("POST", f"{TOURS}/{vacation}/publish", None),
        ("POST", f"{TOURS}/{vacation}/close", None),
        ("POST", f"{TOURS}/{vacation}/cancel-departure", {"reason": "台风"}),
        ("GET", f"{TOURS}/{vacation}/manifest", None),
    ):
        response = await client.request(method, path, json=body, headers=hulunbuir_ops)
        assert response.status_code == 404, (method, path, response.text)
    listed = (await client.get(TOURS, headers=hulunbuir_ops)).json()
    assert {tour["base_id"] for tour in listed["items"]} == {world.bases["hulunbuir"]["id"]}
    senior = await booker(client, "13800000009")
    assert (await client.post(TOURS, json=vacation_body(world), headers=senior.headers)).status_code == 403
    assert (await client.get(TOURS, headers=senior.headers)).status_code == 403


async def test_publish_offers_the_tour_and_close_stops_new_bookings(client, world, sanya_ops):
    tour_id = (await client.post(TOURS, json=vacation_body(world), headers=sanya_ops)).json()["id"]
    published = await client.post(f"{TOURS}/{tour_id}/publish", headers=sanya_ops)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert (await client.get(f"/api/v1/tours/{tour_id}")).status_code == 200
    senior = await booker(client, "13800000001")
    held = await client.post(
        "/api/v1/bookings", json={"tour_id": tour_id, "traveller_ids": senior.traveller_ids}, headers=senior.headers
    )
    assert held.status_code == 201, held.text
    closed = await client.post(f"{TOURS}/{tour_id}/close", headers=sanya_ops)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    other = await booker(client, "13800000002")
    refused = await client.post(
        "/api/v1/bookings", json={"tour_id": tour_id, "traveller_ids": other.traveller_ids}, headers=other.headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "tour_closed"
    await booking_helpers.confirm(client, held.json()["id"], senior.headers)  # the bookings made stand
    assert (await client.post(f"{TOURS}/{tour_id}/publish", headers=sanya_ops)).json()["status"] == "published"
    actions = await fetch("SELECT action FROM audit_event WHERE object_type = 'tour' ORDER BY id")
    assert [a["action"] for a in actions] == ["tour_created", "tour_published", "tour_closed", "tour_published"]


async def test_a_draft_cannot_be_closed_and_a_started_tour_cannot_be_published(client, world, sanya_ops, clock):
    draft = (await client.post(TOURS, json=vacation_body(world), headers=sanya_ops)).json()["id"]
    response = await client.post(f"{TOURS}/{draft}/close", headers=sanya_ops)
    assert response.status_code == 409 and response.json()["code"] == "not_published"
    clock.set(PINNED_NOW + dt.timedelta(days=120))
    sanya_ops = await factories.bearer(client, "ops@sanya.cn")  # the old token ran out meanwhile
    response = await client.post(f"{TOURS}/{draft}/publish", headers=sanya_ops)
    assert response.status_code == 409 and response.json()["code"] == "tour_started"


async def test_seats_never_go_below_what_is_taken(client, world, sanya_ops):
    tour_id = world.tours["vacation"]["id"]
    senior = await booker(client, "13800000001", travellers=3)
    held = await client.post(
        "/api/v1/bookings", json={"tour_id": tour_id, "traveller_ids": senior.traveller_ids}, headers=senior.headers
    )
    assert held.status_code == 201
    response = await client.patch(f"{TOURS}/{tour_id}", json={"seats": 2}, headers=sanya_ops)
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "seats_below_taken" and problem["taken"] == 3
    assert "3" in problem["field_errors"]["seats"]
    response = await client.patch(f"{TOURS}/{tour_id}", json={"seats": 3, "title_en": "Sanya week"}, headers=sanya_ops)
    assert response.status_code == 200, response.text
    assert response.json()["seats"] == 3 and response.json()["seats_left"] == 0
    assert response.json()["title_en"] == "Sanya week"
    assert await calendar_mismatches() == []


async def test_seats_taken_by_a_hold_that_ran_out_do_not_count(client, world, sanya_ops, clock):
    tour_id = world.tours["vacation"]["id"]
    senior = await booker(client, "13800000001", travellers=3)
    await client.post(
        "/api/v1/bookings", json={"tour_id": tour_id, "traveller_ids": senior.traveller_ids}, headers=senior.headers
    )
    clock.advance(minutes=20)
    response = await client.patch(f"{TOURS}/{tour_id}", json={"seats": 1}, headers=sanya_ops)
    assert response.status_code == 200, response.text
    assert await calendar_mismatches() == []


async def test_quotas_never_go_below_what_is_taken(client, world, hulunbuir_ops):
    booked = await book(client, world, "13800000001", tour="interactive", province="110000")
    assert booked.booking_id
    tour_id = world.tours["interactive"]["id"]
    bj, nm = world.members["bj"]["id"], world.members["nm"]["id"]
    response = await client.patch(
        f"{TOURS}/{tour_id}", json={"quotas": [{"member_id": nm, "seats": 4}]}, headers=hulunbuir_ops
    )
    assert response.status_code == 409 and response.json()["code"] == "quota_below_taken"
    assert response.json()["quotas_taken"] == [{"member_id": bj, "taken": 1}]
    response = await client.patch(
        f"{TOURS}/{tour_id}",
        json={"quotas": [{"member_id": bj, "seats": 1}, {"member_id": nm, "seats": 9}]},
        headers=hulunbuir_ops,
    )
    assert response.status_code == 200, response.text
    assert {(q["member_id"], q["seats"], q["taken"]) for q in response.json()["quota_taken"]} == {
        (bj, 1, 1),
        (nm, 9, 0),
    }


async def test_a_tour_never_moves_to_another_base(client, world, sanya_ops):
    admin = await _admin(client)
    tour_id = world.tours["vacation"]["id"]
    response = await client.patch(f"{TOURS}/{tour_id}", json={"base_id": world.bases["hulunbuir"]["id"]}, headers=admin)
    assert response.status_code == 409
    assert response.json()["code"] == "base_is_fixed" and "base_id" in response.json()["field_errors"]
    same = await client.patch(f"{TOURS}/{tour_id}", json={"base_id": world.bases["sanya"]["id"]}, headers=sanya_ops)
    assert same.status_code == 200
    assert await fetchval("SELECT base FROM tour WHERE id = $1", tour_id) == world.bases["sanya"]["id"]


async def test_dates_change_only_while_no_booking_stands(client, world, sanya_ops):
    tour_id = world.tours["vacation"]["id"]
    later = {
        "starts_on": (START + dt.timedelta(days=12)).isoformat(),
        "ends_on": (START + dt.timedelta(days=19)).isoformat(),
    }
    booked = await book(client, world, "13800000001", tour="vacation")
    response = await client.patch(f"{TOURS}/{tour_id}", json=later, headers=sanya_ops)
    assert response.status_code == 409 and response.json()["code"] == "tour_has_bookings"
    assert response.json()["active_bookings"] == 1 and "starts_on" in response.json()["field_errors"]
    cancelled = await client.post(
        f"/api/v1/bookings/{booked.booking_id}/cancel", json={}, headers=booked.booker.headers
    )
    assert cancelled.status_code == 200
    response = await client.patch(f"{TOURS}/{tour_id}", json=later, headers=sanya_ops)
    assert response.status_code == 200 and response.json()["starts_on"] == later["starts_on"]


async def test_with_bookings_the_refund_terms_may_only_become_more_generous(client, world, sanya_ops):
    tour_id = world.tours["vacation"]["id"]
    await book(client, world, "13800000001", tour="vacation")
    meaner = [{"days_before": 30, "refund_percent": 80}]
    response = await client.patch(f"{TOURS}/{tour_id}", json={"cancellation_policy": meaner}, headers=sanya_ops)
    assert response.status_code == 409 and response.json()["code"] == "policy_less_generous"
    kinder = [{"days_before": 14, "refund_percent": 100}, {"days_before": 3, "refund_percent": 50}]
    response = await client.patch(f"{TOURS}/{tour_id}", json={"cancellation_policy": kinder}, headers=sanya_ops)
    assert response.status_code == 200, response.text


async def test_unknown_fields_and_bad_values_are_refused(client, world, sanya_ops):
    tour_id = world.tours["vacation"]["id"]
    response = await client.patch(f"{TOURS}/{tour_id}", json={"seats_taken": 0}, headers=sanya_ops)
    assert response.status_code == 400 and "seats_taken" in response.json()["field_errors"]
    response = await client.patch(f"{TOURS}/{tour_id}", json={"seats": -3}, headers=sanya_ops)
    assert response.status_code == 400 and "seats" in response.json()["field_errors"]


async def test_editing_seats_waits_for_the_base_lock(world, settings, clock):
    """Seats are capacity: their change queues behind every other capacity change of the base."""
    from sojourn.app import create_app

    app = create_app(replace(settings, lock_timeout_ms=300), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        headers = await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"])
        async with db.connection() as conn, conn.transaction():
            await lock_base(conn, world.bases["sanya"]["id"], 1000)
            response = await client.patch(
                f"{TOURS}/{world.tours['vacation']['id']}", json={"seats": 30}, headers=headers
            )
        assert response.status_code == 503 and "Retry-After" in response.headers
        response = await client.patch(f"{TOURS}/{world.tours['vacation']['id']}", json={"seats": 30}, headers=headers)
        assert response.status_code == 200


async def test_cancelling_a_departure_refunds_everyone_in_full_and_frees_the_beds(client, world, sanya_ops):
    tour_id = world.tours["vacation"]["id"]
    first = await book(client, world, "13800000001", tour="vacation")
    second = await book(client, world, "13800000002", tour="vacation")
    held = await book(client, world, "13800000003", tour="vacation", confirm=False)
    total = await fetchval("SELECT sum(total_fen) FROM booking WHERE status = 'confirmed'")
    response = await client.post(f"{TOURS}/{tour_id}/cancel-departure", json={"reason": "台风预警"}, headers=sanya_ops)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "tour_id": tour_id,
        "status": "cancelled",
        "bookings_cancelled": 3,
        "refunded_fen": total,
        "waitlist_withdrawn": 0,
    }
    rows = await fetch("SELECT id, status, refund_fen, total_fen FROM booking ORDER BY id")
    assert all(row["status"] == "cancelled" for row in rows)
    by_id = {row["id"]: row for row in rows}
    for booked in (first, second):
        assert by_id[booked.booking_id]["refund_fen"] == by_id[booked.booking_id]["total_fen"]
    assert by_id[held.booking_id]["refund_fen"] == 0  # nothing was paid for a hold
    assert await calendar_mismatches() == []
    assert (
        await fetchval("SELECT coalesce(sum(taken), 0) FROM capacity_night WHERE base = $1", world.bases["sanya"]["id"])
        == 0
    )
    assert await fetchval("SELECT seats_taken FROM tour WHERE id = $1", tour_id) == 0
    messages = await fetch(
        "SELECT account, payload->>'reason' AS reason FROM outbox_message WHERE kind = 'booking_cancelled'"
    )
    assert len(messages) == 3 and all("台风预警" in m["reason"] for m in messages)
    assert await fetchval("SELECT count(*) FROM audit_event WHERE action = 'departure_cancelled'") == 1
    again = await client.post(f"{TOURS}/{tour_id}/cancel-departure", json={"reason": "再次"}, headers=sanya_ops)
    assert again.status_code == 409 and again.json()["code"] == "tour_cancelled"
    edit = await client.patch(f"{TOURS}/{tour_id}", json={"title_zh": "新名字"}, headers=sanya_ops)
    assert edit.status_code == 409


async def test_a_departure_with_travellers_checked_in_cannot_be_cancelled(client, world, sanya_ops, clock):
    booked = await book(client, world, "13800000001", tour="vacation")
    clock.set(dt.datetime.combine(START + dt.timedelta(days=10), dt.time(4, 0), tzinfo=dt.UTC))
    sanya_ops = await factories.bearer(client, "ops@sanya.cn")
    checked = await client.post(f"/api/v1/operator/bookings/{booked.booking_id}/check-in", headers=sanya_ops)
    assert checked.status_code == 200, checked.text
    response = await client.post(
        f"{TOURS}/{world.tours['vacation']['id']}/cancel-departure", json={"reason": "停电"}, headers=sanya_ops
    )
    assert response.status_code == 409 and response.json()["code"] == "travellers_staying"
    assert await fetchval("SELECT status FROM tour WHERE id = $1", world.tours["vacation"]["id"]) == "published"


async def test_cancelling_needs_a_reason(client, world, sanya_ops):
    response = await client.post(
        f"{TOURS}/{world.tours['vacation']['id']}/cancel-departure", json={"reason": ""}, headers=sanya_ops
    )
    assert response.status_code == 400 and "reason" in response.json()["field_errors"]


async def _admin(client) -> dict:
    await factories.account("admin@sojourn.cn", role="admin")
    return await factories.bearer(client, "admin@sojourn.cn")


@pytest.mark.parametrize("field", ["base_id", "partner_member_id"])
async def test_an_id_beyond_any_row_is_a_field_error_not_a_server_error(client, world, sanya_ops, field):
    # Found by schemathesis: a 64-bit base_id once reached PostgreSQL and came back as a 500.
    body = vacation_body(world, **{field: -3768442200646099968})
    response = await client.post("/api/v1/operator/tours", json=body, headers=sanya_ops)
    assert response.status_code in (400, 422), response.text
    assert field in response.json().get("field_errors", {}), response.json()
    too_big = await client.post(
        "/api/v1/operator/tours", json=vacation_body(world, **{field: 2**31}), headers=sanya_ops
    )
    assert too_big.status_code in (400, 422) and field in too_big.json().get("field_errors", {})
    assert await fetchval("SELECT count(*) FROM tour WHERE title_zh = $1", body["title_zh"]) == 0


def exchange_body(world, **changes) -> dict:
    return {
        **vacation_body(world, base_id=world.bases["hulunbuir"]["id"], mode="interactive", seats=10),
        "partner_member_id": world.members["bj"]["id"],
        "quotas": [
            {"member_id": world.members["bj"]["id"], "seats": 6},
            {"member_id": world.members["nm"]["id"], "seats": 4},
        ],
        **changes,
    }


async def test_an_exchange_is_offered_only_under_an_agreement_for_exchanges_in_force_over_its_dates(
    client, world, hulunbuir_ops
):
    created = await client.post(TOURS, json=exchange_body(world), headers=hulunbuir_ops)
    assert created.status_code == 201, created.text
    tour = created.json()
    ends_on = dt.date.fromisoformat(tour["ends_on"])
    nm, bj = world.members["nm"]["id"], world.members["bj"]["id"]

    async def publish(language: str = "zh-CN") -> httpx.Response:
        headers = {**hulunbuir_ops, "Accept-Language": language}
        return await client.post(f"{TOURS}/{tour['id']}/publish", headers=headers)

    refused = await publish()
    assert refused.status_code == 409 and refused.json()["code"] == "no_exchange_agreement"
    assert "联盟协议" in refused.json()["detail"], refused.json()
    english = await publish("en")
    assert "no alliance agreement for exchange trips in force" in english.json()["detail"]
    assert await fetchval("SELECT status FROM tour WHERE id = $1", tour["id"]) == "draft"

    # An agreement for holidays only, or one that ends before the trip does, is not enough.
    wrong_mode = await factories.agreement(nm, bj, modes=("vacation", "migratory"))
    assert (await publish()).json()["code"] == "no_exchange_agreement"
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE agreement SET modes = '{interactive}', expires_on = $2 WHERE id = $1",
            wrong_mode["id"],
            ends_on - dt.timedelta(days=1),
        )
    assert (await publish()).json()["code"] == "no_exchange_agreement"
    async with db.connection() as conn:
        await conn.execute("UPDATE agreement SET expires_on = $2 WHERE id = $1", wrong_mode["id"], ends_on)
    published = await publish()
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["warnings"] == []  # 6 + 4 quotas fill the 10 seats


async def test_quotas_short_of_the_seats_give_a_warning_on_the_api_and_the_page(client, world, hulunbuir_ops):
    await factories.agreement(world.members["nm"]["id"], world.members["bj"]["id"])
    body = exchange_body(
        world,
        quotas=[
            {"member_id": world.members["bj"]["id"], "seats": 5},
            {"member_id": world.members["nm"]["id"], "seats": 2},
        ],
    )
    tour = (await client.post(TOURS, json=body, headers=hulunbuir_ops)).json()
    published = await client.post(f"{TOURS}/{tour['id']}/publish", headers={**hulunbuir_ops, "Accept-Language": "en"})
    assert published.status_code == 200
    assert published.json()["warnings"] == [
        "The members' quotas add up to 7 of the 10 seats: 3 seats cannot be booked by anyone."
        " Raise the quotas or lower the seats."
    ]
    await factories.account("page@hulunbuir.cn", role="operator", base_ids=[world.bases["hulunbuir"]["id"]])
    await sign_in(client, "page@hulunbuir.cn", factories.PASSWORD)
    page = await client.get(f"/operator/tours/{tour['id']}")
    assert "成员名额合计 7 个,少于 10 个座位" in page.text, page.text


async def test_publishing_an_exchange_without_agreement_on_the_page_says_why(client, world, hulunbuir_ops):
    tour = (await client.post(TOURS, json=exchange_body(world), headers=hulunbuir_ops)).json()
    await factories.account("page@hulunbuir.cn", role="operator", base_ids=[world.bases["hulunbuir"]["id"]])
    await sign_in(client, "page@hulunbuir.cn", factories.PASSWORD)
    target = f"/operator/tours/{tour['id']}"
    refused = await post_form(client, f"{target}/publish", {}, from_page=target)
    assert refused.status_code == 303 and refused.headers["location"] == target
    page = await client.get(target)
    assert "没有有效的互动交流联盟协议" in page.text
    assert await fetchval("SELECT status FROM tour WHERE id = $1", tour["id"]) == "draft"
