"""Search by dates as the network grows: 200 bases with a year of calendars, then ten times that.

Seeds bases in ten destination provinces (winter south, summer north), each with 365 nights of
beds partly taken (some nights full), a seasonal stay and two holiday packages, coordinates, a
feedback rollup for half of them and a few holds that ran out; then times the search query
itself (``sojourn.tours.search.search_sql``, the one statement ``GET /api/v1/tours`` runs with
dates) over asyncpg for typical searches: a winter in Hainan for two, a month anywhere, two
weeks by rating, two months by distance from Harbin, a holiday week under a price.

    python bench/search.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python bench/search.py --bases 200 --factor 10 --repeat 31

Autovacuum may be off: VACUUM ANALYZE runs before each phase. The goal: median time at 10x the
data at most 1.5x the time at 1x, for every search. Uses its own database
``sojourn_bench_search`` (emptied at every run). Not a test: it prints numbers;
docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

DATABASE = "sojourn_bench_search"
FIRST_NIGHT = dt.date(2026, 12, 1)
NIGHTS = 365
NOW = dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.UTC)  # noon in Beijing, before the first night
DESTINATIONS = {  # province: (latitude, longitude of a typical base), winter season?
    "460000": (18.25, 109.51, True), "530000": (22.01, 100.80, True), "450000": (24.15, 107.25, True),
    "510000": (26.58, 101.72, True), "440000": (21.86, 111.98, True), "350000": (24.48, 118.09, True),
    "150000": (49.21, 119.77, False), "130000": (39.83, 119.48, False), "370000": (37.51, 122.12, False),
    "230000": (45.80, 126.53, False),
}  # fmt: skip


def searches() -> dict[str, dict]:
    d = dt.timedelta(days=1)
    return {
        "winter in Hainan, 2 people, by price": dict(
            destination="460000", arrival=dt.date(2026, 12, 11), departure=dt.date(2027, 3, 1), party=2, sort="price"
        ),
        "a month anywhere, by price": dict(arrival=dt.date(2027, 1, 5), departure=dt.date(2027, 2, 4), sort="price"),
        "two weeks, by rating": dict(
            arrival=dt.date(2027, 7, 1), departure=dt.date(2027, 7, 1) + 14 * d, sort="rating"
        ),
        "two months from Harbin, by distance": dict(
            arrival=dt.date(2027, 6, 10), departure=dt.date(2027, 8, 10), party=2, sort="distance", home="230000"
        ),
        "a holiday week under 4,000 yuan": dict(
            arrival=dt.date(2027, 3, 1), departure=dt.date(2027, 3, 21), party=1, sort="price", max_price_fen=400000
        ),
    }


def database_url(server_url: str | None) -> str:
    if not server_url:
        from sojourn.db.embedded import start_embedded_server

        server_url = start_embedded_server(Path(tempfile.gettempdir()) / "sojourn-bench-pgdata")
    return urlsplit(server_url)._replace(path=f"/{DATABASE}").geturl()


async def reset(url: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(dsn=urlsplit(url)._replace(path="/postgres").geturl())
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    conn = await asyncpg.connect(dsn=url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


SEED_BASES_SQL = """
INSERT INTO base (member, name_zh, name_en, province_code, city_code, total_beds, time_zone)
SELECT m.id, '压测基地' || n, 'Bench base ' || n, m.code, m.code, 40, 'Asia/Shanghai'
FROM generate_series($1::int, $2::int) n
JOIN LATERAL (SELECT id, code FROM member ORDER BY id OFFSET (n % 10) LIMIT 1) m ON true
RETURNING id
"""

# Beds by season (40 in season, 10 off), about a third of them taken, one night in twenty full.
SEED_NIGHTS_SQL = """
INSERT INTO capacity_night (base, night, beds, taken)
SELECT b.id, d::date, x.beds,
       CASE WHEN random() < 0.05 THEN x.beds ELSE floor(random() * x.beds * 0.7)::int END
FROM base b
CROSS JOIN generate_series($3::date, $3::date + ($4::int - 1), '1 day') d
CROSS JOIN LATERAL (SELECT CASE WHEN (extract(month FROM d) IN (10, 11, 12, 1, 2, 3, 4))
                                = (b.province_code IN ('460000','530000','450000','510000','440000','350000'))
                           THEN 40 ELSE 10 END AS beds) x
WHERE b.id BETWEEN $1 AND $2
"""

SEED_TOURS_SQL = """
INSERT INTO tour (base, organiser, mode, status, title_zh, title_en, starts_on, ends_on, min_nights, max_nights,
                  monthly_price_fen, seats, package_price_fen, cancellation_policy)
SELECT b.id, b.member, 'migratory', 'published', '候鸟' || b.id, 'Stay ' || b.id,
       CASE WHEN w THEN DATE '2026-12-01' ELSE DATE '2027-05-01' END,
       CASE WHEN w THEN DATE '2027-04-30' ELSE DATE '2027-09-30' END,
       28, 150, 200000 + (b.id * 7919) % 150000, NULL, NULL, '[]'::jsonb
FROM base b, LATERAL (SELECT b.province_code IN ('460000','530000','450000','510000','440000','350000') AS w) s
WHERE b.id BETWEEN $1 AND $2
UNION ALL
SELECT b.id, b.member, 'vacation', 'published', '度假' || b.id || '-' || k, 'Holiday ' || b.id || '-' || k,
       DATE '2026-12-15' + ((b.id * 37 + k * 101) % 300), DATE '2026-12-15' + ((b.id * 37 + k * 101) % 300) + 7,
       NULL, NULL, NULL, 30, 250000 + (b.id * 104729 + k) % 300000, '[]'::jsonb
FROM base b CROSS JOIN generate_series(1, 2) k
WHERE b.id BETWEEN $1 AND $2
"""

SEED_PLACES_SQL = """
INSERT INTO base_place (base, latitude, longitude)
SELECT b.id, p.lat + (random() - 0.5) * 2, p.lng + (random() - 0.5) * 2
FROM base b JOIN unnest($3::text[], $4::float8[], $5::float8[]) AS p(code, lat, lng) ON p.code = b.province_code
WHERE b.id BETWEEN $1 AND $2
"""

SEED_FEEDBACK_SQL = """
INSERT INTO stats_feedback_month (base_id, month, mode, reviews, accommodation, food, medical, activities, staff,
                                  transport, value, safety, promoters, detractors)
SELECT b.id, m::date, 'migratory', r.n, r.n * 4, r.n * 4, r.n * 3, r.n * 4, r.n * 5, r.n * 3, r.n * 4, r.n * 5, r.n / 2, 0
FROM base b CROSS JOIN generate_series(DATE '2025-01-01', DATE '2026-10-01', '1 month') m
CROSS JOIN LATERAL (SELECT 1 + floor(random() * 6)::int AS n) r
WHERE b.id BETWEEN $1 AND $2 AND b.id % 2 = 0
"""

# Holds that ran out and were not released yet: the search must count their beds as free.
SEED_HOLDS_SQL = """
INSERT INTO booking (reference, tour, base, account, booked_by, status, arrival, departure, nights, party_size,
                     total_fen, hold_expires_at)
SELECT 'BX' || t.id, t.id, t.base, $3, $3, 'held', t.starts_on + 10, t.starts_on + 12, 2, 1, 0, $4::timestamptz
FROM tour t WHERE t.base BETWEEN $1 AND $2 AND t.mode = 'migratory' AND t.base % 10 = 0
"""


async def seed(conn, first: int, last: int, account: int) -> None:
    have = await conn.fetchval("SELECT coalesce(max(id), 0) FROM base")
    assert have == first - 1, (have, first)
    await conn.execute(SEED_BASES_SQL, first, last)
    await conn.execute(SEED_NIGHTS_SQL, first, last, FIRST_NIGHT, NIGHTS)
    await conn.execute(SEED_TOURS_SQL, first, last)
    codes = list(DESTINATIONS)
    await conn.execute(
        SEED_PLACES_SQL,
        first,
        last,
        codes,
        [DESTINATIONS[c][0] for c in codes],
        [DESTINATIONS[c][1] for c in codes],
    )
    await conn.execute(SEED_FEEDBACK_SQL, first, last)
    await conn.execute(SEED_HOLDS_SQL, first, last, account, NOW - dt.timedelta(hours=1))


async def time_searches(conn, repeat: int) -> dict[str, tuple[float, int, bool]]:
    """Median ms per search, with how many stays it found."""
    from sojourn.bases.geo import province_seat
    from sojourn.tours import search
    from sojourn.tours.search import StaySearch, alliance_mean, run_search, search_sql
    from sojourn.tours.services import TourFilter

    search._alliance_mean = None  # each phase reads its own network's mean
    results = {}
    for label, spec in searches().items():
        spec = dict(spec)
        filters = TourFilter(destination=spec.pop("destination", None))
        home = province_seat(spec.pop("home", None))
        took = []
        for attempt in range(repeat + 1):  # the first one warms the statement cache
            began = time.perf_counter()
            # As search_stays does it: the alliance mean (cached in the app: read every time here),
            # then the one search statement.
            prior = await alliance_mean(conn, NOW) if spec.get("sort") == "rating" else 3.0
            query = StaySearch(home=home, prior=prior, **spec)
            rows = await run_search(conn, *search_sql(filters, query, NOW, 20, 0))
            if attempt:
                took.append(time.perf_counter() - began)
        found = rows[0]["found"] if rows else 0
        results[label] = (statistics.median(took) * 1000, found, len(rows))
    return results


async def main(args: argparse.Namespace) -> None:
    import asyncpg

    url = database_url(args.database_url)
    await reset(url)
    env = {**os.environ, "SOJOURN_DATABASE_URL": url, "SOJOURN_DATA_DIR": tempfile.mkdtemp(prefix="sojourn-bench-")}
    subprocess.run([sys.executable, "-m", "sojourn", "db", "migrate"], env=env, check=True)
    conn = await asyncpg.connect(dsn=url)
    await conn.executemany(
        "INSERT INTO member (code, name_zh, name_en) VALUES ($1, $2, $3)",
        [(code, f"成员{code[:2]}", f"Member {code[:2]}") for code in DESTINATIONS],
    )
    account = await conn.fetchval(
        "INSERT INTO account (role, phone, password_hash, display_name) VALUES ('traveller', '13800000000', 'x', '压测')"
        " RETURNING id"
    )
    phases = {}
    sizes = [args.bases, args.bases * args.factor]
    for size in sizes:
        began = time.perf_counter()
        await seed(conn, (await conn.fetchval("SELECT coalesce(max(id), 0) FROM base")) + 1, size, account)
        await conn.execute("VACUUM ANALYZE")
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM base) AS bases, (SELECT count(*) FROM capacity_night) AS nights,"
            " (SELECT count(*) FROM tour) AS tours"
        )
        print(
            f"{counts['bases']:,} bases, {counts['nights']:,} calendar nights, {counts['tours']:,} tours"
            f" (seeded in {time.perf_counter() - began:.0f} s)"
        )
        phases[size] = await time_searches(conn, args.repeat)
    await conn.close()
    report(sizes, phases)


def report(sizes: list[int], phases: dict) -> None:
    small, large = sizes
    print(f"\n{'search':<40} {f'{small} bases':>14} {f'{large} bases':>14} {'ratio':>7}   found (first page)")
    worst = 0.0
    for label in searches():
        (a, found_a, page_a), (b, found_b, page_b) = phases[small][label], phases[large][label]
        ratio = b / a
        worst = max(worst, ratio)
        print(f"{label:<40} {a:>11.2f} ms {b:>11.2f} ms {ratio:>7.2f}   {found_a}/{found_b} ({page_a}/{page_b})")
    print(f"\nworst ratio {worst:.2f} (goal <= 1.50)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (its database is not touched); default: embedded")
    parser.add_argument("--bases", type=int, default=200)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=21)
    asyncio.run(main(parser.parse_args()))
