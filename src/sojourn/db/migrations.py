"""Applying Piccolo migrations from code (the CLI, the demo and the tests share this)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from sojourn.db import pool as db


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
