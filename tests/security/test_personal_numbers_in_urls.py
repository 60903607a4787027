"""Finding 3: personal numbers never travel in a URL, and access logs carry no query strings."""

import os
import subprocess
import sys
import time

import httpx

from tests.conftest import _free_port
from tests.hotline.test_hotline_api import SENIOR, agent, senior_with_traveller


async def test_seniors_are_looked_up_with_the_numbers_in_the_body(client):
    headers = await agent(client)
    await senior_with_traveller(client)
    found = await client.post("/api/v1/agent/seniors/search", json={"phone": SENIOR}, headers=headers)
    assert found.status_code == 200, found.text
    assert found.json()["total"] == 1


async def test_the_old_look_up_by_query_string_answers_nothing(client):
    headers = await agent(client)
    await senior_with_traveller(client)
    old = await client.get("/api/v1/agent/seniors", params={"phone": SENIOR}, headers=headers)
    assert old.status_code == 405
    assert SENIOR not in old.text


def test_the_servers_access_log_has_no_query_strings(migrated_database):
    """``sojourn serve`` at DEBUG (uvicorn's own access log on) logs paths without queries."""
    port = _free_port()
    env = {**os.environ, "SOJOURN_LOG_LEVEL": "DEBUG", "SOJOURN_JOBS_IN_PROCESS": "no"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sojourn", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        httpx.get(f"{url}/api/v1/agent/seniors", params={"phone": "13912345678", "id_number": "110105194912310021"})
        httpx.get(f"{url}/tours", params={"q": "13912345678"})
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
    assert "/api/v1/agent/seniors" in output and "/tours" in output, output[-3000:]
    assert "13912345678" not in output and "110105194912310021" not in output, output[-3000:]
