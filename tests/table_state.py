"""What each test's tables start from: empty, or a world a module saved once.

Measured here (37 tables, 2 cores): ``TRUNCATE`` of every table took 90-120 ms before each test,
and truncating one table costs as much (``CASCADE`` reaches nearly all of them through the foreign
keys). Deleting the rows of only the tables that hold some, with triggers and foreign-key checks
off, takes a few milliseconds, and every request still commits as it does in production, so
tests that need data seen by other connections and processes (races, the live server, jobs)
work unchanged. A rolled-back transaction per test was the other candidate: it would need every
connection the app opens to be the test's one, which concurrent requests, saq's own connections
and the live server cannot share, and ``now()`` would stand still for a whole test.

A module with a heavy world that its tests only read, or change a little, builds it once and
saves a copy of its tables (:class:`SavedTables`); each test that asks for it gets the tables
restored from that copy, and every other test gets empty tables.

Both run as one statement on the server, as a superuser (``session_replication_role``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TypeVar

from sojourn import db

T = TypeVar("T")

# Every table but Piccolo's migration record; partitions are reached through their parent.
_TABLES = """
SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'migration'
"""
_SEQUENCES_TABLE = "sojourn_test_sequences"

_RESTORE = """
DO $restore$
DECLARE
    saved CONSTANT text := '{schema}';
    t record;
    s record;
    has_rows boolean;
    columns text;
    target bigint;
BEGIN
    PERFORM set_config('session_replication_role', 'replica', true);  -- no triggers, no FK checks
    FOR t IN {tables} LOOP
        IF to_regclass(format('%I.%I', saved, t.relname)) IS NOT NULL THEN
            EXECUTE format('DELETE FROM public.%I', t.relname);
            SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
            FROM pg_attribute WHERE attrelid = t.oid AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
            EXECUTE format('INSERT INTO public.%I (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %I.%I',
                           t.relname, columns, columns, saved, t.relname);
        ELSE
            EXECUTE format('SELECT EXISTS (SELECT FROM public.%I)', t.relname) INTO has_rows;
            IF has_rows THEN
                EXECUTE format('DELETE FROM public.%I', t.relname);
            END IF;
        END IF;
    END LOOP;
    FOR s IN SELECT sequencename, start_value, last_value FROM pg_sequences WHERE schemaname = 'public' LOOP
        target := NULL;
        IF to_regclass(format('%I.%I', saved, '{sequences}')) IS NOT NULL THEN
            EXECUTE format('SELECT last_value FROM %I.%I WHERE name = $1', saved, '{sequences}')
            INTO target USING s.sequencename;
        END IF;
        IF target IS NULL AND s.last_value IS NOT NULL THEN
            PERFORM setval(format('public.%I', s.sequencename), s.start_value, false);
        ELSIF target IS DISTINCT FROM s.last_value AND target IS NOT NULL THEN
            PERFORM setval(format('public.%I', s.sequencename), target, true);
        END IF;
    END LOOP;
END
$restore$
"""

_SAVE = """
DO $save$
DECLARE
    saved CONSTANT text := '{schema}';
    t record;
    has_rows boolean;
BEGIN
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', saved);
    EXECUTE format('CREATE SCHEMA %I', saved);
    FOR t IN {tables} LOOP
        EXECUTE format('SELECT EXISTS (SELECT FROM public.%I)', t.relname) INTO has_rows;
        IF has_rows THEN
            EXECUTE format('CREATE TABLE %I.%I AS SELECT * FROM public.%I', saved, t.relname, t.relname);
        END IF;
    END LOOP;
    EXECUTE format('CREATE TABLE %I.%I AS SELECT sequencename AS name, last_value FROM pg_sequences '
                   'WHERE schemaname = ''public''', saved, '{sequences}');
END
$save$
"""

_NOTHING_SAVED = "sojourn_test_nothing_saved"  # a schema that never exists: restore to empty tables


def _restore_sql(schema: str) -> str:
    return _RESTORE.format(schema=schema, tables=_TABLES, sequences=_SEQUENCES_TABLE)


async def empty_tables() -> None:
    """Delete the rows of every table that has some, and start every used sequence again."""
    async with db.connection() as conn:
        await conn.execute(_restore_sql(_NOTHING_SAVED))


async def require_superuser() -> None:
    async with db.connection() as conn:
        if not await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            raise RuntimeError(
                "the test database's role must be a superuser: tests empty tables with triggers and "
                "foreign-key checks off (session_replication_role)"
            )


class SavedTables:
    """A copy of every table that holds rows (and of the sequences), kept in a schema of its own."""

    def __init__(self, name: str) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain name for a schema: {name!r}")
        self.schema = f"sojourn_test_saved_{name}"

    async def save(self) -> None:
        async with db.connection() as conn:
            await conn.execute(_SAVE.format(schema=self.schema, tables=_TABLES, sequences=_SEQUENCES_TABLE))

    async def restore(self) -> None:
        async with db.connection() as conn:
            await conn.execute(_restore_sql(self.schema))

    async def discard(self) -> None:
        async with db.connection() as conn:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


# Saved worlds by the name of the (module-scoped) fixture that made them.
_SAVED_WORLDS: dict[str, SavedTables] = {}


@asynccontextmanager
async def saved_world(fixture_name: str, build: Callable[[], Awaitable[T]]) -> AsyncIterator[T]:
    """Build a world on empty tables and save it; tests that ask for ``fixture_name`` start from it."""
    await empty_tables()
    world = await build()
    saved = SavedTables(fixture_name)
    await saved.save()
    _SAVED_WORLDS[fixture_name] = saved
    try:
        yield world
    finally:
        del _SAVED_WORLDS[fixture_name]
        await saved.discard()


async def start_from(fixture_names: Iterable[str]) -> None:
    """Tables for a test that uses these fixtures: a saved world it asks for, or empty."""
    saved = next((_SAVED_WORLDS[name] for name in fixture_names if name in _SAVED_WORLDS), None)
    if saved is None:
        await empty_tables()
    else:
        await saved.restore()


async def fingerprint(*, skip: Iterable[str] = ()) -> dict[str, str]:
    """An md5 of each table's rows, by table (all but Piccolo's migration record and ``skip``)."""
    skipped = {"migration", *skip}
    async with db.connection() as conn:
        tables = [
            row["tablename"]
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            if row["tablename"] not in skipped
        ]
        sql = " UNION ALL ".join(
            f"SELECT '{name}' AS name, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest"
            f' FROM "{name}" t'
            for name in tables
        )
        return {row["name"]: row["digest"] for row in await conn.fetch(sql)}
