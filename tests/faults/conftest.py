"""Real processes for fault tests: `sojourn serve` servers, a private redis-server, a private
embedded PostgreSQL. Everything listens on the loopback interface only and is stopped at the
end of the test; the machine's shared PostgreSQL and Redis are never stopped or flushed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.pinned import PINNED_NOW
from tests.processes import STARTUP_TIMEOUT

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not happen within {timeout} s")


class RedisProcess:
    """A private redis-server (no persistence) on a free loopback port; stop and start it again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def pong() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        wait_until(pong, 10, "redis-server start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class SojournServer:
    """`sojourn serve` on a free port with the given environment; kill -9 it, start it again."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.mkstemp(prefix=f"sojourn-serve-{self.port}-", suffix=".log")[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, size: int = 4000) -> str:
        """The end of the server's log, led by the first unexpected error if there was one."""
        text = self.log_path.read_text(errors="replace")
        first_error = text.find("unexpected error")
        lead = text[first_error : first_error + 6000] + "\n...\n" if first_error >= 0 else ""
        return lead + text[-size:]

    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sojourn", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log_path.open("ab"),
        )
        process = self.process

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"sojourn serve exited: {self.log_tail()}")
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if healthy():
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"sojourn serve on {self.port} did not answer /healthz within {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, connections cut mid-request."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None


def server_env(**overrides: str) -> dict[str, str]:
    """The test run's environment (database, data directory, hence the same secret and keys),
    a modest pool so the shared PostgreSQL keeps connections for others, quiet logs."""
    env = {
        **os.environ,
        "SOJOURN_LOG_LEVEL": "WARNING",
        "SOJOURN_DB_POOL_MIN": "1",
        "SOJOURN_DB_POOL_MAX": "8",
        "SOJOURN_CLOCK_START": PINNED_NOW.isoformat(),  # the servers' clocks are pinned like the tests'
    }
    env.pop("SOJOURN_REDIS_URL", None)
    env.update(overrides)
    return env


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    redis = RedisProcess()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def servers(migrated_database) -> Iterator[list[SojournServer]]:
    """Started servers are collected here and stopped after the test."""
    started: list[SojournServer] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, object]]:
    """A private embedded PostgreSQL (Unix socket only) that the test may stop and start."""
    from sojourn.db.embedded import _embedded_servers, ensure_database_exists, start_embedded_server, with_database

    pgdata = Path(tempfile.mkdtemp(prefix="sojourn-fault-pg-"))
    server_url = start_embedded_server(pgdata)
    import asyncio

    asyncio.run(ensure_database_exists(server_url, "sojourn"))
    server = _embedded_servers[pgdata.resolve()]
    yield with_database(server_url, "sojourn"), server
    try:
        server.stop()  # type: ignore[attr-defined]
    finally:
        _embedded_servers.pop(pgdata.resolve(), None)
        shutil.rmtree(pgdata, ignore_errors=True)
