"""A year of past trips, so statistics and reviews have something to show.

Past seasons and fixed-date tours (closed), 240 households from the provinces that send
seniors south in winter and north in summer (the Northeast and Beijing send about half of
Hainan's migrants: domain.md), their stays, cancellations and no-shows, and the feedback
of those who stayed. Capacity rows for the past year carry exactly the beds these stays took.

Written with plain SQL because the booking engine (rightly) refuses arrivals in the past.
Deterministic (a fixed random seed) and idempotent: it runs once per database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import random
from dataclasses import dataclass

import asyncpg

from sojourn import db
from sojourn.accounts.passwords import hash_password
from sojourn.demo.catalogue import BaseSeed
from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.catalogue_tours import FIXED_TOURS, SEASONAL_STAYS
from sojourn.demo.history_people import COMMENTS_EN, COMMENTS_ZH, household_names
from sojourn.demo.seed_catalogue import CatalogueIds
from sojourn.stats import rollups
from sojourn.tours.pricing import traveller_price_fen

HOUSEHOLDS = 240
# Where the travellers come from, weighted (northeast and Beijing first).
ORIGINS = {
    "230000": 20, "220000": 12, "210000": 12, "110000": 10, "150000": 10, "370000": 6, "130000": 6,
    "120000": 4, "310000": 5, "610000": 3, "640000": 3, "140000": 3, "620000": 2, "440000": 4,
}  # fmt: skip
_MARKER = "（往期）"  # titles of past tours: their presence means the history is already there


@dataclass
class Household:
    account_id: int
    province: str
    travellers: list[tuple[int, dt.date]]  # (traveller id, birth date)


async def seed_history(catalogue: CatalogueIds, today: dt.date) -> bool:
    """Add a year of history unless it is there; returns whether anything was added."""
    async with db.connection() as conn:
        if await conn.fetchval("SELECT 1 FROM tour WHERE title_zh LIKE '%' || $1 LIMIT 1", _MARKER):
            return False
        rng = random.Random(20261123)
        async with conn.transaction():
            households = await _households(conn, rng)
            start = today - dt.timedelta(days=365)
            for base in BASES:
                if base.status != "admitted":
                    continue
                base_id = catalogue.bases[base.slug]
                beds = await _past_capacity(conn, base, base_id, start, today)
                tours = await _past_tours(conn, base, base_id, catalogue, start, today)
                quality = 3.6 + rng.random() * 1.1  # each base earns its own reputation
                for tour in tours:
                    await _fill(conn, rng, tour, beds, households, quality, today)
            await conn.execute(
                "UPDATE capacity_night c SET taken = x.k FROM ("
                "  SELECT b.base, n::date AS night, sum(b.party_size)::int AS k FROM booking b,"
                "  generate_series(b.arrival, b.departure - 1, interval '1 day') n"
                "  WHERE b.status IN ('checked_out', 'no_show') GROUP BY 1, 2) x"
                " WHERE c.base = x.base AND c.night = x.night"
            )
            # The stays above went straight into the tables, already over: count them once.
            await rollups.rebuild(conn)
    return True


async def _households(conn: asyncpg.Connection, rng: random.Random) -> list[Household]:
    password_hash = await hash_password("history-accounts-cannot-sign-in-" + str(rng.random()))
    provinces = rng.choices(list(ORIGINS), weights=list(ORIGINS.values()), k=HOUSEHOLDS)
    households = []
    for number, (province, names) in enumerate(zip(provinces, household_names(rng, HOUSEHOLDS), strict=True)):
        account_id = await conn.fetchval(
            "INSERT INTO account (role, email, password_hash, display_name) VALUES ('traveller', $1, $2, $3) RETURNING id",
            f"history{number:03d}@demo.sojourn.example",
            password_hash,
            names[0],
        )
        travellers = []
        for position, name in enumerate(names):
            # Three in four travellers are under 75 (Hainan's 2018 survey); all are 60 or more.
            age = rng.randint(60, 74) if rng.random() < 0.75 else rng.randint(75, 88)
            birth = dt.date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
            traveller_id = await conn.fetchval(
                "INSERT INTO traveller (account, name, birth_date, gender, home_province_code, emergency_name, "
                "emergency_phone, emergency_relation, is_account_holder) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                "RETURNING id",
                account_id,
                name,
                birth,
                "female" if position % 2 == 0 else "male",
                province,
                names[0][0] + "家人",
                "1390000" + f"{number:04d}",
                "子女",
                position == 0,
            )
            travellers.append((traveller_id, birth))
        households.append(Household(account_id, province, travellers))
    return households


async def _past_capacity(
    conn: asyncpg.Connection, base: BaseSeed, base_id: int, start: dt.date, today: dt.date
) -> dict[dt.date, int]:
    beds: dict[dt.date, int] = {}
    day = start
    while day < today:
        share = base.network_share_percent if day.month in base.season_months else base.off_season_percent
        beds[day] = max(base.total_beds * share // 100, 1)
        day += dt.timedelta(days=1)
    await conn.executemany(
        "INSERT INTO capacity_night (base, night, beds, taken) VALUES ($1, $2, $3, 0) ON CONFLICT (base, night) DO NOTHING",
        [(base_id, night, count) for night, count in beds.items()],
    )
    return beds


@dataclass
class PastTour:
    id: int
    mode: str
    base_id: int
    starts_on: dt.date
    ends_on: dt.date
    min_nights: int
    monthly_price_fen: int | None
    package_price_fen: int | None
    seats: int | None
    quotas: dict[str, tuple[int, int]]  # member code -> (member id, seats)
    policy: list[dict]


async def _past_tours(
    conn: asyncpg.Connection, base: BaseSeed, base_id: int, catalogue: CatalogueIds, start: dt.date, today: dt.date
) -> list[PastTour]:
    tours = []
    stay = SEASONAL_STAYS.get(base.slug)
    if stay:
        for year in (start.year - 1, start.year, start.year + 1):
            opens = dt.date(year, base.season_start_month, 1)
            closing_year = year + 1 if base.season_start_month > base.season_end_month else year
            closes = dt.date(
                closing_year, base.season_end_month, calendar.monthrange(closing_year, base.season_end_month)[1]
            )
            starts_on, ends_on = max(opens, start), min(closes, today - dt.timedelta(days=1))
            if (ends_on - starts_on).days < stay.min_nights:
                continue
            tours.append(
                await _insert_tour(
                    conn,
                    base_id,
                    catalogue.members[stay.organiser_code],
                    "migratory",
                    f"{stay.place_zh}{year}季候鸟长住{_MARKER}",
                    f"{stay.place_en} {year} season (past)",
                    starts_on,
                    ends_on,
                    stay.min_nights,
                    stay.monthly_price_fen,
                    None,
                    None,
                    None,
                    {},
                    list(stay.refund_policy),
                )
            )
    for fixed in FIXED_TOURS:
        if fixed.base_slug != base.slug:
            continue
        for year in (start.year, start.year + 1):
            arrival = dt.date(year, fixed.arrival_month, fixed.arrival_day)
            departure = arrival + dt.timedelta(days=fixed.nights)
            if not (start <= arrival and departure < today):
                continue
            quotas = {code: (catalogue.members[code], seats) for code, seats in fixed.quotas}
            tours.append(
                await _insert_tour(
                    conn,
                    base_id,
                    catalogue.members[fixed.organiser_code],
                    fixed.mode,
                    f"{fixed.title_zh}{_MARKER}",
                    f"{fixed.title_en} (past)",
                    arrival,
                    departure,
                    None,
                    None,
                    fixed.package_price_fen,
                    fixed.total_seats,
                    catalogue.members[fixed.partner_code] if fixed.partner_code else None,
                    quotas,
                    list(fixed.refund_policy),
                )
            )
    return tours


async def _insert_tour(
    conn,
    base_id,
    organiser,
    mode,
    title_zh,
    title_en,
    starts_on,
    ends_on,
    min_nights,
    monthly,
    package,
    seats,
    partner,
    quotas,
    policy,
) -> PastTour:
    tour_id = await conn.fetchval(
        "INSERT INTO tour (base, organiser, partner, mode, status, title_zh, title_en, starts_on, ends_on, min_nights, "
        "monthly_price_fen, package_price_fen, seats, cancellation_policy) "
        "VALUES ($1, $2, $3, $4, 'closed', $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb) RETURNING id",
        base_id, organiser, partner, mode, title_zh, title_en, starts_on, ends_on, min_nights, monthly, package, seats,
        json.dumps(policy),
    )  # fmt: skip
    for member_id, member_seats in quotas.values():
        await conn.execute(
            "INSERT INTO tour_quota (tour, member, seats) VALUES ($1, $2, $3)", tour_id, member_id, member_seats
        )
    return PastTour(
        tour_id, mode, base_id, starts_on, ends_on, min_nights or 1, monthly, package, seats, quotas, policy
    )


async def _fill(
    conn: asyncpg.Connection,
    rng: random.Random,
    tour: PastTour,
    beds: dict[dt.date, int],
    households: list[Household],
    quality: float,
    today: dt.date,
) -> None:
    """Book past stays on ``tour`` within its beds, seats and quotas, then their feedback."""
    taken: dict[dt.date, int] = {}
    seats_left = tour.seats
    quota_left = {code: seats for code, (_, seats) in tour.quotas.items()}
    candidates = households[:]
    rng.shuffle(candidates)
    attempts = 60 if tour.mode == "migratory" else 40
    for household in candidates[:attempts]:
        if tour.mode == "interactive" and quota_left.get(household.province, 0) < len(household.travellers):
            continue
        party = household.travellers
        if seats_left is not None and seats_left < len(party):
            continue
        if tour.mode == "migratory":
            latest = (tour.ends_on - tour.starts_on).days - tour.min_nights
            if latest < 0:
                return
            arrival = tour.starts_on + dt.timedelta(days=rng.randint(0, latest))
            room = (tour.ends_on - arrival).days
            nights = rng.randint(tour.min_nights, max(tour.min_nights, min(room, 120)))
            departure = arrival + dt.timedelta(days=min(nights, room))
        else:
            arrival, departure = tour.starts_on, tour.ends_on
        nights_list = [arrival + dt.timedelta(days=i) for i in range((departure - arrival).days)]
        if any(taken.get(n, 0) + len(party) > beds.get(n, 0) for n in nights_list):
            continue
        status = rng.choices(["checked_out", "cancelled", "no_show"], weights=[88, 9, 3])[0]
        if status != "cancelled":
            for n in nights_list:
                taken[n] = taken.get(n, 0) + len(party)
            if seats_left is not None:
                seats_left -= len(party)
            if household.province in quota_left:
                quota_left[household.province] -= len(party)
        await _book(conn, rng, tour, household, arrival, departure, status, quality, today)
    if tour.seats is not None:
        await conn.execute("UPDATE tour SET seats_taken = $2 WHERE id = $1", tour.id, tour.seats - (seats_left or 0))
    for code, left in quota_left.items():
        member_id, seats = tour.quotas[code]
        await conn.execute(
            "UPDATE tour_quota SET taken = $3 WHERE tour = $1 AND member = $2", tour.id, member_id, seats - left
        )


BOOK_SQL = """
INSERT INTO booking (id, reference, tour, base, account, booked_by, origin_member, status, arrival, departure, nights,
                     party_size, total_fen, refund_fen, hold_expires_at, created_at, confirmed_at, cancelled_at,
                     checked_in_at, checked_out_at)
SELECT n.id, sojourn_booking_reference(n.id), $1, $2, $3, $3, (SELECT id FROM member WHERE code = $4 AND $5::boolean),
       $6, $7::date, $8::date, $8::date - $7::date, $9, $10, $11, $12::timestamptz, $12::timestamptz,
       $12::timestamptz + interval '10 minutes', $13::timestamptz, $14::timestamptz, $15::timestamptz
FROM (SELECT nextval('booking_id_seq') AS id) n
RETURNING id
"""


async def _book(
    conn: asyncpg.Connection,
    rng: random.Random,
    tour: PastTour,
    household: Household,
    arrival: dt.date,
    departure: dt.date,
    status: str,
    quality: float,
    today: dt.date,
) -> None:
    party = household.travellers
    total = traveller_price_fen(tour, (departure - arrival).days) * len(party)
    booked_at = _at(arrival - dt.timedelta(days=rng.randint(20, 90)), 10)
    cancelled_at = booked_at + dt.timedelta(days=rng.randint(1, 10)) if status == "cancelled" else None
    booking_id = await conn.fetchval(
        BOOK_SQL,
        tour.id,
        tour.base_id,
        household.account_id,
        household.province,
        tour.mode == "interactive",
        status,
        arrival,
        departure,
        len(party),
        total,
        total if status == "cancelled" else None,
        booked_at,
        cancelled_at,
        _at(arrival, 15) if status == "checked_out" else None,
        _at(departure, 10) if status == "checked_out" else None,
    )
    await conn.executemany(
        "INSERT INTO booking_traveller (booking, traveller, home_province_code, age_at_arrival) VALUES ($1, $2, $3, $4)",
        [(booking_id, traveller, household.province, arrival.year - birth.year) for traveller, birth in party],
    )
    if status == "checked_out" and rng.random() < 0.75:
        for traveller, _ in party:
            await _feedback(conn, rng, booking_id, traveller, tour.base_id, household.account_id, quality, departure)


async def _feedback(conn, rng, booking_id, traveller, base_id, account_id, quality, departure) -> None:
    def rating() -> int:
        return max(1, min(5, round(rng.gauss(quality, 0.7))))

    nps = max(0, min(10, round(rng.gauss(quality * 2 - 0.2, 1.6))))
    comments = COMMENTS_ZH if rng.random() < 0.9 else COMMENTS_EN
    comment = rng.choice(comments[int(quality >= 4.2)]) if rng.random() < 0.6 else ""
    written = _at(departure, 20) + dt.timedelta(days=rng.randint(0, 6))
    await conn.execute(
        "INSERT INTO feedback (booking, traveller, base, entered_by, accommodation, food, medical, activities, staff, "
        "transport, value, safety, nps, comment, created_at, updated_at, editable_until) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::timestamptz, $15::timestamptz, "
        "$15::timestamptz + interval '14 days')",
        booking_id, traveller, base_id, account_id, *(rating() for _ in range(8)), nps, comment, written,
    )  # fmt: skip


def _at(day: dt.date, hour: int) -> dt.datetime:
    """A moment on ``day`` at ``hour`` o'clock China time."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))
