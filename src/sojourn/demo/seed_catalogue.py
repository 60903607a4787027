"""Seeding the demo catalogue: members, agreements, bases, capacity calendars and tours.

Tours are laid out on the calendar from ``today``: each base's seasonal stay once per
season window that still has room for a minimum stay within the next year, and each
fixed-date tour on its next date. ``plan_tours`` does that without a database, so the
layout can be checked for every day of the year.

The seed is idempotent: rows are found by their natural keys (member ``code``, the
agreement's member pair, base ``name_zh``, tour ``base``+``title_zh``+``starts_on``,
capacity ``base``+``night``, quota ``tour``+``member``) and left as they are when they
exist, so running it twice changes nothing and a demo's own edits survive a re-seed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass, field

import asyncpg

from sojourn import db
from sojourn.demo.catalogue import AGREEMENTS, MEMBERS, BaseSeed, FixedTourSeed, RefundPolicy
from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.catalogue_tours import FIXED_TOURS, SEASONAL_STAYS

# Health declarations are due up to 14 days before arrival, so nothing is laid out to
# start sooner: a senior who books today can still file in time.
BOOKING_LEAD_DAYS = 14
CAPACITY_NIGHTS = 365  # calendar rows from today; the last departure is today + 365
LONG_STAY_NIGHTS = 30
FAR_FROM_HOSPITAL_KM = 30.0
HIGH_ALTITUDE_M = 3000  # domain.md: contraindications for stays above 3,000 m

# Two seeds at once would both miss a base or tour the other is inserting (those tables
# have no unique natural key): the second one waits for the first to commit.
_SEED_LOCK_KEY = 0x50_4A_0C_A7


@dataclass(frozen=True)
class CatalogueIds:
    """Ids of the seeded rows by natural key, for the seeds that build on the catalogue."""

    members: dict[str, int]  # by province code
    agreements: dict[tuple[str, str], int]  # by the two member codes, sorted
    bases: dict[str, int]  # by base slug (catalogue_bases)
    tours: dict[str, int]  # by tour slug (see PlannedTour.slug)


@dataclass(frozen=True)
class SeasonWindow:
    starts_on: dt.date  # first possible arrival
    ends_on: dt.date  # last possible departure
    season_year: int  # the year the season opens in, for the title


@dataclass(frozen=True)
class PlannedTour:
    """One tour row as the seed will insert it."""

    slug: str  # fixed tours: the catalogue slug; seasonal stays: "<base slug>-season-<year>"
    base_slug: str
    mode: str
    status: str
    organiser_code: str
    partner_code: str | None
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    includes_zh: str
    includes_en: str
    starts_on: dt.date
    ends_on: dt.date
    refund_policy: RefundPolicy
    health_requirements: tuple[str, ...]
    declaration_due_days: int
    min_nights: int | None = None
    max_nights: int | None = None
    monthly_price_fen: int | None = None
    package_price_fen: int | None = None
    seats: int | None = None
    quotas: tuple[tuple[str, int], ...] = field(default_factory=tuple)


def _next_dekad_start(day: dt.date) -> dt.date:
    """The first day on or after ``day`` that starts a 旬 (the 1st, 11th or 21st of a month)."""
    for start in (1, 11, 21):
        if day.day <= start:
            return day.replace(day=start)
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def season_windows(base: BaseSeed, today: dt.date, min_nights: int) -> list[SeasonWindow]:
    """The base's season windows that leave at least ``min_nights`` inside the demo year.

    A season already under way opens for arrivals at the start of the next 旬 (the
    1st, 11th or 21st) rather than on any day, so a re-seed a few days later still
    finds the same tour instead of adding a twin that starts a day later.
    """
    earliest_arrival = today + dt.timedelta(days=BOOKING_LEAD_DAYS)
    last_departure = today + dt.timedelta(days=CAPACITY_NIGHTS)
    windows = []
    for year in (today.year - 1, today.year, today.year + 1):
        opens = dt.date(year, base.season_start_month, 1)
        closing_year = year + 1 if base.winter_season else year
        closes = dt.date(
            closing_year,
            base.season_end_month,
            calendar.monthrange(closing_year, base.season_end_month)[1],
        )
        starts_on = max(opens, _next_dekad_start(earliest_arrival))
        ends_on = min(closes, last_departure)
        if (ends_on - starts_on).days >= min_nights:
            windows.append(SeasonWindow(starts_on, ends_on, year))
    return windows


def next_arrival(tour: FixedTourSeed, today: dt.date) -> dt.date | None:
    """The tour's next date that is far enough ahead and ends inside the demo year."""
    earliest_arrival = today + dt.timedelta(days=BOOKING_LEAD_DAYS)
    last_departure = today + dt.timedelta(days=CAPACITY_NIGHTS)
    for year in (today.year, today.year + 1):
        arrival = dt.date(year, tour.arrival_month, tour.arrival_day)
        departure = arrival + dt.timedelta(days=tour.nights)
        if arrival >= earliest_arrival and departure <= last_departure:
            return arrival
    return None


def health_requirements(base: BaseSeed, longest_stay_nights: int) -> tuple[str, ...]:
    """The requirements that trigger extra questions or a certificate at booking."""
    requirements = []
    if base.altitude_m > HIGH_ALTITUDE_M:
        requirements.append("high_altitude")
    if longest_stay_nights > LONG_STAY_NIGHTS:
        requirements.append("long_stay")
    if base.hospital_distance_km > FAR_FROM_HOSPITAL_KM:
        requirements.append("far_from_hospital")
    return tuple(requirements)


def _seasonal_stays(base: BaseSeed, today: dt.date) -> list[PlannedTour]:
    stay = SEASONAL_STAYS[base.slug]
    windows = season_windows(base, today, stay.min_nights)
    if base.status != "admitted":
        # A base awaiting admission prepares only its first season, unpublished.
        windows = windows[:1]
    planned = []
    for window in windows:
        year = window.season_year
        if base.winter_season:
            title_zh = f"{stay.place_zh}{year}—{year + 1}年冬季候鸟旅居"
            title_en = f"{stay.place_en} winter stay {year}–{(year + 1) % 100:02d}"
        else:
            title_zh = f"{stay.place_zh}{year}年夏季避暑旅居"
            title_en = f"{stay.place_en} summer stay {year}"
        window_nights = (window.ends_on - window.starts_on).days
        longest_stay = min(stay.max_nights or window_nights, window_nights)
        planned.append(
            PlannedTour(
                slug=f"{base.slug}-season-{year}",
                base_slug=base.slug,
                mode="migratory",
                status="published" if base.status == "admitted" else "draft",
                organiser_code=stay.organiser_code,
                partner_code=None,
                title_zh=title_zh,
                title_en=title_en,
                summary_zh=stay.summary_zh,
                summary_en=stay.summary_en,
                includes_zh=stay.includes_zh,
                includes_en=stay.includes_en,
                starts_on=window.starts_on,
                ends_on=window.ends_on,
                refund_policy=stay.refund_policy,
                health_requirements=health_requirements(base, longest_stay),
                declaration_due_days=stay.declaration_due_days,
                min_nights=stay.min_nights,
                max_nights=stay.max_nights,
                monthly_price_fen=stay.monthly_price_fen,
            )
        )
    return planned


def _fixed_tour(tour: FixedTourSeed, base: BaseSeed, arrival: dt.date) -> PlannedTour:
    return PlannedTour(
        slug=tour.slug,
        base_slug=base.slug,
        mode=tour.mode,
        status="published" if base.status == "admitted" else "draft",
        organiser_code=tour.organiser_code,
        partner_code=tour.partner_code,
        title_zh=tour.title_zh,
        title_en=tour.title_en,
        summary_zh=tour.summary_zh,
        summary_en=tour.summary_en,
        includes_zh=tour.includes_zh,
        includes_en=tour.includes_en,
        starts_on=arrival,
        ends_on=arrival + dt.timedelta(days=tour.nights),
        refund_policy=tour.refund_policy,
        health_requirements=health_requirements(base, tour.nights),
        declaration_due_days=tour.declaration_due_days,
        package_price_fen=tour.package_price_fen,
        seats=tour.total_seats,
        quotas=tour.quotas,
    )


def plan_tours(today: dt.date) -> list[PlannedTour]:
    """Every tour the seed inserts for ``today``, in calendar order."""
    bases = {base.slug: base for base in BASES}
    planned = [tour for base in BASES for tour in _seasonal_stays(base, today)]
    for tour in FIXED_TOURS:
        arrival = next_arrival(tour, today)
        if arrival is not None:
            planned.append(_fixed_tour(tour, bases[tour.base_slug], arrival))
    return sorted(planned, key=lambda tour: (tour.starts_on, tour.slug))


async def seed_catalogue(today: dt.date) -> CatalogueIds:
    """Insert the demo catalogue laid out from ``today``, in one transaction; idempotent."""
    async with db.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _SEED_LOCK_KEY)
        members = await _seed_members(conn)
        agreements = await _seed_agreements(conn, members)
        bases = await _seed_bases(conn, members)
        await _seed_capacity(conn, bases, today)
        tours = await _seed_tours(conn, members, bases, plan_tours(today))
    return CatalogueIds(members=members, agreements=agreements, bases=bases, tours=tours)


async def _seed_members(conn: asyncpg.Connection) -> dict[str, int]:
    await conn.executemany(
        "INSERT INTO member (code, name_zh, name_en, organisation_zh, organisation_en, status, "
        "joined_on) VALUES ($1, $2, $3, $4, $5, 'active', $6) ON CONFLICT (code) DO NOTHING",
        [(m.code, m.name_zh, m.name_en, m.organisation_zh, m.organisation_en, m.joined_on) for m in MEMBERS],
    )
    rows = await conn.fetch("SELECT code, id FROM member WHERE code = ANY($1::varchar[])", [m.code for m in MEMBERS])
    return {row["code"]: row["id"] for row in rows}


async def _seed_agreements(conn: asyncpg.Connection, members: dict[str, int]) -> dict[tuple[str, str], int]:
    ids: dict[tuple[str, str], int] = {}
    for agreement in AGREEMENTS:
        first, second = sorted(members[code] for code in agreement.member_codes)
        await conn.execute(
            "INSERT INTO agreement (member_a, member_b, modes, signed_on, note) "
            "VALUES ($1, $2, $3::varchar[], $4, $5) ON CONFLICT (member_a, member_b) DO NOTHING",
            first,
            second,
            list(agreement.modes),
            agreement.signed_on,
            agreement.note,
        )
        key = tuple(sorted(agreement.member_codes))
        ids[(key[0], key[1])] = await conn.fetchval(
            "SELECT id FROM agreement WHERE member_a = $1 AND member_b = $2", first, second
        )
    return ids


async def _seed_bases(conn: asyncpg.Connection, members: dict[str, int]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for base in BASES:
        existing = await conn.fetchval("SELECT id FROM base WHERE name_zh = $1", base.name_zh)
        ids[base.slug] = existing or await conn.fetchval(
            "INSERT INTO base (member, name_zh, name_en, province_code, city_code, city_zh, "
            "city_en, address_zh, address_en, summary_zh, summary_en, season_start_month, "
            "season_end_month, medical_level, nearest_hospital_zh, nearest_hospital_en, "
            "hospital_distance_km, altitude_m, accessibility, total_beds, status) VALUES ($1, $2, "
            "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
            "$19::varchar[], $20, $21) RETURNING id",
            members[base.owner_code],
            base.name_zh,
            base.name_en,
            base.province_code,
            base.city_code,
            base.city_zh,
            base.city_en,
            base.address_zh,
            base.address_en,
            base.summary_zh,
            base.summary_en,
            base.season_start_month,
            base.season_end_month,
            base.medical_level,
            base.nearest_hospital_zh,
            base.nearest_hospital_en,
            base.hospital_distance_km,
            base.altitude_m,
            list(base.accessibility),
            base.total_beds,
            base.status,
        )
    return ids


async def _seed_capacity(conn: asyncpg.Connection, bases: dict[str, int], today: dt.date) -> None:
    last_night = today + dt.timedelta(days=CAPACITY_NIGHTS - 1)
    for base in BASES:
        # Out of season a base still keeps a few beds for the network (one Sanya home
        # runs 100% full in winter and 3% in summer).
        await conn.execute(
            "INSERT INTO capacity_night (base, night, beds, taken) "
            "SELECT $1, night::date, CASE WHEN extract(month FROM night)::int = ANY($4::int[]) "
            "THEN $5::int ELSE $6::int END, 0 "
            "FROM generate_series($2::date, $3::date, interval '1 day') AS night "
            "ON CONFLICT (base, night) DO NOTHING",
            bases[base.slug],
            today,
            last_night,
            sorted(base.season_months),
            base.total_beds * base.network_share_percent // 100,
            base.total_beds * base.off_season_percent // 100,
        )


async def _seed_tours(
    conn: asyncpg.Connection,
    members: dict[str, int],
    bases: dict[str, int],
    planned: list[PlannedTour],
) -> dict[str, int]:
    ids: dict[str, int] = {}
    for tour in planned:
        base_id = bases[tour.base_slug]
        existing = await conn.fetchval(
            "SELECT id FROM tour WHERE base = $1 AND title_zh = $2 AND starts_on = $3",
            base_id,
            tour.title_zh,
            tour.starts_on,
        )
        tour_id = existing or await conn.fetchval(
            "INSERT INTO tour (base, organiser, partner, mode, status, title_zh, title_en, "
            "summary_zh, summary_en, includes_zh, includes_en, starts_on, ends_on, min_nights, "
            "max_nights, monthly_price_fen, package_price_fen, seats, cancellation_policy, "
            "health_requirements, declaration_due_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
            "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19::jsonb, $20::varchar[], $21) "
            "RETURNING id",
            base_id,
            members[tour.organiser_code],
            members[tour.partner_code] if tour.partner_code else None,
            tour.mode,
            tour.status,
            tour.title_zh,
            tour.title_en,
            tour.summary_zh,
            tour.summary_en,
            tour.includes_zh,
            tour.includes_en,
            tour.starts_on,
            tour.ends_on,
            tour.min_nights,
            tour.max_nights,
            tour.monthly_price_fen,
            tour.package_price_fen,
            tour.seats,
            json.dumps(list(tour.refund_policy)),
            list(tour.health_requirements),
            tour.declaration_due_days,
        )
        await conn.executemany(
            "INSERT INTO tour_quota (tour, member, seats, taken) VALUES ($1, $2, $3, 0) "
            "ON CONFLICT (tour, member) DO NOTHING",
            [(tour_id, members[code], seats) for code, seats in tour.quotas],
        )
        ids[tour.slug] = tour_id
    return ids
