"""The coordinator's money report: per member and month, collected, refunded, due and unpaid, and
deposits held in escrow, from real payments and refunds at the sandbox; the figures recounted
from the raw payment and refund rows, the escrow falling as nights are stayed."""

from __future__ import annotations

import datetime as dt

import pytest

from sojourn import db as sojourn_db
from sojourn.formatting import yuan
from sojourn.payments import ledger, terms
from sojourn.payments.schedules import PaymentTerms
from tests import factories
from tests.booking_helpers import booker, confirm, migratory_body
from tests.payment_helpers import fetchval
from tests.pinned import PINNED_TODAY, SHANGHAI
from tests.stats_helpers import admin, coordinator
from tests.web_helpers import post_form, sign_in

pytestmark = pytest.mark.usefixtures("sandbox")

# Months counted from the pinned day (Beijing), whatever it is (SOJOURN_TEST_NOW).
FIRST_DAY = PINNED_TODAY.replace(day=1)
NEXT_FIRST_DAY = (FIRST_DAY + dt.timedelta(days=32)).replace(day=1)
THIS_MONTH, NEXT_MONTH = f"{FIRST_DAY:%Y-%m}", f"{NEXT_FIRST_DAY:%Y-%m}"
LAST_MONTH = f"{FIRST_DAY - dt.timedelta(days=1):%Y-%m}"
MONTH_BEFORE = f"{(FIRST_DAY - dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1):%Y-%m}"


def _beijing(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SHANGHAI).astimezone(dt.UTC)


async def _report(client, headers, **params) -> list[dict]:
    answer = await client.get("/api/v1/stats/money", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _paid_between(member_id: int, since: dt.datetime, until: dt.datetime) -> int:
    """Recount from the raw payment rows: money paid to a base of the member in the interval."""
    return await fetchval(
        """SELECT coalesce(sum(p.amount_fen), 0) FROM payment p JOIN booking b ON b.id = p.booking
           JOIN base bs ON bs.id = b.base WHERE p.status = 'paid' AND bs.member = $1
           AND p.paid_at >= $2 AND p.paid_at < $3""",
        member_id,
        since,
        until,
    )


async def _refunded_between(member_id: int, since: dt.datetime, until: dt.datetime) -> int:
    return await fetchval(
        """SELECT coalesce(sum(r.amount_fen), 0) FROM payment_refund r JOIN booking b ON b.id = r.booking
           JOIN base bs ON bs.id = b.base WHERE r.status = 'paid' AND bs.member = $1
           AND r.paid_at >= $2 AND r.paid_at < $3""",
        member_id,
        since,
        until,
    )


async def test_the_money_report_recounts_the_payments_and_refunds_and_escrow_falls_as_nights_are_stayed(client, clock):
    world = await factories.small_world()  # the Sanya base (Hainan) takes the money; starts 60 days on
    hainan, mongolia = world.members["hi"]["id"], world.members["nm"]["id"]
    everyone = await coordinator(client, "all@sojourn.example")

    stays = await booker(client, "13900000021")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 0, 30, stays.traveller_ids), headers=stays.headers
    )
    staying = await confirm(client, held.json()["id"], stays.headers)

    cancels = await booker(client, "13900000022")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 40, 30, cancels.traveller_ids), headers=cancels.headers
    )
    cancelling = await confirm(client, held.json()["id"], cancels.headers)
    clock.advance(minutes=2)
    cancelled = (await client.post(f"/api/v1/bookings/{cancelling['id']}/cancel", headers=cancels.headers)).json()
    assert cancelled["refund_fen"] == cancelling["paid_fen"]  # within minutes of paying: all of it back

    # Until the refund goes out (on the real clock: test_payments_protocol), the escrow holds it.
    this_month = (await _report(client, everyone, member_id=hainan))[0]
    assert this_month["month"] == THIS_MONTH and this_month["refunded_fen"] == 0
    assert this_month["escrow_fen"] == staying["paid_fen"] + cancelling["paid_fen"]

    async with sojourn_db.connection() as conn:
        await terms.set_tour_terms(
            conn, world.tours["migratory"]["id"], PaymentTerms(balance_days_before=30, deposit_percent=20)
        )
    deposits = await booker(client, "13900000023")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 80, 30, deposits.traveller_ids), headers=deposits.headers
    )
    on_deposit = await confirm(client, held.json()["id"], deposits.headers)
    deposit, balance = on_deposit["payment_schedule"]
    assert deposit["status"] == "paid" and balance["status"] == "due"

    rows = await _report(client, everyone)
    assert [(r["member_code"], r["month"]) for r in rows] == [("110000", THIS_MONTH), ("150000", THIS_MONTH),
                                                              ("460000", THIS_MONTH)]  # fmt: skip
    this_month = rows[2]
    start, end = _beijing(FIRST_DAY, 0), _beijing(NEXT_FIRST_DAY, 0)
    assert this_month["collected_fen"] == await _paid_between(hainan, start, end)
    assert this_month["collected_fen"] == staying["paid_fen"] + cancelling["paid_fen"] + deposit["amount_fen"]
    assert this_month["refunded_fen"] == await _refunded_between(hainan, start, end) == 0
    assert this_month["outstanding_fen"] == 0  # the balance is due months later
    owed = cancelling["paid_fen"]  # the refund, still owed
    assert this_month["escrow_fen"] == staying["paid_fen"] + deposit["amount_fen"] + owed  # nothing stayed yet
    assert rows[1]["collected_fen"] == rows[1]["escrow_fen"] == 0  # Inner Mongolia's bases took nothing

    # Ten nights into the first stay: a third of its price is earned and leaves the escrow figure.
    arrival = dt.date.fromisoformat(staying["arrival"])
    clock.set(_beijing(arrival + dt.timedelta(days=10)))
    rows = await _report(client, everyone, member_id=hainan, **{"from": THIS_MONTH})
    months = [r["month"] for r in rows]
    assert months[0] == THIS_MONTH and months[-1] == f"{arrival + dt.timedelta(days=10):%Y-%m}"
    assert rows[0]["escrow_fen"] == this_month["escrow_fen"]  # this month's figure, as of its end
    earned = staying["total_fen"] * 10 // 30
    assert rows[-1]["escrow_fen"] == staying["paid_fen"] - earned + deposit["amount_fen"] + owed
    assert sum(r["collected_fen"] for r in rows) == await _paid_between(hainan, start, clock.now())

    # After the balance's day, unpaid: it is outstanding in its month; the first stay is all earned.
    due_at = dt.datetime.fromisoformat(balance["due_at"])
    clock.set(due_at + dt.timedelta(hours=2))
    due_month = due_at.astimezone(SHANGHAI).strftime("%Y-%m")
    last = (await _report(client, everyone, member_id=hainan, **{"from": due_month}))[-1]
    assert last["month"] == due_month and last["outstanding_fen"] == balance["amount_fen"]
    assert last["escrow_fen"] == deposit["amount_fen"] + owed
    assert await ledger.check_ledger(now=clock.now()) == []

    # A coordinator limited to Inner Mongolia sees its rows only, and nothing of Hainan's.
    limited = await coordinator(client, "nm@sojourn.example", mongolia)
    assert {r["member_id"] for r in await _report(client, limited, **{"from": NEXT_MONTH})} == {mongolia}
    assert await _report(client, limited, member_id=hainan) == []
    assert len(await _report(client, await admin(client), **{"from": due_month})) == 3


async def test_the_money_report_downloads_with_chinese_titles_and_refuses_bad_periods(client, clock):
    world = await factories.small_world()
    senior = await booker(client, "13900000024")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 0, 30, senior.traveller_ids), headers=senior.headers
    )
    paid = await confirm(client, held.json()["id"], senior.headers)
    headers = await coordinator(client, "all@sojourn.example")
    hainan = world.members["hi"]["id"]

    chinese = {**headers, "Accept": "text/csv", "Accept-Language": "zh-CN"}
    answer = await client.get("/api/v1/stats/money", params={"member_id": hainan}, headers=chinese)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "成员代码,成员单位,月份,已收款（元）,已退款（元）,到期未付（元）,存管中的预收款（元）"
    yuan = f"{paid['paid_fen'] // 100}.{paid['paid_fen'] % 100:02d}"
    assert lines[1] == f"460000,海南,{THIS_MONTH},{yuan},0.00,0.00,{yuan}"
    english = {**headers, "Accept": "text/csv", "Accept-Language": "en"}
    answer = await client.get("/api/v1/stats/money", params={"member_id": hainan}, headers=english)
    assert answer.content.decode("utf-8-sig").splitlines()[1].startswith(f"460000,Hainan,{THIS_MONTH},")

    zh = {**headers, "Accept-Language": "zh-CN"}
    future = await client.get("/api/v1/stats/money", params={"to": NEXT_MONTH}, headers=zh)
    assert future.status_code == 422 and THIS_MONTH in future.json()["detail"]
    starts_later = await client.get("/api/v1/stats/money", params={"from": NEXT_MONTH}, headers=zh)
    problem = starts_later.json()
    assert (
        starts_later.status_code == 422
        and problem["detail"] == f"报表不能查看本月之后的月份：请选择 {THIS_MONTH} 或更早。"
    )
    backwards = await client.get("/api/v1/stats/money", params={"from": LAST_MONTH, "to": MONTH_BEFORE}, headers=zh)
    assert backwards.status_code == 422 and backwards.json()["detail"] == "开始月份不能晚于结束月份。"
    wrong = await client.get("/api/v1/stats/money", params={"from": "December"}, headers=zh)
    assert wrong.status_code == 400
    operator = await client.get("/api/v1/stats/money", headers=senior.headers)
    assert operator.status_code == 403


async def test_the_money_page_is_linked_from_the_statistics_and_shows_a_limited_coordinator_its_members(client, clock):
    world = await factories.small_world()
    senior = await booker(client, "13900000025")
    held = await client.post(
        "/api/v1/bookings", json=migratory_body(world, 0, 30, senior.traveller_ids), headers=senior.headers
    )
    paid = await confirm(client, held.json()["id"], senior.headers)
    await factories.account("hainan@sojourn.example", role="coordinator", member_ids=[world.members["hi"]["id"]])
    client.cookies.clear()
    await sign_in(client, "hainan@sojourn.example", factories.PASSWORD)

    dashboard = await client.get("/alliance")
    assert '<a href="/alliance/money" >资金与存管</a>' in dashboard.text
    page = await client.get("/alliance/money")
    assert page.status_code == 200 and "<h1>各成员单位每月资金</h1>" in page.text
    amount = yuan(paid["paid_fen"])
    assert (
        f'<th scope="row">海南</th><td>{THIS_MONTH}</td>' in page.text and page.text.count(amount) == 2
    )  # and in escrow
    assert "内蒙古</th>" not in page.text  # another member's money is not shown
    assert f'href="/alliance/money/download?from={THIS_MONTH}&amp;to={THIS_MONTH}"' in page.text
    download = await client.get(f"/alliance/money/download?from={THIS_MONTH}&to={THIS_MONTH}")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("成员代码,成员单位,月份,") and len(lines) == 2 and lines[1].startswith("460000,海南,")

    future = await client.get(f"/alliance/money?to={NEXT_MONTH}")
    assert future.status_code == 400 and f"报表不能查看本月之后的月份：请选择 {THIS_MONTH} 或更早。" in future.text

    await post_form(client, "/preferences/language", {"locale": "en"}, from_page="/alliance/money")
    english = await client.get("/alliance/money")
    assert "<h1>Money per member and month</h1>" in english.text and "Deposits held in escrow" in english.text
