"""The release hour: a flash crowd of seniors on one tour that opens with a few hundred beds.

A tour opens with ``--beds`` beds (300) on every night of its stay; ``--seniors`` (3,000) seniors,
each with an account, a traveller and an API token of her own, open a connection each at the same
instant and ask for the same 7-night stay, then behave as people do:

- a hold (201): done;
- "sold out" (409 ``sold_out``): she joins the waiting list (``POST /api/v1/tours/{id}/waitlist``),
  as the answer offers, and keeps the place it gives her;
- "many people are booking" (202/429/503 with ``Retry-After``): she waits that long and asks again;
- a refused or dropped connection, a server error: she waits a moment and tries again.

It prints the answers by kind, server errors, refused connections, p50/p99 of every request and
of each senior's time to her final answer, how many beds are held (exactly ``--beds``), whether the
waiting list is in the order its requests reached the engine (the order PostgreSQL assigned the
entries' ids, under the base's lock), and the server's largest resident memory.

Seeding: accounts, travellers and tokens go straight into the database in three statements (a
token is stored as its SHA-256, as the API stores it; no password is ever checked, so no argon2
hashing is needed to seed). The server is ``sojourn serve`` with one worker, as bench/booking.py
starts it; Redis is used when ``--redis-url`` (or SOJOURN_REDIS_URL) names one.

    python bench/release_hour.py --database-url postgresql://postgres@127.0.0.1:5432/postgres \
        --redis-url redis://127.0.0.1:6379/10

Not a test: it prints numbers; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import bench_database, free_port, percentile, wait_for  # noqa: E402

BENCH_START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
NIGHTS = 7


@dataclass
class Tally:
    answers: Counter = field(default_factory=Counter)  # (request kind, status[, code]) -> count
    latencies: list[float] = field(default_factory=list)  # every request, seconds
    to_final: list[float] = field(default_factory=list)  # each senior: first try to final answer
    refused: int = 0
    dropped: int = 0
    server_errors: int = 0
    held: int = 0
    waiting: int = 0
    gave_up: int = 0
    positions: list[int] = field(default_factory=list)
    retries: int = 0


async def seed(conn, seniors: int, beds: int, start: dt.date) -> tuple[int, list[dict]]:
    """One base with ``beds`` beds a night, one migratory tour, ``seniors`` accounts with a token each."""
    member = await conn.fetchval(
        "INSERT INTO member (code, name_zh, name_en) VALUES ('460000', '海南', 'Hainan') RETURNING id"
    )
    base = await conn.fetchval(
        "INSERT INTO base (member, name_zh, name_en, province_code, city_code) "
        "VALUES ($1, '放号基地', 'Release base', '460000', '460200') RETURNING id",
        member,
    )
    await conn.execute(
        "INSERT INTO capacity_night (base, night, beds) SELECT $1, d::date, $2 "
        "FROM generate_series($3::date, $3::date + 59, '1 day') d",
        base,
        beds,
        start,
    )
    tour = await conn.fetchval(
        "INSERT INTO tour (base, organiser, mode, status, title_zh, title_en, starts_on, ends_on, min_nights, "
        "monthly_price_fen) VALUES ($1, $2, 'migratory', 'published', '冬季放号', 'Winter release', $3, $4, 1, "
        "250000) RETURNING id",
        base,
        member,
        start,
        start + dt.timedelta(days=60),
    )
    accounts = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO account (role, email, password_hash, display_name) "
            "SELECT 'traveller', 'crowd' || n || '@bench.example', 'not-a-login', 'crowd' || n "
            "FROM generate_series(1, $1) n RETURNING id",
            seniors,
        )
    ]
    tokens = {account: secrets.token_urlsafe(24) for account in accounts}
    await conn.executemany(
        "INSERT INTO api_token (account, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')",
        [(account, hashlib.sha256(token.encode()).hexdigest()) for account, token in tokens.items()],
    )
    rows = await conn.fetch(
        "INSERT INTO traveller (account, name, birth_date, home_province_code) "
        "SELECT a, 'crowd', DATE '1955-03-01', '230000' FROM unnest($1::int[]) a RETURNING id, account",
        accounts,
    )
    return tour, [{"traveller_id": r["id"], "token": tokens[r["account"]]} for r in rows]


async def http(reader, writer, method: str, path: str, token: str, body: dict) -> tuple[int, dict, dict]:
    """One request on a keep-alive connection: status, headers (lower-case names), JSON body."""
    payload = json.dumps(body).encode()
    writer.write(
        (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Accept-Language: zh-CN\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode()
        + payload
    )
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("closed by the server")
    status = int(status_line.split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    data = await reader.readexactly(int(headers.get("content-length", "0")))
    if headers.get("connection", "").lower() == "close":
        writer.close()
    try:
        return status, headers, json.loads(data) if data else {}
    except ValueError:
        return status, headers, {"raw": data[:200].decode("latin-1")}


async def senior(port, person, tour, stay, go: asyncio.Event, tally: Tally, rng: random.Random, patience: float):
    """One senior: book, and on "sold out" join the waiting list; retry as a person would."""
    await go.wait()
    began = time.perf_counter()
    conn = None
    want = "book"
    body = {"tour_id": tour, "traveller_ids": [person["traveller_id"]], **stay}
    while time.perf_counter() - began < patience:
        if conn is None or conn[1].is_closing():
            try:
                conn = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                tally.refused += 1
                await asyncio.sleep(1 + rng.random())
                continue
        path = "/api/v1/bookings" if want == "book" else f"/api/v1/tours/{tour}/waitlist"
        sent = time.perf_counter()
        try:
            status, headers, answer = await http(*conn, "POST", path, person["token"], body)
        except (OSError, asyncio.IncompleteReadError):
            tally.dropped += 1
            conn = None
            await asyncio.sleep(1 + rng.random())
            continue
        tally.latencies.append(time.perf_counter() - sent)
        code = answer.get("code") if isinstance(answer, dict) else None
        tally.answers[(want, status, code)] += 1
        if status == 201 and want == "book":
            tally.held += 1
            break
        if status == 201:
            tally.waiting += 1
            tally.positions.append(answer["position"])
            break
        if status == 409 and code in ("sold_out", "seats_short", "quota_short") and want == "book":
            want = "wait"  # the answer offers the waiting list: she takes it
            continue
        if status == 409 and code == "beds_available":
            want = "book"  # beds freed between the two: book them
            continue
        if status >= 500:
            tally.server_errors += 1
        if status in (202, 429, 503) or status >= 500:
            tally.retries += 1
            await asyncio.sleep(float(headers.get("retry-after", "2")) * (0.8 + 0.4 * rng.random()))
            continue
        break  # anything else is a final answer the bench reports by kind
    else:
        tally.gave_up += 1
    tally.to_final.append(time.perf_counter() - began)
    if conn is not None:
        conn[1].close()


SIGN_IN_PASSWORD = "release-hour-2026"


async def seed_sign_ins(conn, count: int) -> list[str]:
    """``count`` accounts that sign in with a password hashed at the production cost (the
    defaults of Settings: argon2id m = 19 MiB, t = 2): one hash, made once, shared by all."""
    from argon2 import PasswordHasher

    from sojourn.config import Settings

    production = Settings()
    hashed = PasswordHasher(
        time_cost=production.password_time_cost, memory_cost=production.password_memory_kib, parallelism=1
    ).hash(SIGN_IN_PASSWORD)
    await conn.execute(
        "INSERT INTO account (role, email, password_hash, display_name) "
        "SELECT 'traveller', 'signin' || n || '@bench.example', $2, 'signin' FROM generate_series(1, $1) n",
        count,
        hashed,
    )
    return [f"signin{n}@bench.example" for n in range(1, count + 1)]


async def sign_ins(port: int, logins: list[str]) -> list[float]:
    """Sign in with each login, one after the other (each from its own address, as the limit per
    address would otherwise refuse the eleventh): the time of each POST /api/v1/auth/token."""
    times = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for n, login in enumerate(logins):
            payload = json.dumps({"login": login, "password": SIGN_IN_PASSWORD}).encode()
            began = time.perf_counter()
            writer.write(
                (
                    f"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.20.{n // 250}.{n % 250}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
                ).encode()
                + payload
            )
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            assert status == 200, status
            times.append(time.perf_counter() - began)
    finally:
        writer.close()
    return times


def argon2_verify_ms(rounds: int) -> list[float]:
    """The production-cost argon2id verify alone, in this process (what a sign-in adds)."""
    from argon2 import PasswordHasher

    from sojourn.config import Settings

    production = Settings()
    hasher = PasswordHasher(
        time_cost=production.password_time_cost, memory_cost=production.password_memory_kib, parallelism=1
    )
    hashed = hasher.hash(SIGN_IN_PASSWORD)
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        hasher.verify(hashed, SIGN_IN_PASSWORD)
        times.append(time.perf_counter() - began)
    return sorted(times)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def watch_rss(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], rss_kib(pid))
        except OSError:
            return
        await asyncio.sleep(0.05)


async def main(args, url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    start = BENCH_START.date() + dt.timedelta(days=30)
    try:
        seeded = time.perf_counter()
        tour, people = await seed(conn, args.seniors, args.beds, start)
        logins = await seed_sign_ins(conn, args.sign_ins)
        await conn.execute("ANALYZE")
        print(
            f"seeded {len(people)} seniors with a token each in {time.perf_counter() - seeded:.1f} s; beds {args.beds}"
        )
    finally:
        await conn.close()

    port = free_port()
    env = {
        **os.environ,
        "SOJOURN_LOG_LEVEL": "WARNING",
        "SOJOURN_CLOCK_START": BENCH_START.isoformat(),
        "SOJOURN_JOBS_IN_PROCESS": "no",
        "SOJOURN_DB_POOL_MAX": str(args.pool),
        "SOJOURN_TRUSTED_PROXIES": "127.0.0.1",  # the sign-ins come from addresses of their own
    }
    if args.redis_url:
        env["SOJOURN_REDIS_URL"] = args.redis_url
    server = subprocess.Popen(
        [sys.executable, "-m", "sojourn", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stderr=open(args.server_log, "w") if args.server_log else subprocess.DEVNULL,
    )
    try:
        await wait_for(port, 120)  # a busy machine starts it slowly
        idle_rss = rss_kib(server.pid)
        arrival = start + dt.timedelta(days=10)
        stay = {"arrival": arrival.isoformat(), "departure": (arrival + dt.timedelta(days=NIGHTS)).isoformat()}
        tally = Tally()
        go = asyncio.Event()
        rng = random.Random(20)
        peak = [idle_rss]
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_rss(server.pid, peak, stop))
        crowd = [
            asyncio.create_task(senior(port, person, tour, stay, go, tally, rng, args.patience)) for person in people
        ]
        await asyncio.sleep(0.5)  # every senior is waiting on the same event
        began, cpu_before, load_before = time.perf_counter(), cpu_seconds(server.pid), os.getloadavg()[0]
        go.set()
        await asyncio.gather(*crowd)
        elapsed = time.perf_counter() - began
        server_cpu = cpu_seconds(server.pid) - cpu_before
        stop.set()
        await watcher
        signing_in = sorted(await sign_ins(port, logins))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    conn = await asyncpg.connect(url)
    try:
        held = await conn.fetchval("SELECT count(*) FROM booking WHERE tour = $1 AND status = 'held'", tour)
        taken = await conn.fetch(
            "SELECT DISTINCT taken FROM capacity_night WHERE night >= $1 AND night < $2",
            arrival,
            arrival + dt.timedelta(days=NIGHTS),
        )
        listed = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM waitlist_entry WHERE tour = $1 AND status = 'waiting' ORDER BY created_at, id", tour
            )
        ]
    finally:
        await conn.close()

    latencies = sorted(tally.latencies)
    final = sorted(tally.to_final)
    print(f"{args.seniors} seniors, {args.beds} beds, all in {elapsed:.1f} s ({len(latencies)} requests)")
    for (kind, status, code), count in sorted(tally.answers.items(), key=lambda item: -item[1]):
        print(f"  {kind:<4} {status} {code or '':<16} {count}")
    print(
        f"held {tally.held} (database: {held} held, nights taken {[r['taken'] for r in taken]}); "
        f"on the waiting list {tally.waiting}; gave up {tally.gave_up}"
    )
    print(
        f"server errors {tally.server_errors}   refused connections {tally.refused}   dropped {tally.dropped}   "
        f"retries after Retry-After {tally.retries}"
    )
    print(
        f"request latency p50 {percentile(latencies, 50) * 1000:.0f} ms  p99 {percentile(latencies, 99) * 1000:.0f} ms  "
        f"max {latencies[-1] * 1000 if latencies else 0:.0f} ms"
    )
    print(
        f"time to final answer p50 {percentile(final, 50) * 1000:.0f} ms  p99 {percentile(final, 99) * 1000:.0f} ms  "
        f"max {final[-1] * 1000 if final else 0:.0f} ms"
    )
    in_order = listed == sorted(listed)
    positions_ok = sorted(tally.positions) == list(range(1, len(tally.positions) + 1))
    print(
        f"waiting list in the order its requests reached the engine: {'yes' if in_order else 'NO'} "
        f"({len(listed)} entries); positions given 1..{len(tally.positions)} once each: {'yes' if positions_ok else 'NO'}"
    )
    print(
        f"server CPU {server_cpu:.1f} s ({server_cpu / max(len(latencies), 1) * 1000:.2f} ms a request); "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    verify = argon2_verify_ms(args.sign_ins)
    print(
        f"sign-in (POST /api/v1/auth/token, production argon2 cost, {len(signing_in)} one after the other): "
        f"p50 {percentile(signing_in, 50) * 1000:.1f} ms  max {signing_in[-1] * 1000 if signing_in else 0:.1f} ms; "
        f"argon2id verify alone p50 {percentile(verify, 50) * 1000:.1f} ms  max {verify[-1] * 1000:.1f} ms"
    )
    print(f"server RSS idle {idle_rss / 1024:.0f} MB, max {peak[0] / 1024:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seniors", type=int, default=3000)
    parser.add_argument("--beds", type=int, default=300)
    parser.add_argument("--pool", type=int, default=20, help="database connections of the server")
    parser.add_argument("--patience", type=float, default=120, help="seconds a senior keeps trying")
    parser.add_argument("--database-url", default=os.environ.get("SOJOURN_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("SOJOURN_REDIS_URL"))
    parser.add_argument("--sign-ins", type=int, default=30, help="sign-ins timed after the crowd")
    parser.add_argument("--server-log", default=None, help="write the server's log here")
    arguments = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 2 * arguments.seniors + 1024))  # both ends of every connection live here
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    database_url, environment = bench_database(arguments.database_url)
    os.environ.update(environment)
    asyncio.run(main(arguments, database_url))
