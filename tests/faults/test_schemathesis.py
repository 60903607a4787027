"""Schemathesis against /schema/openapi.json of a real server, as a traveller, an operator and an
admin, over every endpoint: no 5xx, and every status, content type and body as documented."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from tests import factories
from tests.booking_helpers import booker, migratory_body
from tests.faults.conftest import SojournServer, server_env
from tests.pinned import PINNED_NOW

pytestmark = pytest.mark.timeout(600)

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
SEED = "20261123"


def schemathesis_command() -> list[str]:
    installed = Path(sys.executable).with_name("schemathesis")
    return [str(installed)] if installed.exists() else [shutil.which("schemathesis") or "schemathesis"]


async def tokens_for_every_role(live_server: str) -> dict[str, str]:
    """A world with bookings, a traveller, an operator of its bases and an admin."""
    world = await factories.small_world()
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        traveller = await booker(http, "13800138000", travellers=2)
        for offset in (5, 40):
            body = migratory_body(world, arrival_offset=offset, nights=30, travellers=traveller.traveller_ids)
            held = await http.post("/api/v1/bookings", json=body, headers=traveller.headers)
            assert held.status_code == 201, held.text
        confirmed = await http.post(f"/api/v1/bookings/{held.json()['id']}/confirm", headers=traveller.headers)
        assert confirmed.status_code == 200, confirmed.text
    operator = await factories.account(
        "ops@sojourn.example", role="operator", base_ids=[b["id"] for b in world.bases.values()]
    )
    admin = await factories.account("admin@sojourn.example", role="admin")
    return {
        "traveller": traveller.headers["Authorization"],
        "operator": await bearer_without_signing_in(operator),
        "admin": await bearer_without_signing_in(admin),
    }


async def bearer_without_signing_in(account_id: int) -> str:
    """Tokens issued by the service itself: schemathesis will use up the sign-in rate limit."""
    from sojourn.accounts.principal import principal_for_account
    from sojourn.accounts.services import issue_token

    token = await issue_token(await principal_for_account(account_id), PINNED_NOW)
    return f"Bearer {token.token}"


async def test_the_api_keeps_its_openapi_promises_for_every_role(db: None, servers):
    # A server of its own: fuzzing sign-in fills the per-address rate limit of the server it hits.
    server = SojournServer(server_env())
    server.start()
    servers.append(server)
    headers = await tokens_for_every_role(server.url)
    for role in ("traveller", "operator", "admin"):
        # Not the token endpoints here: DELETE would revoke the token the run is using.
        await run_schemathesis(server.url, headers[role], "--exclude-path-regex", TOKEN_PATH)
    throwaway = await bearer_without_signing_in(await factories.account("13900139000"))
    # Sign-in allows 10 attempts a minute per address, so most of this run meets 429s (documented);
    # schemathesis then reports the operation as rate limited, which is expected here.
    await run_schemathesis(server.url, throwaway, "--include-path-regex", TOKEN_PATH, rate_limited=True)


TOKEN_PATH = "^/api/v1/auth/token$"


async def run_schemathesis(url: str, authorization: str, *filters: str, rate_limited: bool = False) -> None:
    command = [
        *schemathesis_command(),
        "run",
        f"{url}/schema/openapi.json",
        *filters,
        "--header",
        f"Authorization: {authorization}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "15",
        "--seed",
        SEED,
        "--workers",
        "1",  # CPython 3.11.7 crashes in ast.parse from several threads (hypothesis)
        "--no-color",
    ]
    # Its working directory gets a .schemathesis/ folder: keep that out of the checkout.
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=180, cwd=tempfile.gettempdir()
    )
    summary = done.stdout.split("SUMMARY")[-1]
    if "Failures:" in summary or done.returncode:
        report = Path("test-artifacts") / f"schemathesis-{abs(hash(tuple(filters)))}.txt"
        report.parent.mkdir(exist_ok=True)
        report.write_text(done.stdout + done.stderr)
    assert "Failures:" not in summary, done.stdout[-6000:]
    assert " passed" in summary, done.stdout[-6000:] + done.stderr[-2000:]
    if not (rate_limited and "Rate limited" in summary):
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
