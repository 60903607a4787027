"""Seeding the demo catalogue: members, agreements, bases, capacity calendars and tours.

Tours are laid out on the calendar from ``today``: each base's seasonal stay (and the
all-year stays) once per window that is not over yet and opens within the next year — the
window under way from its first day, so the guests staying now have their tour — and each
fixed-date tour on its next date. ``plan_tours`` does that without a database, so the
layout can be checked for every day of the year; ``plan_past_tours`` lays out the past
year's tours (closed) the same way, for the demo history.

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
from sojourn.demo.catalogue import AGREEMENTS, MEMBERS, BaseSeed, FixedTourSeed, RefundPolicy, SeasonalStaySeed
from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.catalogue_stays import ALL_YEAR_STAYS, SEASONAL_STAYS
from sojourn.demo.catalogue_tours import FIXED_TOURS
from sojourn.demo.seed_rooms import seed_room_calendars

# Health declarations are due up to 14 days before arrival, so no fixed-date tour is laid
# out to start sooner: a senior who books today can still file in time.
BOOKING_LEAD_DAYS = 14
CAPACITY_NIGHTS = 365  # calendar rows from today; the last departure is today + 365
HISTORY_NIGHTS = 365  # calendar rows before today, for the past year's stays
LONG_STAY_NIGHTS = 30
FAR_FROM_HOSPITAL_KM = 30.0
HIGH_ALTITUDE_M = 3000  # domain.md: contraindications for stays above 3,000 m
PAST_MARKER_ZH, PAST_MARKER_EN = "（往期）", " (past)"

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

    slug: str  # fixed tours: the catalogue slug (past ones: "-<year>"); stays: "<base>-season|all-year-<year>"
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


def beds_on(base: BaseSeed, night: dt.date) -> int:
    """Beds the base offers the network on ``night``: its share in season, a few out of it
    (one Sanya home runs 100% full in winter and 3% in summer)."""
    share = base.network_share_percent if night.month in base.season_months else base.off_season_percent
    return base.total_beds * share // 100


def _window_bounds(stay: SeasonalStaySeed, base: BaseSeed, year: int) -> tuple[dt.date, dt.date]:
    """First arrival and last departure of the window that opens in ``year``."""
    if stay.all_year:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    closing_year = year + 1 if base.winter_season else year
    last_day = calendar.monthrange(closing_year, base.season_end_month)[1]
    return dt.date(year, base.season_start_month, 1), dt.date(closing_year, base.season_end_month, last_day)


def season_windows(base: BaseSeed, today: dt.date, stay: SeasonalStaySeed) -> list[SeasonWindow]:
    """The stay's windows that are not over and open within the demo year, each from its first day.

    A window at the demo year's horizon is cut there; one cut shorter than a minimum stay is left out.
    """
    last_departure = today + dt.timedelta(days=CAPACITY_NIGHTS)
    windows = []
    for year in (today.year - 1, today.year, today.year + 1):
        opens, closes = _window_bounds(stay, base, year)
        ends_on = min(closes, last_departure)
        if closes >= today and (ends_on - opens).days >= stay.min_nights:
            windows.append(SeasonWindow(opens, ends_on, year))
    return windows


def past_windows(base: BaseSeed, today: dt.date, stay: SeasonalStaySeed) -> list[SeasonWindow]:
    """The stay's windows over before today, cut at the start of the demo history."""
    first_night = today - dt.timedelta(days=HISTORY_NIGHTS)
    windows = []
    for year in (today.year - 2, today.year - 1, today.year):
        opens, closes = _window_bounds(stay, base, year)
        starts_on = max(opens, first_night)
        if closes < today and (closes - starts_on).days >= stay.min_nights:
            windows.append(SeasonWindow(starts_on, closes, year))
    return windows


def still_bookable(window: SeasonWindow, today: dt.date, min_nights: int) -> bool:
    """Whether a minimum stay arriving tomorrow or later still fits in the window."""
    return (window.ends_on - max(window.starts_on, today + dt.timedelta(days=1))).days >= min_nights


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


def past_arrivals(tour: FixedTourSeed, today: dt.date) -> list[dt.date]:
    """The tour's dates in the demo history: started in it, and over by today."""
    first_night = today - dt.timedelta(days=HISTORY_NIGHTS)
    arrivals = []
    for year in (today.year - 1, today.year):
        arrival = dt.date(year, tour.arrival_month, tour.arrival_day)
        if first_night <= arrival and arrival + dt.timedelta(days=tour.nights) <= today:
            arrivals.append(arrival)
    return arrivals


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


def _stay_tour(stay: SeasonalStaySeed, base: BaseSeed, window: SeasonWindow, status: str) -> PlannedTour:
    """The tour row of one window; ``status`` "past" makes it a closed tour of the history."""
    year = window.season_year
    if stay.all_year:
        title_zh = f"{stay.place_zh}{year}年全年康复休养"
        title_en = f"{stay.place_en} recovery stays {year}"
    elif base.winter_season:
        title_zh = f"{stay.place_zh}{year}—{year + 1}年冬季候鸟旅居"
        title_en = f"{stay.place_en} winter stay {year}–{(year + 1) % 100:02d}"
    else:
        title_zh = f"{stay.place_zh}{year}年夏季避暑旅居"
        title_en = f"{stay.place_en} summer stay {year}"
    if status == "past":
        status, title_zh, title_en = "closed", title_zh + PAST_MARKER_ZH, title_en + PAST_MARKER_EN
    window_nights = (window.ends_on - window.starts_on).days
    longest_stay = min(stay.max_nights or window_nights, window_nights)
    return PlannedTour(
        slug=f"{base.slug}-{'all-year' if stay.all_year else 'season'}-{year}",
        base_slug=base.slug,
        mode="migratory",
        status=status,
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


def _fixed_tour(tour: FixedTourSeed, base: BaseSeed, arrival: dt.date, past: bool = False) -> PlannedTour:
    return PlannedTour(
        slug=f"{tour.slug}-{arrival.year}" if past else tour.slug,
        base_slug=base.slug,
        mode=tour.mode,
        status="closed" if past else "published" if base.status == "admitted" else "draft",
        organiser_code=tour.organiser_code,
        partner_code=tour.partner_code,
        title_zh=tour.title_zh + (PAST_MARKER_ZH if past else ""),
        title_en=tour.title_en + (PAST_MARKER_EN if past else ""),
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


def _stays_of(base: BaseSeed) -> list[SeasonalStaySeed]:
    return [SEASONAL_STAYS[base.slug], *(stay for stay in ALL_YEAR_STAYS if stay.base_slug == base.slug)]


def plan_tours(today: dt.date) -> list[PlannedTour]:
    """Every tour of the catalogue for ``today`` (not over yet), in calendar order.

    A window still taking bookings is published; one under way that no longer has room for
    a minimum stay is closed. A base awaiting admission prepares only its first window, as a draft.
    """
    bases = {base.slug: base for base in BASES}
    planned = []
    for base in BASES:
        for stay in _stays_of(base):
            windows = season_windows(base, today, stay)
            if base.status != "admitted":
                planned += [_stay_tour(stay, base, window, "draft") for window in windows[:1]]
                continue
            for window in windows:
                status = "published" if still_bookable(window, today, stay.min_nights) else "closed"
                planned.append(_stay_tour(stay, base, window, status))
    for tour in FIXED_TOURS:
        arrival = next_arrival(tour, today)
        if arrival is not None:
            planned.append(_fixed_tour(tour, bases[tour.base_slug], arrival))
    return sorted(planned, key=lambda tour: (tour.starts_on, tour.slug))


def plan_past_tours(today: dt.date) -> list[PlannedTour]:
    """The admitted bases' tours of the past year that are over by today (all closed)."""
    bases = {base.slug: base for base in BASES}
    planned = []
    for base in BASES:
        if base.status == "admitted":
            for stay in _stays_of(base):
                planned += [_stay_tour(stay, base, window, "past") for window in past_windows(base, today, stay)]
    for tour in FIXED_TOURS:
        base = bases[tour.base_slug]
        if base.status == "admitted":
            planned += [_fixed_tour(tour, base, arrival, past=True) for arrival in past_arrivals(tour, today)]
    return sorted(planned, key=lambda tour: (tour.starts_on, tour.slug))


async def seed_catalogue(
    today: dt.date, tours: list[PlannedTour] | None = None, *, first_night: dt.date | None = None
) -> CatalogueIds:
    """Insert the demo catalogue laid out from ``today`` (``tours``: these instead of
    ``plan_tours(today)``; calendars from ``first_night``), in one transaction; idempotent."""
    async with db.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _SEED_LOCK_KEY)
        members = await _seed_members(conn)
        agreements = await _seed_agreements(conn, members)
        bases = await _seed_bases(conn, members)
        last_night = today + dt.timedelta(days=CAPACITY_NIGHTS - 1)
        await _seed_capacity(conn, bases, first_night or today, last_night)
        tours_ids = await _seed_tours(conn, members, bases, plan_tours(today) if tours is None else tours)
    return CatalogueIds(members=members, agreements=agreements, bases=bases, tours=tours_ids)


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
            "hospital_distance_km, altitude_m, accessibility, total_beds, status, contact_phone) VALUES ($1, $2, "
            "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
            "$19::varchar[], $20, $21, $22) RETURNING id",
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
            base.contact_phone,
        )
    return ids


async def _seed_capacity(conn: asyncpg.Connection, bases: dict[str, int], first: dt.date, last: dt.date) -> None:
    by_slug = {base.slug: base for base in BASES}
    await seed_room_calendars(
        conn,
        {base.slug: bases[base.slug] for base in BASES},
        first,
        last,
        lambda slug, night: beds_on(by_slug[slug], night),
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
