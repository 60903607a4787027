"""Payments in tests: the provider sandbox as a real process, Sojourn's settings pointing at it, payees
registered from the sandbox's merchants, a held booking with its schedule, and waiting for what the
sandbox sends. The sandbox runs on real time like the real providers; tests that talk to it use a
real clock and dates counted from it (never a fixed calendar date), so they pass on any day.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from sojourn import db
from sojourn.config import Settings, load_settings
from sojourn.crypto import KeyRing
from sojourn.payments import instalments, payees
from sojourn.payments.sandbox.keys import load_or_create
from tests import factories
from tests.processes import wait_for_health

RETRY_DELAYS = "0.3,0.6,1.2,2.4,4.8,9.6,15"  # quick, and long enough to outlast a server restart


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SandboxPlan:
    """Where the sandbox will run and its keys, known before it starts (apps are built at import time)."""

    port: int
    data_dir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        lines = (self.data_dir / "sojourn.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if line)

    def merchants(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "merchants.json").read_text())

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        log = self.data_dir / "sandbox.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sojourn", "payments", "sandbox", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--retry-delays", RETRY_DELAYS],
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
        )  # fmt: skip
        wait_for_health(self.process, f"{self.url}/sandbox/healthz", "the payment sandbox", log)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def control(self, path: str, body: dict | None = None) -> Any:
        response = httpx.post(f"{self.url}/sandbox/control/{path}", json=body or {}, timeout=10)
        assert response.status_code < 500, response.text
        return response.json()

    def held(self) -> list[str]:
        return httpx.get(f"{self.url}/sandbox/control/held", timeout=10).json()

    def deliveries(self) -> list[dict]:
        return httpx.get(f"{self.url}/sandbox/control/deliveries", timeout=10).json()


def _plan() -> SandboxPlan:
    directory = Path(tempfile.mkdtemp(prefix="sojourn-pay-sandbox-"))
    plan = SandboxPlan(port=_free_port(), data_dir=directory)
    load_or_create(directory).write_env(plan.url)  # keys now: settings can be read before the process starts
    return plan


SANDBOX = _plan()
atexit.register(SANDBOX.stop)  # started by a fixture or on demand (the authorisation matrix): never left running


def with_payments(settings: Settings, public_url: str | None = None) -> Settings:
    """``settings`` pointed at the sandbox, as production would be pointed at the providers."""
    configured = load_settings({**os.environ, **SANDBOX.env()})
    fields = {
        name: getattr(configured, name)
        for name in Settings.__dataclass_fields__
        if name.startswith(("wechat_", "alipay_"))
    }
    return replace(settings, **fields, public_url=public_url or settings.public_url)


async def register_payees(base_id: int, settings: Settings, index: int = 0) -> dict[str, int]:
    """The base's own WeChat sub-merchant and Alipay merchant, taken from the sandbox's merchants."""
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    merchants = SANDBOX.merchants()
    token, pid = list(merchants["alipay_merchants"].items())[index]
    async with db.connection() as conn:
        return {
            "wechat": await payees.register_payee(
                conn, provider="wechat", keyring=keyring, base_id=base_id, merchant_name="三亚海棠康养基地",
                wechat_sub_mchid=merchants["wechat_sub_mchids"][index], escrow_bank="中国银行三亚分行",
                escrow_account_tail="0427",
            ),
            "alipay": await payees.register_payee(
                conn, provider="alipay", keyring=keyring, base_id=base_id, merchant_name="三亚海棠康养基地",
                alipay_pid=pid, alipay_app_auth_token=token,
            ),
        }  # fmt: skip


async def ensure_wechat_payee(booking_id: int) -> None:
    """The booking's base takes WeChat Pay: its own sub-merchant from the sandbox's list, unless it (or its
    member) has one already. Worlds made by the factories have no payees; a base that took money has."""
    async with db.connection() as conn:
        base_id = await conn.fetchval("SELECT base FROM booking WHERE id = $1", booking_id)
        if await conn.fetchval(
            "SELECT count(*) FROM payee p JOIN base b ON b.id = $1 WHERE p.provider = 'wechat' AND p.active"
            " AND (p.base = b.id OR (p.base IS NULL AND p.member = b.member))",
            base_id,
        ):
            return
        sub_mchids = SANDBOX.merchants()["wechat_sub_mchids"]
        await payees.register_payee(
            conn,
            provider="wechat",
            keyring=KeyRing.from_settings(load_settings().encryption_keys, load_settings().secret_key),
            base_id=base_id,
            merchant_name=f"基地{base_id}",
            wechat_sub_mchid=sub_mchids[base_id % len(sub_mchids)],
        )


async def start_wechat_payment(client, booking_id: int, headers: dict[str, str]) -> dict:
    """The booker asks to pay by WeChat on a computer: a real signed order at the sandbox, its QR code."""
    SANDBOX.start()
    await ensure_wechat_payee(booking_id)
    started = await client.post(
        f"/api/v1/bookings/{booking_id}/payments", json={"provider": "wechat", "channel": "native"}, headers=headers
    )
    assert started.status_code == 201, started.text
    payment = started.json()
    assert payment["code_url"].startswith("weixin://wxpay/bizpayurl?pr="), payment
    return payment


async def wechat_paid_notice_for(payment_id: int, signed_at: dt.datetime | None = None) -> tuple[dict[str, str], bytes]:
    """WeChat's "paid" notification for one of our payments, to its payee, signed at ``signed_at``
    (default: when the payment was started, which is the app's clock then)."""
    facts = (
        await fetch(
            "SELECT p.out_trade_no, p.amount_fen, p.created_at, y.wechat_sub_mchid FROM payment p"
            " JOIN payee y ON y.id = p.payee WHERE p.id = $1",
            payment_id,
        )
    )[0]
    return wechat_paid_notification(
        facts["out_trade_no"],
        facts["amount_fen"],
        signed_at or facts["created_at"],
        sub_mchid=facts["wechat_sub_mchid"],
    )


async def pay_first_amount(client, booking_id: int, headers: dict[str, str]) -> dict:
    """Pay what a held booking owes first, as its booker does: WeChat Pay's QR code is made at the sandbox
    (a real signed order), the senior pays, and WeChat's paid notification reaches Sojourn, signed as the
    sandbox signs it, at the moment the code was shown (the app's clock). Returns the booking afterwards."""
    payment = await start_wechat_payment(client, booking_id, headers)
    headers_, body = await wechat_paid_notice_for(payment["id"])
    answer = await client.post("/api/v1/payments/notify/wechat", content=body, headers=headers_)
    assert answer.status_code == 200, answer.text
    booking = await client.get(f"/api/v1/bookings/{booking_id}", headers=headers)
    assert booking.status_code == 200, booking.text
    return booking.json()


def china_today(now: dt.datetime) -> dt.date:
    return (now + dt.timedelta(hours=8)).date()


@dataclass
class PayingWorld:
    world: factories.World
    headers: dict[str, str]
    booking: dict
    payees: dict[str, int]


async def held_booking(client, settings: Settings, now: dt.datetime, *, login: str = "13900000001") -> PayingWorld:
    """A small world starting 40 days from today, the Sanya base's payees, and a hold on its vacation tour
    (¥3,800.00 for one traveller) with its payment schedule, as phase B's holds will make it."""
    world = await factories.small_world(start=china_today(now) + dt.timedelta(days=40))
    registered = await register_payees(world.bases["sanya"]["id"], settings)
    await factories.account(login)
    headers = await factories.bearer(client, login)
    traveller = await client.post("/api/v1/travellers", json=factories.traveller_body(), headers=headers)
    assert traveller.status_code == 201, traveller.text
    body = {"tour_id": world.tours["vacation"]["id"], "traveller_ids": [traveller.json()["id"]]}
    held = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert held.status_code == 201, held.text
    async with db.connection() as conn, conn.transaction():
        await instalments.create_schedule(conn, held.json()["id"], now=now)
    return PayingWorld(world, headers, held.json(), registered)


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout: float = 15, what: str = "") -> Any:
    """Wait for something the sandbox does on its own time (a notification arriving)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.1)


async def fetchval(sql: str, *args: Any) -> Any:
    async with db.connection() as conn:
        return await conn.fetchval(sql, *args)


async def fetch(sql: str, *args: Any) -> list[Any]:
    async with db.connection() as conn:
        return await conn.fetch(sql, *args)


MONEY_TABLES = ("payment", "payment_instalment", "payment_refund", "ledger_entry", "payment_notification", "booking")


async def money_fingerprint() -> dict[str, str]:
    """A digest of every money table, to show a refused notification changed nothing."""
    async with db.connection() as conn:
        return {
            name: await conn.fetchval(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {name} t"
            )
            for name in MONEY_TABLES
        }


def wechat_paid_notification(
    out_trade_no: str, amount_fen: int, signed_at: dt.datetime, *, forged: bool = False, sub_mchid: str | None = None
) -> tuple[dict[str, str], bytes]:
    """A TRANSACTION.SUCCESS notification as the sandbox would send it, signed at ``signed_at``;
    ``forged``: signed with a key that is not WeChat Pay's (everything else right)."""
    from dataclasses import replace as replaced

    from cryptography.hazmat.primitives.asymmetric import rsa

    from sojourn.payments.sandbox import wechat
    from sojourn.payments.sandbox.orders import SandboxOrder

    keys = load_or_create(SANDBOX.data_dir)
    if forged:
        keys = replaced(keys, wechat_platform_key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    order = SandboxOrder(
        provider="wechat",
        out_trade_no=out_trade_no,
        merchant=sub_mchid or keys.wechat_sub_mchids[0],
        amount_fen=amount_fen,
        description="test",
        channel="native",
        notify_url="",
        expires_at=signed_at + dt.timedelta(minutes=15),
        status="SUCCESS",
        transaction_id="4200000000" + out_trade_no[-10:],
        paid_at=signed_at,
    )
    resource = wechat.transaction_resource(order)
    return wechat.notification_message(
        keys, f"test-{out_trade_no}", "TRANSACTION.SUCCESS", "支付成功", resource, int(signed_at.timestamp())
    )


def alipay_paid_notification(
    out_trade_no: str, amount_fen: int, *, seller_id: str | None = None
) -> tuple[dict[str, str], bytes]:
    """A TRADE_SUCCESS notification form as the sandbox would send it, signed with its Alipay key."""
    from sojourn.payments.sandbox import alipay
    from sojourn.payments.sandbox.orders import SandboxOrder, now

    keys = load_or_create(SANDBOX.data_dir)
    paid_at = now()
    order = SandboxOrder(
        provider="alipay",
        out_trade_no=out_trade_no,
        merchant=seller_id or next(iter(keys.alipay_merchants.values())),
        amount_fen=amount_fen,
        description="test",
        channel="page",
        notify_url="",
        expires_at=paid_at + dt.timedelta(minutes=15),
        status="SUCCESS",
        transaction_id="2026" + out_trade_no[-12:],
        paid_at=paid_at,
    )
    form = alipay.notification_form(keys, alipay.notification_fields(order, f"test-{out_trade_no}"))
    return {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, form


async def pay_on_pages(client, booking_id: int) -> None:
    """A signed-in senior pays on the trip's pages as she would on a computer: she chooses WeChat Pay,
    the page shows the sandbox's QR code, her phone pays, and WeChat's signed notification arrives."""
    from tests.web_helpers import post_form

    SANDBOX.start()
    await ensure_wechat_payee(booking_id)
    page = await post_form(
        client, f"/trips/{booking_id}/pay", {"provider": "wechat"}, from_page=f"/trips/{booking_id}/pay"
    )
    assert page.status_code == 200 and "<svg" in page.text, page.text[:500]
    payment_id = await fetchval("SELECT id FROM payment WHERE booking = $1 ORDER BY id DESC LIMIT 1", booking_id)
    headers, body = await wechat_paid_notice_for(payment_id)
    answer = await client.post("/api/v1/payments/notify/wechat", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
