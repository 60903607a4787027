"""Booking throughput: POST /api/v1/bookings over HTTP versus the bare database work, and versus
Sojourn's own statements replayed.

Three sides per load, in the same run, asking for the same stays:

- limit: the bare PostgreSQL work of a hold (bench/limit_reference.py: one conditional UPDATE of
  the nights and one INSERT, the alliance's reference transaction). HTTP / limit is how close the
  design comes to what the database can do (issue 20's goal: at least 0.3 spread, 0.5 hot);
- raw: the engine's own SQL statements, in the same order, under the same per-base lock, with no
  HTTP, no framework, no auth. HTTP / raw is what the framework costs;
- http: POST /api/v1/bookings against `sojourn serve`.

Two loads:

- spread: holds across many bases and dates (little lock contention);
- hot: one base, a few dates (every request queues on one lock).

Run (PostgreSQL from SOJOURN_DATABASE_URL's server, else embedded; a database
``sojourn_bench`` is created and reset):

    python bench/booking.py --clients 32 --seconds 10 --workers 1

Not a test: it prints numbers; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import bench_database, free_port, percentile, seed_bookers, wait_for  # noqa: E402
from limit_reference import limit_worker, set_up  # noqa: E402
from sojourn.clock import Clock  # noqa: E402

# Whatever the day it runs, the benchmark runs as of this moment (both sides read one clock).
BENCH_START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CLOCK = Clock(BENCH_START)

BASES = 50
NIGHTS = 240
BEDS = 1_000_000  # never sells out: we measure taking beds, not refusing


@dataclass
class Sample:
    ok: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    codes: dict[int, int] = field(default_factory=dict)


async def seed(conn, start: dt.date) -> list[tuple[int, int]]:
    """BASES bases with beds every night and one migratory tour each; returns (tour, base)."""
    member = await conn.fetchval(
        "INSERT INTO member (code, name_zh, name_en) VALUES ('460000', '海南', 'Hainan') RETURNING id"
    )
    pairs = []
    for i in range(BASES):
        base = await conn.fetchval(
            "INSERT INTO base (member, name_zh, name_en, province_code, city_code) "
            "VALUES ($1, $2, $3, '460000', '460200') RETURNING id",
            member,
            f"压测基地{i}",
            f"Bench base {i}",
        )
        await conn.execute(
            "INSERT INTO capacity_night (base, night, beds) SELECT $1, d::date, $2 "
            "FROM generate_series($3::date, $3::date + ($4::int - 1), '1 day') d",
            base,
            BEDS,
            start,
            NIGHTS,
        )
        tour = await conn.fetchval(
            "INSERT INTO tour (base, organiser, mode, status, title_zh, title_en, starts_on, ends_on, min_nights, "
            "monthly_price_fen) VALUES ($1, $2, 'migratory', 'published', '压测', 'bench', $3, $4, 1, 250000) RETURNING id",
            base,
            member,
            start,
            start + dt.timedelta(days=NIGHTS),
        )
        pairs.append((tour, base))
    return pairs


def stay_for(load: str, start: dt.date, rng: random.Random) -> tuple[int, dt.date, dt.date]:
    """Which tour index and which nights one request asks for."""
    if load == "hot":
        arrival = start + dt.timedelta(days=10 + rng.choice([0, 7, 14]))
        return 0, arrival, arrival + dt.timedelta(days=7)
    arrival = start + dt.timedelta(days=rng.randint(1, NIGHTS - 40))
    return rng.randrange(BASES), arrival, arrival + dt.timedelta(days=rng.randint(7, 30))


# --- the raw side: the engine's statements, straight on asyncpg ----------------------------


BED_TYPES: dict[int, int] = {}  # base -> its 'bed' room type (looked up once per base, outside the timing)


async def raw_worker(pool, people, tours, load, start, deadline, sample, rng, settings):
    from sojourn.bookings import calendar, taking
    from sojourn.bookings.locking import BASE_LOCK_NAMESPACE, LOCK_SQL
    from sojourn.notifications import outbox

    while time.monotonic() < deadline:
        person = people.pop()
        index, arrival, departure = stay_for(load, start, rng)
        tour_id, base_id = tours[index]
        if base_id not in BED_TYPES:
            async with pool.acquire() as conn:
                BED_TYPES[base_id] = await conn.fetchval(
                    "SELECT id FROM room_type WHERE base = $1 AND code = 'bed'", base_id
                )
        began = time.perf_counter()
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(LOCK_SQL, f"{settings.lock_timeout_ms}ms", BASE_LOCK_NAMESPACE, base_id)
            tour = await conn.fetchrow(taking.TOUR_AND_EXPIRED_SQL, tour_id, CLOCK.now())
            if tour["has_expired_holds"]:
                await conn.fetchval(calendar.RELEASE_EXPIRED_SQL, base_id, CLOCK.now())
            rows = await conn.fetch(
                taking.TRAVELLERS_SQL.format(scope="t.account = $5"),
                [person["traveller_id"]],
                CLOCK.now(),
                arrival,
                departure,
                person["account_id"],
            )
            short = await conn.fetch(calendar.SHORT_NIGHTS_SQL, base_id, arrival, departure, 1)
            assert rows and not short
            nights = (departure - arrival).days
            taken = await conn.fetchrow(
                taking.TAKE_SQL,
                tour_id,
                base_id,
                person["account_id"],
                person["account_id"],
                None,
                1,
                arrival,
                departure,
                (tour["monthly_price_fen"] * nights + 15) // 30,
                CLOCK.now() + dt.timedelta(minutes=15),
                CLOCK.now(),
                [person["traveller_id"]],
                ["460000"],
                [70],
                [BED_TYPES[base_id]],
                [1],
            )
            # The engine also tells the senior, in the same transaction (notifications outbox).
            await conn.execute(
                outbox.ENQUEUE_SQL, "hold_made", person["account_id"], "{}", f"bench:{taken['id']}", CLOCK.now()
            )
        sample.latencies.append(time.perf_counter() - began)
        sample.ok += 1


# --- the HTTP side: a minimal keep-alive HTTP/1.1 client (cheap, so the server gets the CPU) ---


async def http_worker(port, people, tours, load, start, deadline, sample, rng):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            person = people.pop()
            index, arrival, departure = stay_for(load, start, rng)
            body = json.dumps(
                {
                    "tour_id": tours[index][0],
                    "traveller_ids": [person["traveller_id"]],
                    "arrival": arrival.isoformat(),
                    "departure": departure.isoformat(),
                }
            ).encode()
            request = (
                f"POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {person['token']}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            began = time.perf_counter()
            writer.write(request)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            sample.latencies.append(time.perf_counter() - began)
            sample.codes[status] = sample.codes.get(status, 0) + 1
            if status == 201:
                sample.ok += 1
            else:
                sample.failed += 1
    finally:
        writer.close()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (Linux): unlike holds per second, the CPU
    a hold costs the server barely moves when other work shares the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_phase(name, make_worker, clients, seconds, warmup, cpu_pid=None):
    """Warm up, then measure ``seconds`` with ``clients`` concurrent workers."""
    await asyncio.gather(*(make_worker(time.monotonic() + warmup, Sample()) for _ in range(clients)))
    sample = Sample()
    cpu_before = process_cpu_seconds(cpu_pid) if cpu_pid else 0.0
    began = time.monotonic()
    await asyncio.gather(*(make_worker(began + seconds, sample) for _ in range(clients)))
    elapsed = time.monotonic() - began
    rate = sample.ok / elapsed
    lat = sorted(sample.latencies)
    cpu = ""
    if cpu_pid and sample.ok:
        cpu = f"   server CPU {(process_cpu_seconds(cpu_pid) - cpu_before) / sample.ok * 1000:.2f} ms/hold"
    print(
        f"{name:<12} {rate:8.0f} holds/s   p50 {percentile(lat, 50) * 1000:6.1f} ms   "
        f"p99 {percentile(lat, 99) * 1000:6.1f} ms   failed {sample.failed} {sample.codes or ''}{cpu}"
    )
    return rate


async def main(args, url: str) -> None:
    import asyncpg

    from sojourn.config import load_settings

    settings = load_settings()
    from sojourn.db import keep_session_state

    pool = await asyncpg.create_pool(url, min_size=args.clients, max_size=args.clients, reset=keep_session_state)
    start = CLOCK.today_in("Asia/Shanghai") + dt.timedelta(days=30)
    async with pool.acquire() as conn:
        tours = await seed(conn, start)
        await set_up(conn, start, BASES, NIGHTS, BEDS)
    wanted = int(args.expected_rate * (args.seconds + args.warmup) * 4 * 1.2)
    people = await seed_bookers(pool, wanted)
    async with pool.acquire() as conn:
        await conn.execute("ANALYZE")  # as autovacuum would have, on a database in use
    print(f"seeded {BASES} bases and {len(people)} travellers; clients={args.clients} workers={args.workers}")

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sojourn", "serve", "--port", str(port), "--workers", str(args.workers)],
        env={
            **os.environ,
            "SOJOURN_LOG_LEVEL": "WARNING",
            "SOJOURN_DB_POOL_MAX": str(args.pool),
            "SOJOURN_CLOCK_START": BENCH_START.isoformat(),  # the app's clock and the raw side's agree
            # The web process alone, as deployed (jobs in `sojourn worker`); --jobs-in-process
            # measures the single-process embedded set-up, where delivering notifications competes.
            "SOJOURN_JOBS_IN_PROCESS": "yes" if args.jobs_in_process else "no",
        },
        stderr=open(args.server_log, "w") if args.server_log else subprocess.DEVNULL,
    )
    try:
        await wait_for(port)
        rng = random.Random(7)
        results = {}
        limit_pool = await asyncpg.create_pool(url, min_size=args.pool, max_size=args.pool)
        for load in args.loads.split(","):
            async with pool.acquire() as conn:
                await conn.execute("VACUUM ANALYZE")  # autovacuum may be off: every phase starts alike
            limit = await run_phase(
                f"limit {load}",
                lambda deadline, sample, load=load: limit_worker(
                    limit_pool, stay_for, load, start, deadline, sample, rng
                ),
                args.clients,
                args.seconds,
                args.warmup,
            )
            raw = await run_phase(
                f"raw {load}",
                lambda deadline, sample, load=load: raw_worker(
                    pool, people, tours, load, start, deadline, sample, rng, settings
                ),
                args.clients,
                args.seconds,
                args.warmup,
            )
            http = await run_phase(
                f"http {load}",
                lambda deadline, sample, load=load: http_worker(
                    port, people, tours, load, start, deadline, sample, rng
                ),
                args.clients,
                args.seconds,
                args.warmup,
                cpu_pid=server.pid if args.workers == 1 else None,
            )
            results[load] = http / raw
            goal = 0.5 if load == "hot" else 0.3
            print(
                f"ratio {load:<7} {http / raw:5.2f} of raw (goal >= 0.60)   {http / limit:5.2f} of the limit (goal >= {goal})"
            )
        await limit_pool.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per phase")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--pool", type=int, default=20, help="database connections per server worker")
    parser.add_argument("--expected-rate", type=int, default=2500, help="to size the seeded travellers")
    parser.add_argument("--database-url", default=os.environ.get("SOJOURN_DATABASE_URL"))
    parser.add_argument("--server-log", default=None, help="write the server's log here")
    parser.add_argument("--jobs-in-process", action="store_true", help="run the background jobs in the server too")
    parser.add_argument("--loads", default="spread,hot", help="which loads to run, comma-separated")
    arguments = parser.parse_args()
    database_url, environment = bench_database(arguments.database_url)
    os.environ.update(environment)
    asyncio.run(main(arguments, database_url))
