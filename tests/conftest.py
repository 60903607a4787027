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
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

_DATA_DIR = Path(tempfile.mkdtemp(prefix="sojourn-test-"))
os.environ["SOJOURN_DATA_DIR"] = str(_DATA_DIR)
os.environ.pop("SOJOURN_REDIS_URL", None)


def _test_database_url() -> str:
    configured = os.environ.get("SOJOURN_TEST_DATABASE_URL")
    if configured:
        return configured
    from sojourn.db.embedded import ensure_database_exists, start_embedded_server, with_database

    # One embedded server per machine user, reused across runs: starting it costs a second.
    server_url = start_embedded_server(Path(tempfile.gettempdir()) / "sojourn-test-pgdata")
    asyncio.run(ensure_database_exists(server_url, "sojourn_test"))
    return with_database(server_url, "sojourn_test")


os.environ["SOJOURN_DATABASE_URL"] = _test_database_url()

from sojourn import db as sojourn_db  # noqa: E402  (environment first, then the engine)
from sojourn.clock import Clock  # noqa: E402
from sojourn.config import Settings, load_settings  # noqa: E402
from sojourn.db.migrations import migrate, reset_schema, truncate_all  # noqa: E402
from tests.pinned import PINNED_NOW  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
async def migrated_database(settings: Settings) -> AsyncIterator[None]:
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
    """Pinned: time flows from tests.pinned.PINNED_NOW, whatever the date of the run."""
    return Clock(PINNED_NOW)


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


@contextmanager
def _serving(env: dict[str, str], port: int) -> Iterator[str]:
    """``sojourn serve`` on ``port`` until the block ends; its log goes to a file (a pipe nobody
    reads would stop the server once full)."""
    import subprocess
    import sys

    from tests.processes import wait_for_health

    log = tempfile.NamedTemporaryFile(prefix=f"sojourn-serve-{port}-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "sojourn", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(process, f"{url}/healthz", "sojourn serve", Path(log.name))
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def live_server(migrated_database):
    """A real ``sojourn serve`` process on a free port, on the test database (one worker)."""

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
        "SOJOURN_CLOCK_START": PINNED_NOW.isoformat(),  # the browser tests' dates start there too
    }
    with _serving(env, port) as url:
        yield url


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


@pytest.fixture(scope="session")
def payment_sandbox():
    """The payment sandbox (both providers' protocols) as a real process, for the whole run."""
    from tests.payment_helpers import SANDBOX

    SANDBOX.start()
    yield SANDBOX
    SANDBOX.stop()


@pytest.fixture
def sandbox(payment_sandbox):
    """The sandbox with no orders, faults or held notifications left from another test."""
    payment_sandbox.control("reset")
    return payment_sandbox


@pytest.fixture(scope="session")
def payments_server(migrated_database, payment_sandbox):
    """A real ``sojourn serve`` pointed at the sandbox: where the sandbox sends its notifications."""

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **payment_sandbox.env(),
        "SOJOURN_PUBLIC_URL": url,
        "SOJOURN_LOG_LEVEL": "WARNING",
        "SOJOURN_JOBS_IN_PROCESS": "no",
    }
    with _serving(env, port) as url:
        yield url
