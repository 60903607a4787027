"""Applying Piccolo migrations from code (the CLI, the demo and the tests share this)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from sojourn import db


class MigrationFailed(Exception):
    pass


async def migrate(quiet: bool = True) -> None:
    """Apply every migration not applied yet. Safe to run on every start."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="sojourn")
    if not result.success:
        raise MigrationFailed(f"{result.message}\n{output.getvalue()}")


async def reset_schema() -> None:
    """Drop every table (tests only): the next ``migrate`` starts from an empty database."""
    async with db.connection() as conn:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


async def truncate_all() -> None:
    """Empty every table but Piccolo's migration record (tests only).

    The audit log refuses TRUNCATE (an append-only trigger): as the superuser the tests run
    as, triggers are set aside for this one transaction.
    """
    async with db.connection() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
        )
        if tables:
            names = ", ".join(f'"{row["tablename"]}"' for row in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
