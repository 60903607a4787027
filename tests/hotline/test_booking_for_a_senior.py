"""The hotline desk keeps the senior in view while booking: a banner through every step, only
her people offered (grouped by senior), "for her" on the agent's pages, and on her side the trip
page and the message say the hotline booked it, with the desk number, never the agent's name."""

from __future__ import annotations

import json

from sojourn import db as database
from sojourn.notifications.messages import render
from tests import factories
from tests.booking_helpers import confirm
from tests.hotline.test_hotline_web import desk_agent
from tests.web_helpers import post_form, sign_in


async def served_senior(agent_id: int, login: str, names: list[str]) -> tuple[int, list[int]]:
    """A senior's account with people who all consented to the hotline."""
    account_id = await factories.account(login, name=names[0])
    ids = []
    for number, name in enumerate(names):
        person = await factories.traveller(account_id, name=name)
        await factories.agent_mandate(person["id"], agent_id, reference=f"96111-00{number}{login[-2:]}")
        ids.append(person["id"])
    return account_id, ids


async def test_booking_for_a_senior_keeps_her_in_view_and_offers_only_her_people(client, db):
    world = await factories.small_world()
    tour = world.tours["vacation"]
    agent_id = await desk_agent(client)
    wang, (wang_id, husband_id) = await served_senior(agent_id, "13800138000", ["王秀兰", "李建国"])
    _zhao, (zhao_id,) = await served_senior(agent_id, "13800138011", ["赵桂英"])

    # Without a senior chosen, the agent's choice is per senior, never one flat list.
    anyone = await client.get(f"/book/{tour['id']}")
    assert "王秀兰的账户上的人" in anyone.text and "赵桂英的账户上的人" in anyone.text
    assert "正在为" not in anyone.text

    search = await client.get("/tours", params={"for": wang})
    assert "正在为王秀兰预订" in search.text
    for path in (f"/tours/{tour['id']}", f"/book/{tour['id']}"):
        page = await client.get(path)
        assert "正在为王秀兰预订" in page.text, path
    people = await client.get(f"/book/{tour['id']}")
    assert f'value="{wang_id}"' in people.text and f'value="{husband_id}"' in people.text
    assert f'value="{zhao_id}"' not in people.text and "赵桂英" not in people.text
    step = await client.get(f"/book/{tour['id']}/hold", params={"traveller_ids": [wang_id]})
    assert "正在为王秀兰预订" in step.text and "为王秀兰保留床位" in step.text and "为我保留" not in step.text

    held = await post_form(
        client, f"/book/{tour['id']}/hold", {"traveller_ids": wang_id}, from_page=f"/book/{tour['id']}/hold"
    )
    assert held.status_code == 303
    booking_id = int(held.headers["location"].split("/")[2])
    health = await client.get(held.headers["location"])
    assert "正在为王秀兰预订" in health.text

    # Someone who is not served cannot be chosen by typing a number in the address.
    stranger = await factories.account("13800138099", name="陌生人")
    assert "正在为陌生人预订" not in (await client.get("/tours", params={"for": stranger})).text

    done = await post_form(client, "/hotline/booking-for/stop", {}, from_page="/tours")
    assert done.status_code == 303 and done.headers["location"] == "/hotline"
    assert "正在为" not in (await client.get("/tours")).text
    async with database.connection() as conn:
        assert await conn.fetchval("SELECT account FROM booking WHERE id = $1", booking_id) == wang


async def test_the_senior_sees_the_hotline_booked_it_with_the_desk_number_not_the_agents_name(client, db):
    world = await factories.small_world()
    agent_id = await factories.account("13300000001", role="agent", name="热线小李")
    wang, (wang_id,) = await served_senior(agent_id, "13800138000", ["王秀兰"])
    agent = await factories.bearer(client, "13300000001")
    held = await client.post(
        "/api/v1/bookings", json={"tour_id": world.tours["vacation"]["id"], "traveller_ids": [wang_id]}, headers=agent
    )
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    await confirm(client, booking_id, agent)
    desk = f"{agent_id:04d}"

    async with database.connection() as conn:
        body = await conn.fetchval(
            "SELECT payload::text FROM outbox_message WHERE kind = 'booking_confirmed' AND account = $1", wang
        )
    assert f'"hotline_desk": "{desk}"' in body
    async with database.connection() as conn:
        payload = await conn.fetchval(
            "SELECT payload FROM outbox_message WHERE kind = 'booking_confirmed' AND account = $1", wang
        )
    message = render(
        "booking_confirmed",
        json.loads(payload) if isinstance(payload, str) else payload,
        "zh_CN",
        "https://sojourn.example",
    )
    assert f"96111 热线为您预订(坐席 {desk})" in message.body and "小李" not in message.body

    await sign_in(client, "13800138000", factories.PASSWORD)
    trip = await client.get(f"/trips/{booking_id}")
    assert f'<a class="phone" href="tel:96111">96111</a> 热线为您预订了这次行程(坐席 {desk})' in trip.text
    assert "热线小李" not in trip.text
