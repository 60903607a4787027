"""The base's page, the tour page's gallery and travel facts, and the operators' "About the
place" page (forms without JavaScript, scoped to their own bases)."""

from __future__ import annotations

import re

import pytest

from sojourn import db
from tests import factories, photo_helpers


async def sign_in(client, login: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/login", data={"login": login, "password": factories.PASSWORD, "_csrf_token": token})
    assert response.status_code in (302, 303), response.text


def csrf(page) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.fixture
async def bases_xy(client, world):
    """The context's world with Sanya as base X and Hulunbuir as base Y, and who acts on them."""
    x, y = world.bases["sanya"]["id"], world.bases["hulunbuir"]["id"]
    await factories.account("op@x.example", role="operator", base_ids=[x])
    return {"x": x, "y": y, "tour": world.tours["migratory"]["id"]}


async def test_an_operator_fills_in_the_place_and_the_tour_page_shows_it(client, bases_xy):
    await sign_in(client, "op@x.example")
    page = await client.get(f"/operator/bases/{bases_xy['x']}/place")
    assert page.status_code == 200
    response = await client.post(
        f"/operator/bases/{bases_xy['x']}/place",
        data={
            "_csrf_token": csrf(page),
            "latitude": "18.2528",
            "longitude": "109.5119",
            "datum": "gcj02",
            "phone": "0898-8888 6666",
            "airport_zh": "三亚凤凰国际机场",
            "airport_km": "38",
            "pickup_offered": "true",
            "pickup_price_yuan": "80",
            "check_in_time": "15:00",
            "check_out_time": "11:30",
            "bring_zh": "泳衣\n遮阳帽",
        },
    )
    assert response.status_code == 303, response.text
    tour = await client.get(f"/tours/{bases_xy['tour']}")
    assert 'href="tel:089888886666"' in tour.text
    assert (
        "uri.amap.com/marker" in tour.text and "api.map.baidu.com/marker" in tour.text and "maps.apple.com" in tour.text
    )
    assert "三亚凤凰国际机场" in tour.text and "¥80" in tour.text and "15:00" in tour.text and "11:30" in tour.text


async def test_a_wrong_number_is_shown_next_to_its_field_and_nothing_is_saved(client, bases_xy):
    await sign_in(client, "op@x.example")
    page = await client.get(f"/operator/bases/{bases_xy['x']}/place")
    response = await client.post(
        f"/operator/bases/{bases_xy['x']}/place",
        data={"_csrf_token": csrf(page), "airport_zh": "凤凰机场", "airport_km": "很远"},
    )
    assert response.status_code == 400
    assert 'id="airport_km-error"' in response.text and "凤凰机场" in response.text  # what was typed stays
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM base_place") == 0


async def test_the_climate_form_saves_twelve_months_and_the_page_shows_a_chart_and_a_table(client, bases_xy):
    await sign_in(client, "op@x.example")
    page = await client.get(f"/operator/bases/{bases_xy['x']}/place")
    form = {"_csrf_token": csrf(page), "source": "中国气象局 1991–2020 年气候标准值"}
    for m in range(1, 13):
        form.update({f"high_{m}": str(26 + m % 5), f"low_{m}": "19.5", f"rain_{m}": str(10 * m)})
    form["rainy_8"] = "on"
    assert (await client.post(f"/operator/bases/{bases_xy['x']}/climate", data=form)).status_code == 303
    base_page = await client.get(f"/bases/{bases_xy['x']}")
    assert "data-chart=" in base_page.text and 'class="climate-table"' in base_page.text
    assert base_page.text.count('<tr><th scope="row">') >= 12
    assert "中国气象局" in base_page.text

    form["low_3"] = "40"  # above its high
    response = await client.post(f"/operator/bases/{bases_xy['x']}/climate", data=form)
    assert response.status_code == 400 and 'id="high_3"' in response.text and 'aria-invalid="true"' in response.text


async def test_an_operator_uploads_a_photo_and_the_gallery_serves_webp_and_jpeg_lazily(client, bases_xy):
    await sign_in(client, "op@x.example")
    page = await client.get(f"/operator/bases/{bases_xy['x']}/place")
    response = await client.post(
        f"/operator/bases/{bases_xy['x']}/photos",
        data={"_csrf_token": csrf(page), "alt_zh": "海边的花园", "alt_en": "The garden by the sea"},
        files={"photo": ("IMG_1.JPG", photo_helpers.jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 303, response.text
    for _ in range(2):  # a second photo, so lazy loading shows
        page = await client.get(f"/operator/bases/{bases_xy['x']}/place")
        await client.post(
            f"/operator/bases/{bases_xy['x']}/photos",
            data={"_csrf_token": csrf(page), "alt_zh": "餐厅", "alt_en": "The dining room"},
            files={"photo": ("x.png", photo_helpers.png(640 + _, 480), "image/png")},
        )
    tour = await client.get(f"/tours/{bases_xy['tour']}")
    assert '<source type="image/webp"' in tour.text and 'loading="lazy"' in tour.text
    assert 'alt="海边的花园"' in tour.text and "srcset=" in tour.text


async def test_another_bases_place_page_is_not_found_for_an_operator(client, bases_xy):
    await sign_in(client, "op@x.example")
    assert (await client.get(f"/operator/bases/{bases_xy['y']}/place")).status_code == 404


async def test_a_pending_base_has_no_public_page(client, bases_xy):
    async with db.connection() as conn:
        await conn.execute("UPDATE base SET status = 'pending' WHERE id = $1", bases_xy["y"])
    assert (await client.get(f"/bases/{bases_xy['y']}")).status_code == 404
