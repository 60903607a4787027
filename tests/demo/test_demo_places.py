"""The demo bases' place: every base has coordinates, travel facts, twelve months of climate and
drawn illustrations (never taken for photos), and seeding twice changes nothing."""

from __future__ import annotations

import datetime as dt

from sojourn import db as sojourn_db
from sojourn.bases import geo
from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.catalogue_places import BY_SLUG, CLIMATE, PLACES
from sojourn.demo.seed_catalogue import seed_catalogue
from sojourn.demo.seed_places import seed_places

NOW = dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.UTC)


def test_every_demo_base_has_a_place_and_the_data_is_sane():
    assert {place.slug for place in PLACES} == {base.slug for base in BASES}
    for place in PLACES:
        assert not geo.outside_china(place.longitude, place.latitude), place.slug
        assert place.climate in CLIMATE
        assert "-0000 " in place.phone  # an impossible number: nobody is rung from the demo
    for highs, lows, rain in CLIMATE.values():
        assert len(highs) == len(lows) == len(rain) == 12
        assert all(low <= high for high, low in zip(highs, lows, strict=True))


def test_the_demo_bases_are_where_their_provinces_are():
    for base in BASES:
        place = BY_SLUG[base.slug]
        seat = geo.province_seat(base.province_code)
        assert geo.distance_km(geo.Point(place.latitude, place.longitude), seat) < 1500, (
            base.slug
        )  # Inner Mongolia is wide


async def test_seeding_places_twice_changes_nothing(db):
    catalogue = await seed_catalogue(NOW.date())
    await seed_places(catalogue.bases, NOW)

    async def counts():
        async with sojourn_db.connection() as conn:
            return {
                table: await conn.fetchval(f"SELECT count(*) FROM {table}")
                for table in ("base_place", "base_climate_month", "photo", "photo_rendition")
            }

    first = await counts()
    assert first["base_place"] == len(PLACES) and first["base_climate_month"] == 12 * len(PLACES)
    assert first["photo"] == 2 * len(PLACES)
    await seed_places(catalogue.bases, NOW)
    assert await counts() == first
    async with sojourn_db.connection() as conn:
        alts = await conn.fetch("SELECT alt_zh, alt_en FROM photo")
    assert all("示意图" in row["alt_zh"] and "illustration" in row["alt_en"].lower() for row in alts)
