"""The server dies between the provider's success and our commit: the provider's retries (the
sandbox retries like WeChat Pay) reach the restarted server, and the booking's money is recorded
exactly once. Real processes: the sandbox, ``sojourn serve`` killed with SIGKILL and started again.
"""

from __future__ import annotations

import httpx
import pytest

from sojourn.clock import Clock
from sojourn.payments import ledger
from tests.faults.conftest import SojournServer, server_env
from tests.payment_helpers import eventually, fetchval, held_booking, with_payments

pytestmark = pytest.mark.slow


async def test_a_payment_notified_while_the_server_is_down_is_recorded_once_after_restart(db, settings, sandbox):
    clock = Clock()  # the sandbox keeps real time, as the providers do: so do this test and its server
    server = SojournServer(server_env(**sandbox.env(), SOJOURN_JOBS_IN_PROCESS="no"))
    server.env["SOJOURN_PUBLIC_URL"] = server.url
    del server.env["SOJOURN_CLOCK_START"]  # a pinned server would find every real notification too old
    server.start()
    try:
        from sojourn.app import create_app

        pay_settings = with_payments(settings, public_url=server.url)
        app = create_app(pay_settings, clock=clock)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            w = await held_booking(client, pay_settings, clock.now())
            started = await client.post(
                f"/api/v1/bookings/{w.booking['id']}/payments",
                json={"provider": "wechat", "channel": "native"},
                headers=w.headers,
            )
            payment = started.json()
        server.kill()
        sandbox.control("pay", {"provider": "wechat", "out_trade_no": payment["out_trade_no"]})

        async def refused_once() -> bool:
            return any(not d["accepted"] for d in sandbox.deliveries())

        await eventually(refused_once, what="a delivery attempt to the dead server")
        server.start()

        async def recorded() -> bool:
            return await fetchval("SELECT status = 'paid' FROM payment WHERE id = $1", payment["id"])

        await eventually(recorded, timeout=20, what="the retried notification")
        attempts = [d for d in sandbox.deliveries() if payment["out_trade_no"] in d["label"]]
        assert not attempts[0]["accepted"] and attempts[-1]["accepted"]
        assert await fetchval("SELECT count(*) FROM ledger_entry") == 1
        assert await ledger.check_ledger(now=clock.now()) == []
    finally:
        server.stop()
