"""Sending notifications to the merchant's notify URL, as the providers do: signed anew for every
attempt, retried after each answer that is not a success, on a schedule of growing delays.

Held notifications (a fault asked for) wait until released, then go out in the order asked,
e.g. newest first, to show that the merchant copes with out-of-order delivery.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

# (headers, body) built fresh for each attempt; the answer decides whether it was received.
Build = Callable[[], tuple[dict[str, str], bytes]]
Accepted = Callable[[httpx.Response], bool]


@dataclass
class Delivery:
    url: str
    build: Build
    accepted: Accepted
    label: str
    attempts: int = 0
    delivered: bool = False


@dataclass
class Notifier:
    retry_delays: tuple[float, ...]
    held: list[Delivery] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)  # every attempt, for the control page and tests
    _tasks: set[asyncio.Task] = field(default_factory=set)
    _client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10)
        return self._client

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background, kept referenced until it ends."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def send(self, delivery: Delivery, *, hold: bool = False) -> None:
        if hold:
            self.held.append(delivery)
            return
        self.spawn(self._deliver(delivery))

    async def release(self, newest_first: bool = True) -> int:
        """Deliver the held notifications one after the other (first attempts in that order)."""
        held, self.held = self.held, []
        order = list(reversed(held)) if newest_first else held
        for delivery in order:
            await self._attempt(delivery)
            if not delivery.delivered:
                self.send(delivery)  # the rest of its retries as usual
        return len(order)

    async def _deliver(self, delivery: Delivery) -> None:
        if await self._attempt(delivery):
            return
        for delay in self.retry_delays:
            await asyncio.sleep(delay)
            if await self._attempt(delivery):
                return
        log.warning("sandbox: gave up on %s after %s attempts", delivery.label, delivery.attempts)

    async def _attempt(self, delivery: Delivery) -> bool:
        delivery.attempts += 1
        headers, body = delivery.build()
        try:
            response = await self.client().post(delivery.url, content=body, headers=headers)
            ok = delivery.accepted(response)
            outcome = f"{response.status_code} {response.text[:80]!r}"
        except httpx.HTTPError as error:
            ok, outcome = False, f"not reached: {error!r}"
        self.log.append({"label": delivery.label, "attempt": delivery.attempts, "accepted": ok, "answer": outcome})
        delivery.delivered = delivery.delivered or ok
        return ok
