"""Tests run against real PostgreSQL and, where a feature uses it, real Redis.

The database is the server in ``SOJOURN_TEST_DATABASE_URL`` when set (CI points it at the
machine's PostgreSQL), otherwise an embedded server started for this run; each pytest-xdist
worker gets a database of its own beside it. Its schema is dropped and rebuilt from the
migrations once per run.

One app serves the whole run (building one costs more than most tests). Every test that asks
for ``app`` or ``client`` finds it as if new: its clock at ``PINNED_NOW`` (``tests/pinned.py``),
its in-process stores (sessions, rate limits, login failures, cached statistics) empty. Every test that asks for
``db`` starts with empty tables, or with the saved world of its module (``tests/table_state.py``).
Passwords are hashed at argon2's lowest cost (production's cost is tested in tests/accounts/test_passwords.py).

Markers (``browser``, ``faults``, ``slow``) are set here from where a test lives; see the README.
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
# Cheap password hashing for this process and every server it starts (live server, fault tests);
# production's cost is tested in tests/accounts/test_passwords.py.
os.environ["SOJOURN_PASSWORD_MEMORY_KIB"] = "8"
os.environ["SOJOURN_PASSWORD_TIME_COST"] = "1"

TESTS = Path(__file__).resolve().parent
# An xdist worker ("gw0", "gw1", ...) works in a database of its own.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _test_database_url() -> str:
    from sojourn.db.embedded import ensure_database_exists, start_embedded_server, with_database

    configured = os.environ.get("SOJOURN_TEST_DATABASE_URL")
    if configured and not XDIST_WORKER:
        return configured
    if configured:
        server_url, name = configured, configured.rsplit("/", 1)[-1].split("?")[0]
    else:
        # One embedded server per machine user, reused across runs: starting it costs a second.
        server_url = start_embedded_server(Path(tempfile.gettempdir()) / "sojourn-test-pgdata")
        name = "sojourn_test"
    if XDIST_WORKER:
        name = f"{name}_{XDIST_WORKER}"
    asyncio.run(ensure_database_exists(server_url, name))
    return with_database(server_url, name)


os.environ["SOJOURN_DATABASE_URL"] = _test_database_url()

from sojourn import db as sojourn_db  # noqa: E402  (environment first, then the engine)
from sojourn.clock import Clock  # noqa: E402
from sojourn.config import Settings, load_settings  # noqa: E402
from sojourn.db.migrations import migrate, reset_schema  # noqa: E402
from tests import table_state  # noqa: E402
from tests.pinned import PINNED_NOW  # noqa: E402
from tests.shared_app import asgi_client, empty_stores  # noqa: E402

# --- markers ---------------------------------------------------------------------------------

# Folders whose tests carry a marker of the same name; they are slow too.
_MARKED_FOLDERS = ("browser", "faults")
# Files whose every test is slow (real concurrency, many requests).
_SLOW_FILES = ("test_booking_races.py",)
# Fault tests that may run beside any other test: schemathesis fuzzes a server of its own and
# stops nothing, and at 2-3 minutes it would hold up the fault tests' worker.
_UNGROUPED = ("test_schemathesis.py",)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = Path(str(item.path)).resolve().relative_to(TESTS).parts
        for folder in _MARKED_FOLDERS:
            if folder in where[:-1]:
                item.add_marker(getattr(pytest.mark, folder))
                item.add_marker(pytest.mark.slow)
        if where[-1] in _SLOW_FILES:
            item.add_marker(pytest.mark.slow)
        group = _xdist_group(where, getattr(item, "fixturenames", ()))
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_finish(session: pytest.Session) -> None:
    """On an xdist worker of ``--dist loadgroup``, each grouped test's id must carry its group
    (pytest-xdist adds it); if a pytest and xdist pair loses it (as pytest 9.2 with xdist 3.8 did),
    the grouped tests would run side by side on one Redis database: refuse to run."""
    if not getattr(session.config.option, "loadgroup", False):
        return
    lost = [item.nodeid for item in session.items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(f"pytest-xdist did not group {len(lost)} tests (e.g. {lost[0]}); run with -n 0")


def _xdist_group(where: tuple[str, ...], fixtures: list[str]) -> str | None:
    """Under pytest-xdist (--dist loadgroup) the browser tests run one after the other on one
    worker, the fault tests on another, and so do the tests that use the one Redis database."""
    if where[-1] in _UNGROUPED:
        return None
    for folder in _MARKED_FOLDERS:
        if folder in where[:-1]:
            return folder
    return "redis" if "redis_url" in fixtures else None


_SKIPPED: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing may be skipped: a missing service or tool fails the run (-ra lists why)."""
    if os.environ.get("CI") == "true" and _SKIPPED and not hasattr(session.config, "workerinput"):
        print(f"\nCI: {len(_SKIPPED)} test(s) skipped, which CI does not allow: {_SKIPPED[:10]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- the database ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The run's settings. Its payment providers are the payment sandbox (``tests/payment_helpers.py``),
    as production's are WeChat Pay and Alipay; the ``sandbox`` fixture starts it for the tests that
    reach it."""
    from tests.payment_helpers import with_payments

    return with_payments(load_settings())


@pytest.fixture(scope="session")
async def migrated_database(settings: Settings) -> AsyncIterator[None]:
    from sojourn.accounts import passwords

    passwords.use_settings(settings)
    await sojourn_db.start_pool(settings)
    await table_state.require_superuser()
    await reset_schema()
    await migrate()
    yield
    await sojourn_db.close_pool()


@pytest.fixture
async def db(request: pytest.FixtureRequest, migrated_database: None) -> AsyncIterator[None]:
    """This test's tables: empty, or the saved world of a module fixture the test asks for."""
    await table_state.start_from(request.fixturenames)
    yield


# --- the clock and the app -------------------------------------------------------------------


@pytest.fixture(scope="session")
def session_clock() -> Clock:
    return Clock()


@pytest.fixture
def clock(session_clock: Clock) -> Clock:
    """The app's clock, at ``PINNED_NOW`` when the test starts (time flows on from there)."""
    session_clock.set(PINNED_NOW)
    return session_clock


@pytest.fixture(scope="session")
def session_app(migrated_database: None, settings: Settings, session_clock: Clock):
    from sojourn.app import create_app

    return create_app(settings, clock=session_clock)


@pytest.fixture
async def app(db: None, session_app, clock: Clock):
    await empty_stores(session_app)
    return session_app


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process, over ASGI (the pool is the test's; see stack notes on event loops)."""
    async with asgi_client(app) as http:
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

    with tempfile.NamedTemporaryFile(prefix=f"sojourn-serve-{port}-", suffix=".log", delete=False) as log:
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


# --- Redis -----------------------------------------------------------------------------------


def _redis_url_or_skip() -> str:
    url = os.environ.get("SOJOURN_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but SOJOURN_TEST_REDIS_URL is not set")
        pytest.skip("SOJOURN_TEST_REDIS_URL is not set")
    return url


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """The Redis for tests (SOJOURN_TEST_REDIS_URL), emptied first. In CI it must be there."""
    url = _redis_url_or_skip()
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    await client.flushdb()
    await client.aclose()
    yield url


@pytest.fixture(scope="session")
async def session_app_with_redis(migrated_database: None, settings: Settings, session_clock: Clock):
    from dataclasses import replace

    from sojourn.app import create_app

    app = create_app(replace(settings, redis_url=_redis_url_or_skip()), clock=session_clock)
    yield app
    if app.state.redis is not None:
        await app.state.redis.aclose()


@pytest.fixture
async def app_with_redis(db: None, clock: Clock, redis_url: str, session_app_with_redis):
    """The app with its stores in Redis (emptied for this test)."""
    return session_app_with_redis


@pytest.fixture
async def redis_client(app_with_redis) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app_with_redis) as http:
        yield http


# --- payments --------------------------------------------------------------------------------


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
    """A real ``sojourn serve`` pointed at the sandbox: where the sandbox sends its notifications, and the
    browser tests' live server WITH payments (``paying_page`` in tests/browser). It keeps real time, as the
    sandbox does (no ``SOJOURN_CLOCK_START``): worlds for it start from the real today. As for
    ``live_server``, each browser context names its own address (X-Forwarded-For)."""

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **payment_sandbox.env(),
        "SOJOURN_PUBLIC_URL": url,
        "SOJOURN_LOG_LEVEL": "WARNING",
        "SOJOURN_TRUSTED_PROXIES": "127.0.0.1",
        "SOJOURN_JOBS_IN_PROCESS": "no",
    }
    with _serving(env, port) as url:
        yield url
