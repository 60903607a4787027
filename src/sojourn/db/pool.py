"""The connection pool's life, and raw SQL on Piccolo's own pool for the hot paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from sojourn.config import Settings
from sojourn.db.engine import configure, engine


async def keep_session_state(connection: asyncpg.Connection) -> None:
    """Release a connection to the pool without asyncpg's reset query.

    The default reset (unlock advisory locks, CLOSE ALL, UNLISTEN, RESET ALL) is one more
    round trip on every release. Sojourn leaves no session state behind: advisory locks
    and settings are transaction-scoped, nothing LISTENs, and asyncpg still rolls back
    any transaction left open before calling this.
    """


async def start_pool(settings: Settings) -> None:
    """Open the pool on ``settings``' database (the embedded server is started if there is none)."""
    db = configure(settings)
    if db.pool is None:
        await db.start_connection_pool(
            min_size=settings.db_pool_min, max_size=settings.db_pool_max, reset=keep_session_state
        )


async def close_pool() -> None:
    db = engine()
    if db.pool is not None:
        await db.close_connection_pool()


@asynccontextmanager
async def connection() -> AsyncIterator[asyncpg.Connection]:
    """A pooled asyncpg connection, for queries Piccolo's query builder would slow down."""
    db = engine()
    if db.pool is None:
        conn = await db.get_new_connection()
        try:
            yield conn
        finally:
            await conn.close()
        return
    async with db.pool.acquire() as pooled:
        yield pooled  # type: ignore[misc]  # a pool's proxy stands in for its Connection
