"""Statistics as history grows: the dashboard endpoints at 100,000 and at 1,000,000 bookings.

Seeds a network (members, bases with three years of capacity, tours of each mode, travellers
from weighted provinces) and then bookings in bulk with ``generate_series`` (confirmed,
checked in and out, no-shows, cancellations, run-out holds), one feedback in three stays,
and health counts in proportion; the rollups are then rebuilt once, as after any bulk load.
Times every ``/api/v1/stats/*`` endpoint over HTTP against ``sojourn serve``:

- cold: the cache is invalidated before every request (the rollup query itself);
- warm: the answer comes from the cache.

It also times a status change that the triggers count (confirm/cancel), to show that keeping
the rollups does not slow down as history grows. The goal: cold time at 1M at most 1.5x the
time at 100k (cost follows bases × months, not bookings).

    python bench/stats.py                       # PostgreSQL from SOJOURN_DATABASE_URL, else embedded
    python bench/stats.py --sizes 100000,1000000 --repeat 15

Not a test: it prints numbers; docs/benchmarks.md records them. Uses its own database
``sojourn_bench_stats`` (created, then emptied at every run).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import free_port, wait_for  # noqa: E402

DATABASE = "sojourn_bench_stats"
FIRST_NIGHT = dt.date(2024, 1, 1)
YEARS = 3
BATCH = 50_000
TRAVELLERS = 60_000

# Where seniors come from (weights) and where the bases are: the pattern of domain.md.
ORIGINS = {
    "230000": 20, "220000": 12, "210000": 12, "110000": 10, "150000": 8, "370000": 6, "130000": 6, "120000": 4,
    "310000": 5, "610000": 3, "640000": 3, "140000": 3, "620000": 2, "440000": 4, "320000": 3, "330000": 3,
}  # fmt: skip
DESTINATIONS = ["460000", "530000", "450000", "510000", "150000", "130000", "370000", "230000", "440000", "350000"]
BASES_PER_DESTINATION = 6
ENDPOINTS = ["flows", "occupancy", "exchange-balance", "satisfaction", "health-mix", "bookings"]
FILTERS = {
    "all time": {},
    "one season": {"from": "2025-10", "to": "2026-04"},
    "migratory": {"mode": "migratory"},
    # Narrower questions read the fine rollups (by origin province) where they must.
    "one member": {"member_id": "member:230000"},
    "one base": {"base_id": "base:1"},
}


def progress(label: str, done: int, total: int) -> None:
    width = 40
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{label:<28} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def database_url(server_url: str | None) -> str:
    if not server_url:
        from sojourn.db.embedded import start_embedded_server

        server_url = start_embedded_server(Path(tempfile.gettempdir()) / "sojourn-bench-pgdata")
    return urlsplit(server_url)._replace(path=f"/{DATABASE}").geturl()


async def reset(url: str) -> None:
    import asyncpg

    admin_url = urlsplit(url)._replace(path="/postgres").geturl()
    admin = await asyncpg.connect(dsn=admin_url)
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


async def seed_network(conn) -> str:
    """Members, bases with capacity, tours, travellers and a coordinator token; returns the token."""
    codes = sorted(set(ORIGINS) | set(DESTINATIONS))
    await conn.executemany(
        "INSERT INTO member (code, name_zh, name_en) VALUES ($1, $2, $3)",
        [(c, f"成员{c[:2]}", f"Member {c[:2]}") for c in codes],
    )
    members = {r["code"]: r["id"] for r in await conn.fetch("SELECT id, code FROM member")}
    nights = (dt.date(FIRST_NIGHT.year + YEARS, 1, 1) - FIRST_NIGHT).days
    for number, province in enumerate(d for d in DESTINATIONS for _ in range(BASES_PER_DESTINATION)):
        base = await conn.fetchval(
            "INSERT INTO base (member, name_zh, name_en, province_code, city_code, total_beds) "
            "VALUES ($1, $2, $3, $4, $4, 400) RETURNING id",
            members[province], f"压测基地{number}", f"Bench base {number}", province,
        )  # fmt: skip
        # Seasons: full beds in season, a fifth of them off season (winter south, summer north).
        winter = province in ("460000", "530000", "450000", "510000", "440000", "350000")
        await conn.execute(
            "INSERT INTO capacity_night (base, night, beds) SELECT $1, d::date, "
            "CASE WHEN (extract(month FROM d) IN (10, 11, 12, 1, 2, 3, 4)) = $4 THEN 400 ELSE 80 END "
            "FROM generate_series($2::date, $2::date + ($3::int - 1), '1 day') d",
            base, FIRST_NIGHT, nights, winter,
        )  # fmt: skip
        ends = FIRST_NIGHT + dt.timedelta(days=nights)
        await conn.execute(
            "INSERT INTO tour (base, organiser, mode, status, title_zh, title_en, starts_on, ends_on, min_nights, "
            "monthly_price_fen) VALUES ($1, $2, 'migratory', 'closed', '候鸟', 'stay', $3, $4, 28, 250000)",
            base, members[province], FIRST_NIGHT, ends,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO tour (base, organiser, mode, status, title_zh, title_en, starts_on, ends_on, seats, "
            "package_price_fen) VALUES ($1, $2, 'vacation', 'closed', '度假', 'holiday', $3, $4, 1000000, 380000)",
            base, members[province], FIRST_NIGHT, ends,
        )  # fmt: skip
        partner = members["110000" if province != "110000" else "230000"]
        await conn.execute(
            "INSERT INTO tour (base, organiser, partner, mode, status, title_zh, title_en, starts_on, ends_on, seats, "
            "package_price_fen) VALUES ($1, $2, $3, 'interactive', 'closed', '互动', 'exchange', $4, $5, 1000000, 300000)",
            base, members[province], partner, FIRST_NIGHT, ends,
        )  # fmt: skip
    weights = [code for code, weight in ORIGINS.items() for _ in range(weight)]
    accounts = await conn.fetch(
        "INSERT INTO account (role, email, password_hash, display_name) "
        "SELECT 'traveller', 'bench' || n || '@bench.example', 'x', 'bench' FROM generate_series(1, $1) n RETURNING id",
        TRAVELLERS // 2,
    )
    await conn.execute(
        "INSERT INTO traveller (account, name, birth_date, home_province_code) "
        "SELECT a.id, '压测', DATE '1955-01-01', ($2::text[])[1 + (a.n * 7919) % cardinality($2::text[])] "
        "FROM (SELECT id, row_number() OVER () AS n FROM unnest($1::int[]) id) a, generate_series(1, 2) ORDER BY a.id",
        [r["id"] for r in accounts], weights,
    )  # fmt: skip
    coordinator = await conn.fetchval(
        "INSERT INTO account (role, email, password_hash, display_name) VALUES ('coordinator', 'c@bench.example', 'x', 'c') "
        "RETURNING id"
    )
    token = secrets.token_urlsafe(24)
    await conn.execute(
        "INSERT INTO api_token (account, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')",
        coordinator, hashlib.sha256(token.encode()).hexdigest(),
    )  # fmt: skip
    return token


BOOKINGS_SQL = """
WITH tours AS (
    SELECT t.id, t.base, t.mode, b.member, row_number() OVER (ORDER BY t.id) - 1 AS n, count(*) OVER () AS total
    FROM tour t JOIN base b ON b.id = t.base
), picks AS (
    SELECT nextval('booking_id_seq') AS id, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
    FROM generate_series(1, $1)
), drafted AS (
    SELECT p.id, t.id AS tour, t.base, t.mode, t.member,
           $2::date + (p.r2 * ($3::int - 130))::int AS arrival,
           CASE t.mode WHEN 'migratory' THEN 28 + (p.r3 * 92)::int WHEN 'vacation' THEN 7 + (p.r3 * 7)::int
                ELSE 7 + (p.r3 * 3)::int END AS nights,
           1 + (p.r4 < 0.45)::int AS party,
           CASE WHEN p.r4 < 0.78 THEN 'checked_out' WHEN p.r4 < 0.83 THEN 'confirmed' WHEN p.r4 < 0.86 THEN 'no_show'
                WHEN p.r4 < 0.95 THEN 'cancelled' ELSE 'expired' END AS status,
           (p.r1 * 1000000)::int AS who
    FROM picks p JOIN tours t ON t.n = floor(p.r5 * t.total)::int
), inserted AS (
    INSERT INTO booking (id, reference, tour, base, account, booked_by, origin_member, status, arrival, departure, nights,
                         party_size, total_fen, hold_expires_at, created_at, confirmed_at, cancelled_at)
    SELECT d.id, sojourn_booking_reference(d.id), d.tour, d.base, tr.account, tr.account,
           CASE WHEN d.mode = 'interactive' THEN (SELECT m.id FROM member m WHERE m.code = tr.home_province_code) END,
           d.status, d.arrival, d.arrival + d.nights, d.nights, d.party, 100000 * d.party,
           CASE WHEN d.status = 'expired' THEN d.arrival - 30 END, d.arrival - 40,
           CASE WHEN d.status <> 'expired' THEN d.arrival - 40 END, CASE WHEN d.status = 'cancelled' THEN d.arrival - 20 END
    FROM drafted d JOIN traveller tr ON tr.id = 1 + (d.who % ($4::int - 1))
    RETURNING id, account, party_size, arrival
)
INSERT INTO booking_traveller (booking, traveller, home_province_code, age_at_arrival)
SELECT i.id, t.id, t.home_province_code, 70
FROM inserted i
JOIN (SELECT account, min(id) AS first FROM traveller GROUP BY account) f ON f.account = i.account
JOIN traveller t ON t.account = i.account AND t.id <= f.first + i.party_size - 1
"""

FEEDBACK_SQL = """
INSERT INTO feedback (booking, traveller, base, entered_by, accommodation, food, medical, activities, staff, transport,
                      value, safety, nps, created_at, updated_at, editable_until)
SELECT b.id, bt.traveller, b.base, b.account, 3 + (b.id % 3), 2 + (b.id % 4), 4, 3 + (b.id % 2), 5, 3, 4, 5,
       (b.id * 7) % 11, now(), now(), now()
FROM booking b JOIN LATERAL (SELECT traveller FROM booking_traveller WHERE booking = b.id ORDER BY traveller LIMIT 1) bt ON true
WHERE b.status = 'checked_out' AND b.id % 3 = 0 AND b.id > $1
"""

# Health counts cannot come from SQL (the declarations are encrypted): seed the rollup in proportion.
HEALTH_SQL = """
INSERT INTO stats_health_month (base_id, month, mode, facet, value, declarations)
SELECT r.base_id, r.month, r.mode, f.facet, f.value, greatest((sum(r.travellers) * f.share)::int, 0)
FROM stats_booking_month r
CROSS JOIN (VALUES ('all', 'declarations', 0.8), ('risk', 'low', 0.5), ('risk', 'medium', 0.2), ('risk', 'high', 0.1),
                   ('age_band', '60_64', 0.2), ('age_band', '65_69', 0.25), ('age_band', '70_74', 0.2),
                   ('age_band', '75_79', 0.1), ('age_band', '80_plus', 0.05), ('companion', 'alone', 0.3),
                   ('companion', 'with_companion', 0.5), ('mobility', 'none', 0.7), ('mobility', 'cane', 0.1),
                   ('condition', 'hypertension', 0.3), ('condition', 'diabetes', 0.15), ('condition', 'heart_disease', 0.08))
     AS f(facet, value, share)
WHERE r.outcome = 'confirmed'
GROUP BY r.base_id, r.month, r.mode, f.facet, f.value, f.share
"""


async def grow_to(conn, target: int) -> None:
    """Add bookings until there are ``target``, then feedback, the rollups and health counts."""
    have = await conn.fetchval("SELECT count(*) FROM booking")
    last_id = await conn.fetchval("SELECT coalesce(max(id), 0) FROM booking")
    nights = (dt.date(FIRST_NIGHT.year + YEARS, 1, 1) - FIRST_NIGHT).days
    travellers = await conn.fetchval("SELECT count(*) FROM traveller")
    started = time.perf_counter()
    async with conn.transaction():
        # A bulk load: no per-row triggers (foreign keys included); the rollups are rebuilt once below.
        await conn.execute("SET LOCAL session_replication_role = replica")
        while have < target:
            size = min(BATCH, target - have)
            await conn.execute(BOOKINGS_SQL, size, FIRST_NIGHT, nights, travellers)
            have += size
            progress(f"bookings to {target:,}", have, target)
        await conn.execute(FEEDBACK_SQL, last_id)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    await conn.execute("SELECT stats_rebuild()")
    await conn.execute("DELETE FROM stats_health_month")
    await conn.execute(HEALTH_SQL)
    await conn.execute("SELECT stats_bump(0)")
    rebuilt = time.perf_counter() - started
    await conn.execute("VACUUM ANALYZE")
    sizes = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM booking) AS bookings, (SELECT count(*) FROM booking_traveller) AS travellers, "
        "(SELECT count(*) FROM feedback) AS feedback, (SELECT count(*) FROM stats_stay_month) AS stay_rows, "
        "(SELECT count(*) FROM stats_booking_month) AS booking_rows, (SELECT count(*) FROM stats_health_month) AS health_rows, "
        "(SELECT count(*) FROM stats_base_stay_month) AS base_stay_rows, "
        "(SELECT count(*) FROM stats_base_booking_month) AS base_booking_rows, "
        "(SELECT count(*) FROM stats_flow_month) AS flow_rows, "
        "(SELECT count(*) FROM stats_origin_booking_month) AS origin_booking_rows"
    )
    print(
        f"seeded in {seeded:.0f} s, rollups rebuilt in {rebuilt:.1f} s: {sizes['bookings']:,} bookings, "
        f"{sizes['travellers']:,} booking travellers, {sizes['feedback']:,} feedback; rollup rows: "
        f"stays {sizes['stay_rows']:,}, bookings {sizes['booking_rows']:,}, health {sizes['health_rows']:,}; "
        f"coarse: stays per base {sizes['base_stay_rows']:,}, bookings per base {sizes['base_booking_rows']:,}, "
        f"flows {sizes['flow_rows']:,}, bookings by origin {sizes['origin_booking_rows']:,}"
    )


async def time_endpoints(port: int, token: str, conn, repeat: int) -> dict[tuple[str, str], tuple[float, float]]:
    """Median milliseconds per endpoint and filter: (cold, warm)."""
    import httpx

    results = {}
    headers = {"Authorization": f"Bearer {token}"}
    members = {r["code"]: r["id"] for r in await conn.fetch("SELECT id, code FROM member")}
    ids = {**{f"member:{code}": str(i) for code, i in members.items()}, "base:1": "1"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as http:
        for name in ENDPOINTS:
            for label, filters in FILTERS.items():
                params = {key: ids.get(value, value) for key, value in filters.items()}
                cold, warm = [], []
                for _ in range(repeat):
                    await conn.execute("SELECT stats_bump(0)")  # the next answer must be computed
                    began = time.perf_counter()
                    response = await http.get(f"/api/v1/stats/{name}", params=params)
                    cold.append(time.perf_counter() - began)
                    assert response.status_code == 200, response.text
                    began = time.perf_counter()
                    again = await http.get(f"/api/v1/stats/{name}", params=params)
                    warm.append(time.perf_counter() - began)
                    assert again.content == response.content
                results[(name, label)] = (statistics.median(cold) * 1000, statistics.median(warm) * 1000)
    return results


async def time_trigger(conn, samples: int = 300) -> float:
    """Median ms of one booking status change counted by the triggers (cancel, then confirm again)."""
    ids = [
        r["id"]
        for r in await conn.fetch(
            "SELECT id FROM booking WHERE status = 'confirmed' ORDER BY id DESC LIMIT $1", samples
        )
    ]
    took = []
    for booking_id in ids:
        for status in ("cancelled", "confirmed"):
            began = time.perf_counter()
            async with conn.transaction():
                await conn.execute("UPDATE booking SET status = $2 WHERE id = $1", booking_id, status)
            took.append(time.perf_counter() - began)
    return statistics.median(took) * 1000


async def main(args: argparse.Namespace) -> None:
    import asyncpg

    url = database_url(args.database_url)
    await reset(url)
    env = {**os.environ, "SOJOURN_DATABASE_URL": url, "SOJOURN_DATA_DIR": tempfile.mkdtemp(prefix="sojourn-bench-")}
    env.pop("SOJOURN_REDIS_URL", None)
    if args.redis_url:
        env["SOJOURN_REDIS_URL"] = args.redis_url
    subprocess.run([sys.executable, "-m", "sojourn", "db", "migrate"], env=env, check=True)
    conn = await asyncpg.connect(dsn=url)
    token = await seed_network(conn)
    sizes = [int(size) for size in args.sizes.split(",")]
    runs = {}
    for size in sizes:
        await grow_to(conn, size)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "sojourn", "serve", "--port", str(port), "--workers", "1"],
            env={**env, "SOJOURN_LOG_LEVEL": "WARNING"},
            stderr=subprocess.DEVNULL,
        )
        try:
            await wait_for(port)
            runs[size] = (await time_endpoints(port, token, conn, args.repeat), await time_trigger(conn))
        finally:
            server.terminate()
            server.wait(timeout=20)
    await conn.close()
    report(sizes, runs)


def report(sizes: list[int], runs: dict) -> None:
    small, large = sizes[0], sizes[-1]
    print(
        f"\n{'endpoint':<18} {'filter':<11} "
        + " ".join(f"{f'cold@{s:,}':>14} {f'warm@{s:,}':>14}" for s in sizes)
        + "   ratio cold"
    )
    worst = 0.0
    for name, label in runs[small][0]:
        cells = " ".join(
            f"{runs[s][0][(name, label)][0]:>11.1f} ms {runs[s][0][(name, label)][1]:>11.1f} ms" for s in sizes
        )
        ratio = runs[large][0][(name, label)][0] / runs[small][0][(name, label)][0]
        worst = max(worst, ratio)
        print(f"{name:<18} {label:<11} {cells}   {ratio:5.2f}")
    print(
        "trigger (status change counted in the rollups): " + ", ".join(f"{runs[s][1]:.2f} ms at {s:,}" for s in sizes)
    )
    print(f"worst cold ratio {worst:.2f} (goal <= 1.50)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="booking counts to measure at, ascending")
    parser.add_argument("--repeat", type=int, default=11, help="requests per endpoint and filter (median)")
    parser.add_argument("--database-url", default=os.environ.get("SOJOURN_DATABASE_URL"))
    parser.add_argument("--redis-url", default=None, help="cache in this Redis (default: in-process)")
    asyncio.run(main(parser.parse_args()))
