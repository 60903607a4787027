"""The one app a test run shares: an in-process client for it, and emptying what it remembers."""

from __future__ import annotations

import httpx
from litestar import Litestar


def asgi_client(app: Litestar) -> httpx.AsyncClient:
    """The app in-process, over ASGI, on the test's event loop (see stack notes on event loops)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def empty_stores(app: Litestar) -> None:
    """Forget what the app keeps in its stores: sessions, rate limits, login failures, caches."""
    for store in list(app.stores._stores.values()):
        await store.delete_all()
