"""Times on the staff's pages are the wall clock where the work is: the base's time zone on a
base's pages (here a base in Xinjiang, two hours behind Beijing), Beijing time on alliance-wide
pages. No page prints UTC."""

import datetime as dt

import pytest

from sojourn import db
from tests import factories
from tests.health_helpers import book, declaration_body
from tests.pinned import PINNED_NOW
from tests.web_helpers import sign_in

# PINNED_NOW is 2026-12-07 09:00 in Beijing: 07:00 in Urumqi, 01:00 UTC.
URUMQI_WALL = PINNED_NOW.astimezone(dt.timezone(dt.timedelta(hours=6))).strftime("%Y-%m-%d %H:%M")
BEIJING_WALL = PINNED_NOW.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
UTC_WALL = PINNED_NOW.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
async def xinjiang(client, world, clock):
    """The Sanya base moved to Asia/Urumqi, its operator signed in on the shared client."""
    base_id = world.bases["sanya"]["id"]
    async with db.connection() as conn:
        await conn.execute("UPDATE base SET time_zone = 'Asia/Urumqi' WHERE id = $1", base_id)
    await factories.account("ops@sanya.cn", role="operator", name="三亚前台", base_ids=[base_id])
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)
    return base_id


async def test_the_manifest_is_printed_at_the_bases_wall_clock(client, world, xinjiang):
    tour_id = world.tours["vacation"]["id"]
    page = await client.get(f"/operator/tours/{tour_id}/manifest", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert f"打印于 {URUMQI_WALL} 新疆时间" in page.text
    assert "UTC" not in page.text and UTC_WALL not in page.text
    bearer = await factories.bearer(client, "ops@sanya.cn")
    answer = (await client.get(f"/api/v1/operator/tours/{tour_id}/manifest", headers=bearer)).json()
    assert answer["time_zone"] == "Asia/Urumqi"


async def test_the_review_history_shows_the_bases_wall_clock(client, world, xinjiang, clock):
    booked = await book(client, world, "13800000001", tour="vacation")
    sent = await client.put(booked.path, json=declaration_body(), headers=booked.booker.headers)
    declaration_id = sent.json()["id"]
    clock.set(PINNED_NOW + dt.timedelta(hours=3))  # the operator opens it at 10:00 at the base
    page = await client.get(f"/operator/declarations/{declaration_id}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    opened = (PINNED_NOW + dt.timedelta(hours=3)).astimezone(dt.timezone(dt.timedelta(hours=6)))
    trail = page.text.split('id="trail-heading"', 1)[1]
    assert f"{opened:%Y-%m-%d %H:%M} 新疆时间" in trail
    assert f"{URUMQI_WALL} 新疆时间" in trail  # sent by the senior, three hours earlier
    assert "UTC" not in trail


async def test_the_audit_log_shows_beijing_time(client, world, xinjiang):
    await client.get(f"/operator/tours/{world.tours['vacation']['id']}/manifest")  # audited at PINNED_NOW
    client.cookies.clear()
    await factories.account("admin@sojourn.example", role="admin")
    await sign_in(client, "admin@sojourn.example", factories.PASSWORD)
    page = await client.get("/audit", params={"action": "manifest_exported"}, headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert f"{BEIJING_WALL}:" in page.text and "北京时间" in page.text
    assert "UTC" not in page.text


def test_an_instant_late_in_the_utc_day_is_already_tomorrow_in_beijing():
    from sojourn import i18n
    from sojourn.formatting import local_time, long_date

    evening = dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC)
    with i18n.using_locale("zh_CN"):
        assert long_date(evening) == "2026年12月8日"
        assert local_time(evening) == "2026-12-08 01:30 北京时间"
        assert local_time(evening, "Asia/Urumqi") == "2026-12-07 23:30 新疆时间"
        assert local_time(evening, "Europe/Berlin", zone=False) == "2026-12-07 18:30"
