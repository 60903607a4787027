"""The base operator's days, page by page, with the clock moving between steps: the week ahead
shows who comes; on the arrival day each traveller is checked in on their own, one check-in
done by mistake is undone; the next morning the one who never came is marked so; on the
departure day the couple checks out after being asked; the passenger list then gives an
emergency contact for everyone, in the base's time."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from tests import factories
from tests.booking_helpers import calendar_mismatches, confirm
from tests.health_helpers import START, book, declaration_body, fetchval
from tests.web_helpers import csrf_token, sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
ARRIVAL = START + dt.timedelta(days=10)  # the Sanya holiday
DEPARTURE = START + dt.timedelta(days=17)


def at_base(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


async def click(client, path: str, here: str) -> str:
    """Press a form's button on ``here`` and follow it back, as the browser would: the page after."""
    token = await csrf_token(client, here)
    response = await client.post(path, data={"_csrf_token": token, "next": here})
    assert response.status_code == 303, response.text[:500]
    return (await client.get(response.headers["location"])).text


def row_of(page: str, name: str) -> str:
    """The first table row of the page that is about ``name``."""
    match = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">{name}</th>(.*?)</tr>", page, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


async def test_the_operators_days_from_the_week_ahead_to_the_passenger_list(client, world, clock):
    # Two households booked the Sanya holiday: a couple, and 旅客0002 who will not come.
    await factories.account("13800000001")
    couple = await factories.bearer(client, "13800000001")
    ids = []
    for name, contact in (("王秀兰", "王强"), ("李建国", "李娜")):
        body = factories.traveller_body(
            name=name, emergency_contact={"name": contact, "phone": "13900002222", "relation": "子女"}
        )
        ids.append((await client.post("/api/v1/travellers", json=body, headers=couple)).json()["id"])
    held = await client.post(
        "/api/v1/bookings", json={"tour_id": world.tours["vacation"]["id"], "traveller_ids": ids}, headers=couple
    )
    couple_booking = held.json()["id"]
    await confirm(client, couple_booking, couple)
    declaration = f"/api/v1/bookings/{couple_booking}/travellers/{ids[0]}/declaration"
    assert (await client.put(declaration, json=declaration_body(), headers=couple)).status_code == 200
    absent = await book(client, world, "13800000002", tour="vacation")
    base_id = world.bases["sanya"]["id"]
    await factories.account("ops@sanya.cn", role="operator", name="三亚前台", base_ids=[base_id])

    # Two days before: the week ahead.
    clock.set(at_base(ARRIVAL - dt.timedelta(days=2), 9))
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)
    week = (await client.get(f"/operator/bases/{base_id}/week")).text
    arrival_row = week.split(f'data-day="{ARRIVAL.isoformat()}"', 1)[1].split("</tr>", 1)[0]
    assert "3 人入住" in arrival_row
    assert "王秀兰 (待入住)" in arrival_row and "李建国 (待入住)" in arrival_row and "旅客0002 (待入住)" in arrival_row

    # The arrival day, in the afternoon: each of the couple checked in; 旅客0002 checked in by mistake, undone.
    clock.set(at_base(ARRIVAL, 15))
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)  # a staff session lasts a day
    here = f"/operator/bases/{base_id}/arrivals?date={ARRIVAL.isoformat()}"
    page = (await client.get(here)).text
    person = f"/operator/bookings/{couple_booking}/travellers"
    page = await click(client, f"{person}/{ids[0]}/check-in", here)
    assert "王秀兰 已入住。" in page and "王秀兰 的健康申报还没有审核通过。" in page
    page = await click(client, f"{person}/{ids[1]}/check-in", here)
    assert "李建国 已入住。" in page and "李建国 还没有提交健康申报。" in page
    wrong = f"/operator/bookings/{absent.booking_id}/travellers/{absent.traveller_id}"
    page = await click(client, f"{wrong}/check-in", here)
    assert "撤销：旅客0002 已入住" in row_of(page, "旅客0002")
    page = await click(client, f"{wrong}/undo", here)
    assert "已为 旅客0002 撤销。" in page and "待入住" in row_of(page, "旅客0002")
    assert await fetchval("SELECT status FROM booking WHERE id = $1", absent.booking_id) == "confirmed"
    assert await fetchval("SELECT status FROM booking WHERE id = $1", couple_booking) == "checked_in"

    # The next morning: 旅客0002 never came. Too late to undo yesterday's check-ins.
    clock.set(at_base(ARRIVAL + dt.timedelta(days=1), 9))
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)
    today = f"/operator/bases/{base_id}/arrivals"
    page = (await client.get(today)).text
    assert "撤销：王秀兰" not in page
    page = await click(client, f"{wrong}/no-show", today)
    assert "旅客0002 已登记为未到。" in page
    assert await fetchval("SELECT status FROM booking WHERE id = $1", absent.booking_id) == "no_show"

    # The departure day: the couple checks out, each after a page that asks first.
    clock.set(at_base(DEPARTURE, 10))
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)
    leaving = f"/operator/bases/{base_id}/arrivals?date={DEPARTURE.isoformat()}"
    page = (await client.get(leaving)).text
    assert "离开" in page and f"{person}/{ids[0]}/check-out?next=" in page
    for traveller_id, name in zip(ids, ("王秀兰", "李建国"), strict=True):
        asking = (await client.get(f"{person}/{traveller_id}/check-out", params={"next": leaving})).text
        assert f"确认为 {name} 办理退房吗？" in asking
        page = await click(client, f"{person}/{traveller_id}/check-out", leaving)
        assert f"{name} 已退房。" in page
    assert await fetchval("SELECT status FROM booking WHERE id = $1", couple_booking) == "checked_out"
    assert await calendar_mismatches() == []

    # The passenger list: an emergency contact for everyone, printed in the base's time.
    manifest = (await client.get(f"/operator/tours/{world.tours['vacation']['id']}/manifest")).text
    assert "王强 (儿子) 13900001111" in row_of(manifest, "王秀兰")  # the one in the declaration she shared
    assert "李娜 (子女) 13900002222" in row_of(manifest, "李建国")  # no declaration: his profile's
    assert "王强 (儿子) 13900001111" in row_of(manifest, "旅客0002")
    assert f"打印于 {DEPARTURE.isoformat()} 10:00 北京时间" in manifest
