"""PostgreSQL restarts under load: requests meanwhile answer 503 (never 500) and the same
Sojourn process serves again once the database is back, without being restarted.

Runs against a private embedded PostgreSQL (Unix socket), never the shared server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx
import pytest

from tests import factories
from tests.faults.conftest import SojournServer, server_env

pytestmark = pytest.mark.timeout(240)


def sojourn(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "sojourn", *args], env=env, check=True, capture_output=True, timeout=120)


async def test_the_pool_recovers_after_a_postgres_restart_without_restarting_sojourn(own_postgres, servers):
    url, postgres = own_postgres
    env = server_env(SOJOURN_DATABASE_URL=url)
    sojourn(env, "db", "migrate")
    sojourn(env, "user", "create", "--role", "traveller", "--login", "13800138000", "--password", factories.PASSWORD)
    server = SojournServer(env)
    server.start()
    servers.append(server)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        token = await http.post("/api/v1/auth/token", json={"login": "13800138000", "password": factories.PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        statuses: list[int] = []

        async def reader(deadline: float) -> None:
            while time.monotonic() < deadline:
                statuses.append((await http.get("/api/v1/travellers", headers=headers)).status_code)
                await asyncio.sleep(0.02)

        deadline = time.monotonic() + 5
        load = asyncio.gather(*(reader(deadline) for _ in range(4)))
        await asyncio.sleep(1)
        await asyncio.to_thread(postgres.stop)
        await asyncio.sleep(1.5)
        await asyncio.to_thread(postgres.start)
        await load
        assert 200 in statuses and 503 in statuses, statuses
        assert set(statuses) <= {200, 503}, server.log_tail()

        recovered_after = None
        began = time.monotonic()
        while time.monotonic() - began < 20:
            batch = [(await http.get("/api/v1/travellers", headers=headers)).status_code for _ in range(10)]
            if set(batch) == {200}:
                recovered_after = time.monotonic() - began
                break
            await asyncio.sleep(0.2)
        assert recovered_after is not None, "the pool did not recover within 20 s"
        assert server.process is not None and server.process.poll() is None  # the same process
        # Writes work again too.
        created = await http.post("/api/v1/travellers", json=factories.traveller_body(), headers=headers)
        assert created.status_code == 201, created.text
