"""Finding 11: answers with health data or identity numbers are never kept by a cache."""

from tests import factories
from tests.health_helpers import book, declaration_body, operator


async def test_personal_answers_say_no_store(client, world):
    booked = await book(client, world, "13800000001")
    saved = await client.put(booked.path, json=declaration_body(), headers=booked.booker.headers)
    assert saved.status_code == 200, saved.text
    declaration = await client.get(booked.path, headers=booked.booker.headers)
    travellers = await client.get("/api/v1/travellers", headers=booked.booker.headers)
    staff = await operator(client, "13900000009", world.tours["migratory"]["base"])
    reviews = await client.get("/api/v1/operator/declarations", headers=staff)
    for response in (saved, declaration, travellers, reviews):
        assert response.status_code == 200, response.text
        assert "no-store" in response.headers.get("cache-control", ""), response.request.url


async def test_signed_in_pages_say_no_store(client, world):
    from tests.web_helpers import sign_in

    booked = await book(client, world, "13800000001")
    await sign_in(client, "13800000001", factories.PASSWORD)
    page = await client.get(f"/trips/{booked.booking_id}/health/{booked.traveller_id}")
    assert page.status_code == 200
    assert "no-store" in page.headers.get("cache-control", "")
