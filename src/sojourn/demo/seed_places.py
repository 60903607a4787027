"""Seeding the demo bases' place: location and travel, climate by month, and two photos each.

The photos are drawn here with Pillow — a sky, the land (sea and sand, rainforest, grassland
or hills), a building — and marked "ILLUSTRATION" on the picture and 示意图 in their
descriptions, so nobody takes them for real photos; they go through the same processing as an
upload. Idempotent: a base that already has a place row, climate months or photos keeps them.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from PIL import Image, ImageDraw, ImageFont

from sojourn import db
from sojourn.bases.photo_store import store_processed
from sojourn.bases.photos import process_photo
from sojourn.demo.catalogue_places import BY_SLUG, CLIMATE, CLIMATE_SOURCE, PlaceSeed

LANDS = {  # scene: (sky, far, near)
    "beach": ("#8fc9ef", "#1f77b4", "#efd9a7"),
    "forest": ("#a9d3e8", "#2f6b3a", "#4f8f3f"),
    "grassland": ("#9ecff0", "#7cae4f", "#a5c85a"),
    "hills": ("#b5daf0", "#6d8f5a", "#9db07a"),
}
SCENES = (
    (
        "outside",
        "基地外景示意图（绘制，非实拍）：{land}边的楼房",
        "Drawn illustration, not a photo: the building by the {land_en}",
    ),
    (
        "room",
        "房间示意图（绘制，非实拍）：双人间，窗外是{land}",
        "Drawn illustration, not a photo: a twin room looking out on the {land_en}",
    ),
)
LAND_WORDS = {
    "beach": ("海", "sea"),
    "forest": ("林", "forest"),
    "grassland": ("草原", "grassland"),
    "hills": ("山", "hills"),
}


def draw_illustration(scene: str, land: str, seed: int, size: tuple[int, int] = (960, 640)) -> bytes:
    sky, far, near = LANDS[land]
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.55)
    if scene == "room":
        draw.rectangle((0, 0, width, height), fill="#f3ece0")
        window = (width // 4, height // 8, width * 3 // 4, height // 2)
        draw.rectangle(window, fill=sky, outline="#7a5c3a", width=10)
        draw.rectangle((window[0], (window[1] + window[3]) // 2, window[2], window[3]), fill=far)
        for x in (width // 8, width * 5 // 8):
            draw.rectangle(
                (x, height * 2 // 3, x + width // 4, height * 5 // 6), fill="#ffffff", outline="#8a8a8a", width=4
            )
            draw.rectangle((x, height * 2 // 3 - 20, x + width // 4, height * 2 // 3 + 10), fill="#c9d8e8")
    else:
        draw.ellipse((width - 200, 40, width - 90, 150), fill="#ffe08a")
        draw.rectangle((0, horizon, width, height), fill=far)
        draw.polygon([(0, height), (0, int(height * 0.75)), (width, int(height * 0.68)), (width, height)], fill=near)
        left = rng.randint(width // 8, width // 3)
        draw.rectangle((left, horizon - 210, left + 320, horizon + 40), fill="#f6f1e7", outline="#9a8f80", width=4)
        for row in range(3):
            for col in range(4):
                x, y = left + 25 + col * 75, horizon - 185 + row * 70
                draw.rectangle((x, y, x + 45, y + 40), fill="#7fb2d6")
    font = ImageFont.load_default(size=34)
    draw.rectangle((0, height - 60, width, height), fill="#1b1b1b")
    draw.text((20, height - 50), "ILLUSTRATION · Sojourn demo", fill="#ffffff", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def _seed_one(conn, base_id: int, place: PlaceSeed, now: dt.datetime) -> None:
    await conn.execute(
        "INSERT INTO base_place (base, latitude, longitude, airport_zh, airport_en, airport_km, station_zh, station_en,"
        " station_km, getting_there_zh, getting_there_en, pickup_offered, pickup_price_fen, pickup_how_zh, pickup_how_en,"
        " check_in_time, check_out_time, bring_zh, bring_en, climate_source, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
        " ON CONFLICT (base) DO NOTHING",
        base_id, place.latitude, place.longitude, place.airport_zh, place.airport_en, place.airport_km,
        place.station_zh, place.station_en, place.station_km, place.getting_there_zh, place.getting_there_en,
        place.pickup_offered, place.pickup_price_fen, place.pickup_how_zh, place.pickup_how_en,
        dt.time.fromisoformat(place.check_in), dt.time.fromisoformat(place.check_out),
        place.bring_zh, place.bring_en, CLIMATE_SOURCE, now,
    )  # fmt: skip
    await conn.execute("UPDATE base SET contact_phone = $2 WHERE id = $1 AND contact_phone = ''", base_id, place.phone)
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM base_climate_month WHERE base = $1)", base_id):
        highs, lows, rain = CLIMATE[place.climate]
        await conn.executemany(
            "INSERT INTO base_climate_month (base, month, high_c, low_c, rain_mm, rainy) VALUES ($1, $2, $3, $4, $5, $6)",
            [(base_id, m + 1, highs[m], lows[m], rain[m], rain[m] >= 100) for m in range(12)],
        )
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM photo WHERE base = $1)", base_id):
        land_zh, land_en = LAND_WORDS[place.scene]
        for number, (scene, alt_zh, alt_en) in enumerate(SCENES):
            processed = process_photo(draw_illustration(scene, place.scene, seed=base_id * 10 + number))
            await store_processed(
                conn,
                base_id,
                processed,
                alt_zh.format(land=land_zh),
                alt_en.format(land_en=land_en),
                uploaded_by=None,
                now=now,
            )


async def seed_places(bases: dict[str, int], now: dt.datetime) -> None:
    """Place, climate and illustrations for every demo base in ``bases`` (slug -> id)."""
    async with db.connection() as conn:
        for slug, base_id in bases.items():
            place = BY_SLUG.get(slug)
            if place is None:
                continue
            async with conn.transaction():
                await _seed_one(conn, base_id, place, now)
