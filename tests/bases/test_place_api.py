"""Location, travel, climate and photos of a base: operators of that base change them, everyone
reads them; photos are checked by content, cleaned of EXIF, and served with immutable caching."""

from __future__ import annotations

import io
import urllib.parse

import pytest
from PIL import Image

from sojourn import db
from sojourn.bases import geo
from tests import factories, photo_helpers


@pytest.fixture
async def bases_xy(client, world):
    """The context's world with Sanya as base X and Hulunbuir as base Y, and who acts on them."""
    x, y = world.bases["sanya"]["id"], world.bases["hulunbuir"]["id"]
    await factories.account("op@x.example", role="operator", base_ids=[x])
    await factories.account("op@y.example", role="operator", base_ids=[y])
    await factories.account("13800000009")
    return {
        "x": x,
        "y": y,
        "op_x": await factories.bearer(client, "op@x.example"),
        "op_y": await factories.bearer(client, "op@y.example"),
        "traveller": await factories.bearer(client, "13800000009"),
    }


async def _count(table: str) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(f"SELECT count(*) FROM {table}")


async def upload(
    client, bases_xy, data: bytes, *, base: str = "x", who: str = "op_x", name: str = "IMG_0001.HEIC", **alt
):
    fields = {"alt_zh": "海边的花园", "alt_en": "The garden by the sea", **alt}
    return await client.post(
        f"/api/v1/operator/bases/{bases_xy[base]}/photos",
        files={"photo": (name, data, "application/octet-stream")},
        data=fields,
        headers=bases_xy[who],
    )


async def test_operator_sets_the_place_in_wgs84_and_everyone_reads_it_in_gcj02_with_map_links(client, bases_xy):
    body = {
        "latitude": 18.2528,
        "longitude": 109.5119,
        "datum": "wgs84",
        "phone": "0898-8888 6666",
        "airport_zh": "三亚凤凰国际机场",
        "airport_en": "Sanya Phoenix International Airport",
        "airport_km": 38,
        "station_zh": "三亚站",
        "station_en": "Sanya Railway Station",
        "station_km": 30.5,
        "pickup_offered": True,
        "pickup_price_fen": 8000,
        "pickup_how_zh": "提前三天打电话预约。",
        "check_in_time": "15:00",
        "bring_zh": "泳衣\n遮阳帽",
    }
    response = await client.patch(f"/api/v1/operator/bases/{bases_xy['x']}/place", json=body, headers=bases_xy["op_x"])
    assert response.status_code == 200, response.text
    place = (await client.get(f"/api/v1/bases/{bases_xy['x']}/place")).json()
    expected_lng, expected_lat = geo.wgs84_to_gcj02(109.5119, 18.2528)
    assert place["latitude"] == pytest.approx(expected_lat, abs=1e-6)
    assert place["longitude"] == pytest.approx(expected_lng, abs=1e-6)
    assert place["latitude"] != pytest.approx(18.2528, abs=1e-4)  # it was converted, not copied
    assert place["phone"] == "0898-8888 6666"
    assert place["check_in_time"] == "15:00" and place["check_out_time"] == "12:00"
    assert place["bring"] == ["泳衣", "遮阳帽"]
    assert place["pickup_price_fen"] == 8000
    baidu = urllib.parse.parse_qs(urllib.parse.urlsplit(place["map_links"]["baidu"]).query)
    bd_lng, bd_lat = geo.gcj02_to_bd09(place["longitude"], place["latitude"])
    assert baidu["location"] == [f"{bd_lat:.6f},{bd_lng:.6f}"] and baidu["coord_type"] == ["bd09ll"]
    amap = urllib.parse.parse_qs(urllib.parse.urlsplit(place["map_links"]["amap"]).query)
    assert amap["position"] == [f"{place['longitude']:.6f},{place['latitude']:.6f}"]

    # Fields left out stay; turning pick-up off clears its price.
    response = await client.patch(
        f"/api/v1/operator/bases/{bases_xy['x']}/place", json={"pickup_offered": False}, headers=bases_xy["op_x"]
    )
    assert response.json()["airport_km"] == 38 and response.json()["pickup_price_fen"] is None


async def test_place_changes_are_for_the_operators_of_that_base_only(client, bases_xy):
    url = f"/api/v1/operator/bases/{bases_xy['x']}/place"
    assert (await client.patch(url, json={"phone": "12345"}, headers=bases_xy["op_y"])).status_code == 404
    assert (await client.patch(url, json={"phone": "12345"}, headers=bases_xy["traveller"])).status_code == 403
    assert (await client.patch(url, json={"phone": "12345"})).status_code == 401
    assert await _count("base_place") == 0


async def test_half_a_coordinate_is_refused_and_changes_nothing(client, bases_xy):
    response = await client.patch(
        f"/api/v1/operator/bases/{bases_xy['x']}/place",
        json={"latitude": 18.25, "airport_km": 3},
        headers=bases_xy["op_x"],
    )
    assert response.status_code == 422
    assert "longitude" in response.json()["field_errors"]
    assert await _count("base_place") == 0


async def test_climate_is_replaced_as_a_whole_and_a_low_above_the_high_is_refused(client, bases_xy):
    months = [
        {"month": m, "high_c": 25 + m / 10, "low_c": 18.5, "rain_mm": 30 * m, "rainy": m in (8, 9)}
        for m in range(1, 13)
    ]
    url = f"/api/v1/operator/bases/{bases_xy['x']}/climate"
    response = await client.put(
        url, json={"months": months, "source": "中国气象局 1991–2020 气候标准值"}, headers=bases_xy["op_x"]
    )
    assert response.status_code == 200, response.text
    assert [m["month"] for m in response.json()["climate"]] == list(range(1, 13))
    assert response.json()["climate_source"].startswith("中国气象局")

    bad = [{"month": 1, "high_c": 10, "low_c": 12}]
    response = await client.put(url, json={"months": bad}, headers=bases_xy["op_x"])
    assert response.status_code == 422 and "months.1" in response.json()["field_errors"]
    assert await _count("base_climate_month") == 12  # the refused change left the old months

    response = await client.put(url, json={"months": months[:1]}, headers=bases_xy["op_y"])
    assert response.status_code == 404


async def test_a_phone_photo_is_turned_upright_stripped_of_its_gps_and_made_into_webp_and_jpeg(client, bases_xy):
    original = photo_helpers.jpeg_with_gps(1200, 800, orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get(photo_helpers.GPS_IFD)  # the upload has GPS
    response = await upload(client, bases_xy, original)
    assert response.status_code == 201, response.text
    photo = response.json()
    assert (photo["width"], photo["height"]) == (800, 1200)  # orientation 6: turned a quarter
    formats = {(s["format"], s["width"]) for s in photo["sources"]}
    assert formats == {("webp", 480), ("jpeg", 480), ("webp", 800), ("jpeg", 800)}  # never scaled up
    for source in photo["sources"]:
        served = await client.get(source["url"])
        assert served.status_code == 200
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["content-type"] == ("image/webp" if source["format"] == "webp" else "image/jpeg")
        image = Image.open(io.BytesIO(served.content))
        assert image.format == source["format"].upper()
        assert not image.getexif(), "EXIF (and with it GPS) must be gone"
        assert "exif" not in image.info and "icc_profile" not in image.info and "xmp" not in image.info
        assert image.size[1] > image.size[0]
        assert image.getpixel((image.width - 5, 5))[2] < 100  # the orange corner is now top-right
        again = await client.get(source["url"], headers={"If-None-Match": served.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
    assert "Set-Cookie" not in served.headers


@pytest.mark.parametrize("maker", [photo_helpers.png, photo_helpers.heic], ids=["png", "heic"])
async def test_png_and_heic_are_accepted_whatever_their_name(client, bases_xy, maker):
    response = await upload(client, bases_xy, maker(), name="photo.gif")
    assert response.status_code == 201, response.text
    assert {s["format"] for s in response.json()["sources"]} == {"webp", "jpeg"}


@pytest.mark.parametrize(
    "data, name",
    [
        (photo_helpers.gif(), "garden.jpg"),  # a GIF named like a JPEG
        (b"%PDF-1.7 not a photo at all" * 100, "garden.jpeg"),
        (photo_helpers.bomb_png(), "small.png"),  # 12 KB that would decode to 100 megapixels
        (photo_helpers.png(150, 150), "tiny.png"),
        (b"", "empty.jpg"),
    ],
    ids=["gif-named-jpg", "pdf", "decompression-bomb", "too-small", "empty"],
)
async def test_what_is_not_a_usable_photo_is_refused_and_nothing_is_stored(client, bases_xy, data, name):
    response = await upload(client, bases_xy, data, name=name)
    assert response.status_code == 422, response.text
    assert "photo" in response.json()["field_errors"]
    assert await _count("photo") == 0 and await _count("photo_rendition") == 0


async def test_an_upload_over_the_size_limit_is_refused(client, bases_xy):
    big = photo_helpers.png() + b"\0" * (16 * 1024 * 1024)
    response = await upload(client, bases_xy, big)
    assert response.status_code in (413, 422), response.text
    assert await _count("photo") == 0


async def test_both_descriptions_are_required(client, bases_xy):
    response = await upload(client, bases_xy, photo_helpers.png(), alt_zh="  ", alt_en="")
    assert response.status_code == 422
    assert set(response.json()["field_errors"]) == {"alt_zh", "alt_en"}
    assert await _count("photo") == 0


async def test_photos_are_reordered_described_and_deleted_by_their_base_operators_only(client, bases_xy):
    ids = []
    for size in ((900, 600), (800, 600), (700, 600)):
        response = await upload(
            client, bases_xy, photo_helpers.png(*size), alt_zh=f"照片{size[0]}", alt_en=f"Photo {size[0]}"
        )
        ids.append(response.json()["id"])
    third = ids[2]
    assert (
        await client.patch(f"/api/v1/operator/photos/{third}", json={"position": 1}, headers=bases_xy["op_y"])
    ).status_code == 404
    response = await client.patch(
        f"/api/v1/operator/photos/{third}", json={"position": 1, "alt_en": "The dining room"}, headers=bases_xy["op_x"]
    )
    assert response.status_code == 200 and response.json()["alt_en"] == "The dining room"
    gallery = (await client.get(f"/api/v1/bases/{bases_xy['x']}/place")).json()["photos"]
    assert [p["id"] for p in gallery] == [third, ids[0], ids[1]]
    assert [p["position"] for p in gallery] == [1, 2, 3]

    assert (await client.delete(f"/api/v1/operator/photos/{ids[0]}", headers=bases_xy["op_y"])).status_code == 404
    assert (await client.delete(f"/api/v1/operator/photos/{ids[0]}", headers=bases_xy["op_x"])).status_code == 204
    gallery = (await client.get(f"/api/v1/bases/{bases_xy['x']}/place")).json()["photos"]
    assert [(p["id"], p["position"]) for p in gallery] == [(third, 1), (ids[1], 2)]
    assert await _count("photo_rendition") == sum(len(p["sources"]) for p in gallery)  # the deleted one's went too


async def test_the_same_photo_twice_is_refused(client, bases_xy):
    data = photo_helpers.png()
    assert (await upload(client, bases_xy, data)).status_code == 201
    response = await upload(client, bases_xy, data)
    assert response.status_code == 422 and response.json()["code"] == "photo_already_there"


async def test_an_unknown_photo_url_is_not_found(client, bases_xy):
    assert (await client.get("/photos/" + "0" * 32 + ".webp")).status_code == 404
    assert (await client.get("/photos/../../etc/passwd")).status_code == 404
