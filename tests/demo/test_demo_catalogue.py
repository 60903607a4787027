"""The demo catalogue seed: it fills an empty database, a re-run changes nothing, tours add up."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter

import pytest

from sojourn import db as sojourn_db
from sojourn.alliance.agreements import agreement_in_force
from sojourn.demo.catalogue import AGREEMENTS, INNER_MONGOLIA, MEMBERS
from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.catalogue_stays import SEASONAL_STAYS
from sojourn.demo.catalogue_tours import FIXED_TOURS
from sojourn.demo.seed_catalogue import (
    BOOKING_LEAD_DAYS,
    CAPACITY_NIGHTS,
    plan_tours,
    seed_catalogue,
)
from tests.pinned import PINNED_TODAY

MODES = {"migratory", "vacation", "interactive"}
# The pinned today, a day deep in the southern winter, one early in the northern summer, a leap day.
SEED_DAYS = [PINNED_TODAY, dt.date(2027, 1, 20), dt.date(2027, 7, 10), dt.date(2028, 2, 29)]


def _season_months(start: int, end: int) -> set[int]:
    if start <= end:
        return set(range(start, end + 1))
    return set(range(start, 13)) | set(range(1, end + 1))


async def _fetch(sql: str, *args) -> list[dict]:
    async with sojourn_db.connection() as conn:
        return [dict(row) for row in await conn.fetch(sql, *args)]


async def _snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, for every table but Piccolo's migration record."""
    tables = await _fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'")
    snapshot = {}
    for table in tables:
        name = table["tablename"]
        (row,) = await _fetch(
            f"SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text),"
            f" '')) AS digest FROM \"{name}\" t"
        )
        snapshot[name] = (row["rows"], row["digest"])
    return snapshot


async def test_seed_fills_an_empty_database(db):
    today = PINNED_TODAY
    ids = await seed_catalogue(today)
    planned = plan_tours(today)

    (counts,) = await _fetch(
        "SELECT (SELECT count(*) FROM member) AS members, (SELECT count(*) FROM agreement) AS "
        "agreements, (SELECT count(*) FROM base) AS bases, (SELECT count(*) FROM capacity_night) "
        "AS nights, (SELECT count(*) FROM tour) AS tours, (SELECT count(*) FROM tour_quota) "
        "AS quotas"
    )
    assert counts == {
        "members": len(MEMBERS),
        "agreements": len(AGREEMENTS),
        "bases": len(BASES),
        "nights": len(BASES) * CAPACITY_NIGHTS,
        "tours": len(planned),
        "quotas": sum(len(tour.quotas) for tour in planned),
    }
    assert set(ids.members) == {member.code for member in MEMBERS}
    assert set(ids.bases) == {base.slug for base in BASES}
    assert set(ids.tours) == {tour.slug for tour in planned}
    assert len(ids.agreements) == len(AGREEMENTS)
    statuses = await _fetch("SELECT status, count(*) AS n FROM tour GROUP BY status")
    assert {row["status"]: row["n"] for row in statuses} == Counter(tour.status for tour in planned)
    assert Counter(tour.status for tour in planned)["draft"] == 1


async def test_second_seed_adds_and_changes_nothing(db):
    today = PINNED_TODAY
    first_ids = await seed_catalogue(today)
    before = await _snapshot()
    second_ids = await seed_catalogue(today)
    assert await _snapshot() == before
    assert second_ids == first_ids
    assert before["tour"][0] > 0 and before["capacity_night"][0] > 0


@pytest.mark.parametrize("today", SEED_DAYS, ids=str)
async def test_every_mode_has_published_tours_in_the_next_year(db, today):
    await seed_catalogue(today)
    rows = await _fetch(
        "SELECT DISTINCT t.mode FROM tour t JOIN base b ON b.id = t.base WHERE t.status = "
        "'published' AND b.status = 'admitted' AND t.starts_on >= $1 AND t.ends_on <= $2",
        today,
        today + dt.timedelta(days=CAPACITY_NIGHTS),
    )
    assert {row["mode"] for row in rows} == MODES


@pytest.mark.parametrize("today", SEED_DAYS, ids=str)
async def test_every_exchange_has_a_partner_an_agreement_and_quotas_for_both(db, today):
    await seed_catalogue(today)
    exchanges = await _fetch(
        "SELECT t.id, t.organiser, t.partner, t.seats, t.package_price_fen, t.monthly_price_fen, t.starts_on, t.ends_on, "
        "(SELECT array_agg(q.member ORDER BY q.member) FROM tour_quota q WHERE q.tour = t.id) "
        "AS quota_members, (SELECT sum(q.seats) FROM tour_quota q WHERE q.tour = t.id) AS "
        "quota_seats, EXISTS (SELECT 1 FROM agreement a WHERE a.member_a = least(t.organiser, "
        "t.partner) AND a.member_b = greatest(t.organiser, t.partner) AND 'interactive' = "
        "ANY(a.modes)) AS agreed FROM tour t WHERE t.mode = 'interactive'"
    )
    assert len(exchanges) >= 3
    (inner_mongolia,) = await _fetch("SELECT id FROM member WHERE code = $1", INNER_MONGOLIA)
    for tour in exchanges:
        assert tour["partner"] is not None and tour["partner"] != tour["organiser"]
        assert inner_mongolia["id"] in (tour["organiser"], tour["partner"])
        assert tour["quota_members"] == sorted([tour["organiser"], tour["partner"]])
        assert tour["seats"] == tour["quota_seats"]
        assert tour["package_price_fen"] > 0 and tour["monthly_price_fen"] is None
        assert tour["agreed"]
        # The rule publishing checks: an agreement for exchanges in force over the whole trip.
        async with sojourn_db.connection() as conn:
            assert await agreement_in_force(
                conn, tour["organiser"], tour["partner"], "interactive", tour["starts_on"], tour["ends_on"]
            ), tour
    assert not await _fetch(
        "SELECT id FROM tour WHERE mode <> 'interactive' AND (partner IS NOT NULL "
        "OR EXISTS (SELECT 1 FROM tour_quota q WHERE q.tour = tour.id))"
    )


@pytest.mark.parametrize("today", SEED_DAYS, ids=str)
async def test_seasonal_stays_match_their_base_season(db, today):
    await seed_catalogue(today)
    stays = await _fetch(
        "SELECT t.*, b.name_en AS base_name, b.season_start_month, b.season_end_month, "
        "b.hospital_distance_km, b.status AS base_status FROM tour t JOIN base b ON b.id = t.base "
        "WHERE t.mode = 'migratory'"
    )
    assert len({stay["base"] for stay in stays}) == len(BASES)
    horizon = today + dt.timedelta(days=CAPACITY_NIGHTS)
    for stay in stays:
        all_year = "recovery" in stay["title_en"]
        season = set(range(1, 13)) if all_year else _season_months(stay["season_start_month"], stay["season_end_month"])
        starts_on, ends_on = stay["starts_on"], stay["ends_on"]
        nights = [starts_on + dt.timedelta(days=n) for n in range((ends_on - starts_on).days)]
        assert all(night.month in season for night in nights), stay["title_en"]
        assert ends_on.month in season and ends_on >= today
        # The window opens with the season (the one under way too, so today's guests have their tour)
        # and closes with it, or at the demo year's horizon.
        opening_month = 1 if all_year else stay["season_start_month"]
        assert starts_on.day == 1 and starts_on.month == opening_month, stay["title_en"]
        closing_month = 12 if all_year else stay["season_end_month"]
        closes_with_season = (
            ends_on.month == closing_month and ends_on.day == (calendar.monthrange(ends_on.year, ends_on.month)[1])
        )
        assert closes_with_season or ends_on == horizon
        # Published while a minimum stay arriving tomorrow or later still fits; closed after.
        room = (ends_on - max(starts_on, today + dt.timedelta(days=1))).days
        expected = (
            "draft" if stay["base_status"] != "admitted" else "published" if room >= stay["min_nights"] else "closed"
        )
        assert stay["status"] == expected, stay["title_en"]
        assert 14 <= stay["min_nights"] <= 60 and stay["min_nights"] <= len(nights)
        assert stay["max_nights"] in (None, 90, 180)
        assert stay["monthly_price_fen"] > 0
        assert stay["seats"] is None and stay["package_price_fen"] is None
        longest_stay = min(stay["max_nights"] or len(nights), len(nights))
        assert ("long_stay" in stay["health_requirements"]) == (longest_stay > 30)
        far = stay["hospital_distance_km"] > 30
        assert ("far_from_hospital" in stay["health_requirements"]) == far


@pytest.mark.parametrize("today", SEED_DAYS, ids=str)
async def test_every_tour_night_has_capacity_and_fixed_tours_fit_in_it(db, today):
    await seed_catalogue(today)
    tours = await _fetch(
        "SELECT t.title_en, t.mode, t.seats, (t.ends_on - greatest(t.starts_on, $1)) AS nights, "
        "count(c.id) AS calendar_nights, min(c.beds) AS fewest_beds, max(c.taken) AS most_taken "
        "FROM tour t LEFT JOIN capacity_night c ON c.base = t.base AND c.night >= t.starts_on "
        "AND c.night < t.ends_on GROUP BY t.id",
        today,
    )
    assert tours
    for tour in tours:
        assert tour["calendar_nights"] == tour["nights"], tour["title_en"]
        assert (tour["most_taken"] or 0) == 0  # None: a window that ends today has no night left
        if tour["mode"] != "migratory":
            assert tour["seats"] <= tour["fewest_beds"], tour["title_en"]
    calendars = await _fetch(
        "SELECT base, min(night) AS first, max(night) AS last, count(*) AS nights FROM capacity_night GROUP BY base"
    )
    for row in calendars:
        assert row["first"] == today and row["nights"] == CAPACITY_NIGHTS
        assert row["last"] == today + dt.timedelta(days=CAPACITY_NIGHTS - 1)


async def test_home_page_lists_a_tour_of_each_mode(client):
    today = PINNED_TODAY
    await seed_catalogue(today)
    response = await client.get("/")
    assert response.status_code == 200
    planned = plan_tours(today)
    draft = next(tour for tour in planned if tour.status == "draft")
    for mode in MODES:
        page = await client.get("/tours", params={"mode": mode})
        assert page.status_code == 200
        published = [tour for tour in planned if tour.mode == mode and tour.status == "published"]
        titles = [tour.title_zh for tour in published]
        assert any(title in page.text for title in titles), mode
        assert f"mode-{mode}" in page.text
        assert draft.title_zh not in page.text
    assert draft.title_zh not in response.text


def test_layout_holds_on_every_day_of_two_years():
    """No database: the calendar layout for each possible seeding day, leap year included."""
    bases = {base.slug: base for base in BASES}
    first_day = dt.date(2027, 1, 1)
    for offset in range(731):
        today = first_day + dt.timedelta(days=offset)
        planned = plan_tours(today)
        published_modes = {tour.mode for tour in planned if tour.status == "published"}
        assert published_modes == MODES, today
        drafts = [tour for tour in planned if tour.status == "draft"]
        assert len(drafts) == 1 and bases[drafts[0].base_slug].status == "pending", today
        assert {tour.base_slug for tour in planned if tour.mode == "migratory"} == set(bases), today
        assert len({tour.slug for tour in planned}) == len(planned)
        for tour in planned:
            base = bases[tour.base_slug]
            assert tour.starts_on < tour.ends_on and today <= tour.ends_on <= today + dt.timedelta(days=CAPACITY_NIGHTS)
            if tour.mode != "migratory":
                assert today + dt.timedelta(days=BOOKING_LEAD_DAYS) <= tour.starts_on
                nights = range((tour.ends_on - tour.starts_on).days)
                months = {(tour.starts_on + dt.timedelta(days=n)).month for n in nights}
                assert months <= base.season_months, (today, tour.slug)
                assert base.status == "admitted"


def test_catalogue_follows_the_domain_brief():
    codes = {member.code for member in MEMBERS}
    assert len(codes) == len(MEMBERS) == 18
    inner_mongolia_partners = {
        code
        for agreement in AGREEMENTS
        if INNER_MONGOLIA in agreement.member_codes
        for code in agreement.member_codes
        if code != INNER_MONGOLIA
    }
    assert inner_mongolia_partners == {
        "110000",
        "120000",
        "310000",
        "130000",
        "140000",
        "440000",
        "610000",
        "620000",
        "640000",
    }
    assert all(a.signed_on.year == 2023 for a in AGREEMENTS if INNER_MONGOLIA in a.member_codes)
    assert any(b.owner_code == INNER_MONGOLIA and b.province_code == "460000" for b in BASES)
    assert sum(base.hospital_distance_km > 30 for base in BASES) >= 1
    assert [base.status for base in BASES].count("pending") == 1
    assert all(80 <= base.total_beds <= 400 for base in BASES)
    assert set(SEASONAL_STAYS) == {base.slug for base in BASES}
    assert {tour.base_slug for tour in FIXED_TOURS} <= {base.slug for base in BASES}
    allowed = {
        "step_free",
        "lift",
        "grab_rails",
        "accessible_bathroom",
        "wheelchair_loan",
        "hearing_loop",
        "large_print",
    }
    assert all(set(base.accessibility) <= allowed for base in BASES)
    assert SEASONAL_STAYS["panzhihua-sunshine"].monthly_price_fen == 240_000
    assert SEASONAL_STAYS["ordos-kangbashi"].monthly_price_fen == 110 * 30 * 100
    assert SEASONAL_STAYS["beidaihe-seaside"].monthly_price_fen == 340_000
