"""``GET /healthz``: is the database (and Redis, when configured) reachable?"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Request, Response, get

from sojourn import db


class Health(msgspec.Struct):
    status: str
    database: str
    redis: str


async def _database_ok() -> bool:
    try:
        async with db.connection() as conn:
            await asyncio.wait_for(conn.fetchval("SELECT 1"), 3)
    except Exception:
        return False
    return True


async def _redis_state(request: Request[Any, Any, Any]) -> str:
    client = request.app.state.get("redis")
    if client is None:
        return "not configured"
    try:
        await asyncio.wait_for(client.ping(), 3)
    except Exception:
        return "unreachable"
    return "ok"


@get("/healthz", include_in_schema=False)
async def healthz(request: Request[Any, Any, Any]) -> Response[Health]:
    database = "ok" if await _database_ok() else "unreachable"
    redis = await _redis_state(request)
    healthy = database == "ok" and redis in ("ok", "not configured")
    return Response(
        Health(status="ok" if healthy else "failing", database=database, redis=redis),
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


ROUTES = [healthz]
