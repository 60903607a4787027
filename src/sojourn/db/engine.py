"""The one Piccolo engine, made from the settings.

Piccolo's tables and tools find their engine in ``piccolo_conf.DB``; here it is one object whose
database is decided by ``configure(settings)`` (``create_app`` and ``start_pool`` call it) or, if
nothing configured it, by the environment's settings when it is first used. Importing this
module connects to nothing and starts no server: the embedded PostgreSQL is started only when a
connection is first needed without ``SOJOURN_DATABASE_URL``.
"""

from __future__ import annotations

from typing import Any

from piccolo.engine.postgres import PostgresEngine

from sojourn.config import Settings, load_settings


class SettingsEngine(PostgresEngine):
    """A PostgreSQL engine whose address comes from ``Settings``, resolved on first use."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._resolved: dict[str, Any] | None = None
        super().__init__(config={})

    def use(self, settings: Settings) -> None:
        changed = self._settings is not None and settings.database_url != self._settings.database_url
        if changed and self.pool is not None:
            raise RuntimeError("The database cannot change while its connection pool is open.")
        if self._settings is None or settings.database_url != self._settings.database_url:
            self._resolved = None
        self._settings = settings

    async def check_version(self) -> None:
        """Not at construction: Piccolo would connect while ``piccolo_conf`` is imported (and so
        start the embedded server). Sojourn needs PostgreSQL 15, as its docs and CI say."""

    @property
    def config(self) -> dict[str, Any]:  # read by Piccolo and asyncpg when connecting
        if self._resolved is None:
            from sojourn.db.embedded import resolve_database_url

            self._resolved = {"dsn": resolve_database_url(self._settings or load_settings())}
        return self._resolved

    @config.setter
    def config(self, value: dict[str, Any]) -> None:
        self._resolved = dict(value) if value else None


ENGINE = SettingsEngine()


def configure(settings: Settings) -> PostgresEngine:
    """Use ``settings.database_url`` (or the embedded server) from now on; return the engine."""
    ENGINE.use(settings)
    return ENGINE


def engine() -> PostgresEngine:
    return ENGINE
