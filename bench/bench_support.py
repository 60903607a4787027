"""Shared set-up for the benchmarks: a fresh ``sojourn_bench`` database, bulk bookers, timing helpers."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DATABASE = os.environ.get("SOJOURN_BENCH_DATABASE", "sojourn_bench")  # another name keeps parallel runs apart
TRAVELLERS_PER_ACCOUNT = 25  # below the per-account limit of 30 new bookings a minute


def bench_database(server_url: str | None) -> tuple[str, dict[str, str]]:
    """Create (or empty) ``sojourn_bench`` and migrate it; return its URL and the environment to use."""
    import asyncpg

    data_dir = Path(tempfile.mkdtemp(prefix="sojourn-bench-"))
    if not server_url:
        from sojourn.db.embedded import start_embedded_server

        server_url = start_embedded_server(Path(tempfile.gettempdir()) / "sojourn-bench-pgdata")
    url = urlsplit(server_url)._replace(path=f"/{BENCH_DATABASE}").geturl()

    async def reset() -> None:
        admin = await asyncpg.connect(dsn=server_url)
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", BENCH_DATABASE):
                await admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        finally:
            await admin.close()
        conn = await asyncpg.connect(dsn=url)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    asyncio.run(reset())
    env = {"SOJOURN_DATABASE_URL": url, "SOJOURN_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "sojourn", "db", "migrate"], env={**os.environ, **env}, check=True)
    return url, env


async def seed_bookers(pool, count: int, province: str = "460000") -> list[dict]:
    """``count`` travellers, 25 per account, each account with an API token (stored hashed)."""
    accounts = -(-count // TRAVELLERS_PER_ACCOUNT)
    async with pool.acquire() as conn:
        account_ids = [
            row["id"]
            for row in await conn.fetch(
                "INSERT INTO account (role, email, password_hash, display_name) "
                "SELECT 'traveller', 'bench' || n || '@bench.example', 'not-a-login', 'bench' "
                "FROM generate_series(1, $1) n RETURNING id",
                accounts,
            )
        ]
        tokens = {account: secrets.token_urlsafe(24) for account in account_ids}
        await conn.executemany(
            "INSERT INTO api_token (account, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')",
            [(account, hashlib.sha256(token.encode()).hexdigest()) for account, token in tokens.items()],
        )
        rows = await conn.fetch(
            "INSERT INTO traveller (account, name, birth_date, home_province_code) "
            "SELECT a, 'bench', DATE '1956-01-01', $2 FROM unnest($1::int[]) a, generate_series(1, $3) "
            "RETURNING id, account",
            account_ids,
            province,
            TRAVELLERS_PER_ACCOUNT,
        )
    people = [{"traveller_id": r["id"], "account_id": r["account"], "token": tokens[r["account"]]} for r in rows]
    people.sort(key=lambda p: (p["account_id"], p["traveller_id"]), reverse=True)  # pop() walks accounts in order
    return people


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_for(port: int, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if b"200" in await reader.readline():
                writer.close()
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not become healthy")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]
