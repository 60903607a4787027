"""Operators keep their room types and set rooms per type and night; the catalogue shows each type's
price for the dates asked and the rooms left."""

import datetime as dt

from sojourn import db
from tests import factories
from tests.booking_helpers import booker, calendar_mismatches, migratory_body

START = dt.date(2027, 1, 10)


async def operator_of(client, world, base: str, login: str):
    await factories.account(login, role="operator", base_ids=[world.bases[base]["id"]])
    return await factories.bearer(client, login)


def types_url(world, base="sanya"):
    return f"/api/v1/operator/bases/{world.bases[base]['id']}/room-types"


DOUBLE = {"code": "double", "name_zh": "大床房", "name_en": "Double", "beds_per_room": 2, "price_fen": 40000}


async def test_operator_adds_a_room_type_sets_its_rooms_and_the_catalogue_shows_them(client, world):
    headers = await operator_of(client, world, "sanya", "ops@sanya.example")
    created = await client.post(types_url(world), json=DOUBLE, headers=headers)
    assert created.status_code == 201, created.text
    double = created.json()
    assert (double["price_per"], double["price_period"]) == ("room", "night")
    assert (await client.post(types_url(world), json=DOUBLE, headers=headers)).status_code == 409
    listed = (await client.get(types_url(world), headers=headers)).json()
    assert [t["code"] for t in listed] == ["bed", "double"]

    end = START + dt.timedelta(days=120)
    response = await client.put(
        f"/api/v1/operator/bases/{world.bases['sanya']['id']}/capacity",
        json={"start": START.isoformat(), "end": end.isoformat(), "room_type_id": double["id"], "rooms": 3},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["nights_changed"] == 120 and response.json()["rooms"] == 3
    async with db.connection() as conn:  # 10 beds and 3 double rooms: 16 beds a night
        assert (
            await conn.fetchval(
                "SELECT min(beds) FROM capacity_night WHERE base = $1 AND night >= $2 AND night < $3",
                world.bases["sanya"]["id"],
                START,
                end,
            )
            == 16
        )

    couple = await booker(client, "13800000001", travellers=2)
    body = migratory_body(world, nights=30, travellers=couple.traveller_ids)
    held = await client.post(
        "/api/v1/bookings", json={**body, "rooms": [{"room_type_id": double["id"], "count": 1}]}, headers=couple.headers
    )
    assert held.status_code == 201, held.text
    shown = await client.get(
        f"/api/v1/tours/{world.tours['migratory']['id']}/room-types",
        params={"arrival": body["arrival"], "departure": body["departure"]},
    )
    assert shown.status_code == 200, shown.text
    by_code = {t["code"]: t for t in shown.json()}
    assert by_code["double"]["rooms_left"] == 2 and by_code["double"]["price_fen"] == 40000 * 30
    assert by_code["bed"]["rooms_left"] == 10 and by_code["bed"]["beds_per_room"] == 1
    assert by_code["bed"]["price_fen"] == 250000  # no price of its own: the tour's, a month for 30 nights
    assert await calendar_mismatches() == []


async def test_rooms_below_what_is_taken_are_refused_and_a_sold_type_keeps_its_beds(client, world):
    headers = await operator_of(client, world, "sanya", "ops@sanya.example")
    double = (await client.post(types_url(world), json=DOUBLE, headers=headers)).json()
    capacity = f"/api/v1/operator/bases/{world.bases['sanya']['id']}/capacity"
    end = (START + dt.timedelta(days=120)).isoformat()
    one = {"start": START.isoformat(), "end": end, "room_type_id": double["id"], "rooms": 1}
    assert (await client.put(capacity, json=one, headers=headers)).status_code == 200
    couple = await booker(client, "13800000001", travellers=2)
    body = migratory_body(world, nights=30, travellers=couple.traveller_ids)
    rooms = [{"room_type_id": double["id"], "count": 1}]
    assert (
        await client.post("/api/v1/bookings", json={**body, "rooms": rooms}, headers=couple.headers)
    ).status_code == 201

    refused = await client.put(capacity, json={**one, "rooms": 0}, headers=headers)
    assert refused.status_code == 409 and refused.json()["code"] == "below_taken"
    assert len(refused.json()["nights_below_taken"]) == 30
    assert [b["party_size"] for b in refused.json()["bookings_in_the_way"]] == [2]
    changed = await client.patch(
        f"/api/v1/operator/room-types/{double['id']}", json={"beds_per_room": 3}, headers=headers
    )
    assert changed.status_code == 409 and changed.json()["code"] == "room_type_in_use"
    removed = await client.delete(f"/api/v1/operator/room-types/{double['id']}", headers=headers)
    assert removed.status_code == 409
    renamed = await client.patch(
        f"/api/v1/operator/room-types/{double['id']}", json={"name_en": "Queen"}, headers=headers
    )
    assert renamed.status_code == 200 and renamed.json()["name_en"] == "Queen"
    assert await calendar_mismatches() == []


async def test_capacity_asks_for_rooms_or_beds_and_beds_only_where_the_base_sells_beds(client, world):
    headers = await operator_of(client, world, "sanya", "ops@sanya.example")
    capacity = f"/api/v1/operator/bases/{world.bases['sanya']['id']}/capacity"
    dates = {"start": START.isoformat(), "end": (START + dt.timedelta(days=3)).isoformat()}
    double = (await client.post(types_url(world), json=DOUBLE, headers=headers)).json()
    other = await factories.room_type(
        world.bases["hulunbuir"]["id"], "suite", beds_per_room=2, rooms=1, start=START, nights=3
    )
    for body, field in [
        ({**dates, "room_type_id": double["id"]}, "rooms"),
        ({**dates, "room_type_id": double["id"], "beds": 4}, "rooms"),
        ({**dates, "room_type_id": other["id"], "rooms": 2}, "room_type_id"),
        ({**dates}, "beds"),
    ]:
        response = await client.put(capacity, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["field_errors"], response.text
    # The bed type may go once it holds nothing; then beds alone make no sense here.
    bed = next(t for t in (await client.get(types_url(world), headers=headers)).json() if t["code"] == "bed")
    zero = {"start": START.isoformat(), "end": (START + dt.timedelta(days=120)).isoformat(), "beds": 0}
    assert (await client.put(capacity, json=zero, headers=headers)).status_code == 200
    assert (await client.delete(f"/api/v1/operator/room-types/{bed['id']}", headers=headers)).status_code == 204
    response = await client.put(capacity, json={**dates, "beds": 4}, headers=headers)
    assert response.status_code == 422 and "room_type_id" in response.json()["field_errors"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM room_type WHERE base = $1", world.bases["sanya"]["id"]) == 1
    assert await calendar_mismatches() == []
