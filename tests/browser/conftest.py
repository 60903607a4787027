"""Browser tests: Playwright driving Debian's Chromium against a real ``sojourn serve``.

Playwright's own browser download does not work here, so the system Chromium is
launched directly. axe-core (npm) is evaluated in each page to find accessibility
violations; pages run with their real Content-Security-Policy, and any CSP
violation or script error fails the test. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sojourn.clock import Clock
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("SOJOURN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require(path: str | Path, what: str) -> None:
    if not Path(path).exists() and not shutil.which(str(path)):
        message = f"{what} is missing ({path}); .ci/run installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
async def browser():
    _require(CHROMIUM, "Debian's chromium")
    _require(AXE, "axe-core (npm ci)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def world(db, client):
    """Two bases with ten beds a night from 60 days after today, a tour of each mode: the live
    server runs on the wall clock, so the world's dates follow it."""
    return await factories.small_world(beds=10)


class PageProblems(list):
    """Console errors, CSP violations and uncaught exceptions seen by a page."""


_VISITORS = itertools.count(1)


def visitor_address() -> dict[str, str]:
    """A client address of its own for one test's browser (see the live_server fixture)."""
    n = next(_VISITORS)
    return {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


@pytest.fixture
async def browser_context(browser, live_server):
    context = await browser.new_context(
        base_url=live_server,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        extra_http_headers=visitor_address(),
    )
    yield context
    await context.close()


async def watched_page(context):
    """A new page of ``context`` that collects its console errors, CSP violations and uncaught exceptions."""
    page = await context.new_page()
    problems = PageProblems()
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    return page


def assert_no_csp_problems(page) -> None:
    assert not [p for p in page.problems if "Content Security Policy" in p or "Refused to" in p], page.problems


@pytest.fixture
async def page(browser_context) -> AsyncIterator:
    page = await watched_page(browser_context)
    yield page
    assert_no_csp_problems(page)


# --- paying: the live server WITH payments ---------------------------------------------------


@dataclass
class PayingWorld:
    """A world on the real calendar whose Sanya base takes WeChat Pay and Alipay, and a senior with a traveller."""

    world: factories.World
    payees: dict[str, int]
    traveller_id: int


@pytest.fixture
async def paying_world(db, sandbox, settings) -> PayingWorld:
    """The paying server and the sandbox keep real time, so the world starts 40 days after the real
    today at the bases (as the protocol tests' worlds do); the Sanya base gets its own WeChat
    sub-merchant and Alipay merchant from the sandbox's list; the senior of test_journey signs in."""
    from tests.browser.test_journey import family_account
    from tests.payment_helpers import china_today, register_payees

    world = await factories.small_world(start=china_today(Clock().now()) + dt.timedelta(days=40))
    registered = await register_payees(world.bases["sanya"]["id"], settings)
    _, holder = await family_account("zh_CN")
    return PayingWorld(world, registered, holder)


@pytest.fixture
async def paying_context(browser, payments_server) -> AsyncIterator:
    context = await browser.new_context(
        base_url=payments_server,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        extra_http_headers=visitor_address(),
    )
    yield context
    await context.close()


@pytest.fixture
async def paying_page(paying_context) -> AsyncIterator:
    """A page on the live server with payments; the ledger must balance after the test."""
    from sojourn.payments import ledger

    page = await watched_page(paying_context)
    yield page
    assert_no_csp_problems(page)
    assert await ledger.check_ledger(now=Clock().now()) == []


async def accessibility_violations(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.2 AA rules)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())
    result = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


async def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
