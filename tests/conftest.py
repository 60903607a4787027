"""Tests run against real PostgreSQL and, where a feature uses it, real Redis.

The database is the server in ``SOJOURN_TEST_DATABASE_URL`` when set (CI points it at
the machine's PostgreSQL), otherwise an embedded server started for this run. Its
schema is dropped and rebuilt from the migrations once per run; every test that
asks for ``db`` starts with empty tables.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import AsyncIterator

import httpx
import pytest

_DATA_DIR = Path(tempfile.mkdtemp(prefix="sojourn-test-"))
os.environ["SOJOURN_DATA_DIR"] = str(_DATA_DIR)
os.environ.pop("SOJOURN_REDIS_URL", None)
# Cheap password hashing for this process and every server it starts (live server, fault tests);
# production's cost is tested in test_passwords.py.
os.environ["SOJOURN_PASSWORD_MEMORY_KIB"] = "8"
os.environ["SOJOURN_PASSWORD_TIME_COST"] = "1"


def _test_database_url() -> str:
    configured = os.environ.get("SOJOURN_TEST_DATABASE_URL")
    if configured:
        return configured
    from sojourn.database import ensure_database_exists, start_embedded_server, with_database

    # One embedded server per machine user, reused across runs: starting it costs a second.
    server_url = start_embedded_server(Path(tempfile.gettempdir()) / "sojourn-test-pgdata")
    asyncio.run(ensure_database_exists(server_url, "sojourn_test"))
    return with_database(server_url, "sojourn_test")


os.environ["SOJOURN_DATABASE_URL"] = _test_database_url()

from sojourn import db as sojourn_db  # noqa: E402  (environment first, then the engine)
from sojourn.clock import Clock  # noqa: E402
from sojourn.config import Settings, load_settings  # noqa: E402
from sojourn.migrations import migrate, reset_schema, truncate_all  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
async def migrated_database(settings: Settings) -> AsyncIterator[None]:
    from sojourn.accounts import passwords

    passwords.use_settings(settings)
    await sojourn_db.start_pool(settings)
    await reset_schema()
    await migrate()
    yield
    await sojourn_db.close_pool()


@pytest.fixture
async def db(migrated_database: None) -> AsyncIterator[None]:
    """Empty tables for this test."""
    await truncate_all()
    yield


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(db: None, settings: Settings, clock: Clock):
    from sojourn.app import create_app

    return create_app(settings, clock=clock)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process, over ASGI (the pool is the test's; see stack notes on event loops)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(migrated_database):
    """A real ``sojourn serve`` process on a free port, on the test database (one worker)."""
    import subprocess
    import sys
    import time

    port = _free_port()
    # The tests play the part of the reverse proxy: each browser context says which address it
    # comes from (X-Forwarded-For), so per-address limits count each test's visitor apart, as
    # they would count different people, instead of one address for the whole run.
    # No background jobs in it: it lives for the whole run, and its outbox delivery or reminders
    # would change rows under other tests (tests run jobs themselves when they mean to).
    env = {
        **os.environ,
        "SOJOURN_LOG_LEVEL": "WARNING",
        "SOJOURN_TRUSTED_PROXIES": "127.0.0.1",
        "SOJOURN_JOBS_IN_PROCESS": "no",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "sojourn", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sojourn serve exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("sojourn serve did not answer /healthz within 30 s")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """The Redis for tests (SOJOURN_TEST_REDIS_URL), emptied first. In CI it must be there."""
    url = os.environ.get("SOJOURN_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but SOJOURN_TEST_REDIS_URL is not set")
        pytest.skip("SOJOURN_TEST_REDIS_URL is not set")
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    await client.flushdb()
    await client.aclose()
    yield url


@pytest.fixture
async def redis_client(app_with_redis) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_with_redis)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def app_with_redis(db: None, settings: Settings, clock: Clock, redis_url: str):
    from dataclasses import replace

    from sojourn.app import create_app

    app = create_app(replace(settings, redis_url=redis_url), clock=clock)
    yield app
    if app.state.redis is not None:
        await app.state.redis.aclose()
