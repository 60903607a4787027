"""The room-types migration on a copy of the demo database: the demo is seeded, the room-types
migrations are taken back (the schema and data as before them: bed calendars and bookings only),
then applied again. No booking is lost, every bed total per base and night is unchanged, and the
room calendar agrees with the bookings from the first moment."""

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from piccolo.apps.migrations.commands.backwards import run_backwards

from sojourn import db as sojourn_db
from sojourn.config import Settings
from sojourn.db.embedded import with_database
from sojourn.db.migrations import migrate
from sojourn.demo.seed import seed_demo
from tests.booking_helpers import calendar_mismatches, room_mismatches
from tests.pinned import PINNED_NOW

ROOM_TYPES = "2026-12-07T22:26:25:989991"  # the first room-types migration (its tables)

TOTALS = "SELECT base, night, beds, taken FROM capacity_night ORDER BY base, night"
BOOKINGS = "SELECT id, base, status, party_size, arrival, departure FROM booking ORDER BY id"


async def _fetch(sql: str):
    async with sojourn_db.connection() as conn:
        return [tuple(row) for row in await conn.fetch(sql)]


@asynccontextmanager
async def copy_database(settings: Settings) -> AsyncIterator[Settings]:
    """A database of its own beside the test database, migrated: this test takes migrations back
    and forth, which must not disturb the worker's database or the server process using it."""
    assert settings.database_url
    name = f"{urlsplit(settings.database_url).path.lstrip('/')}_rooms_copy"
    copy = dataclasses.replace(settings, database_url=with_database(settings.database_url, name))
    async with sojourn_db.connection() as conn:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    await sojourn_db.close_pool()
    try:
        await sojourn_db.start_pool(copy)
        await migrate()
        yield copy
    finally:
        await sojourn_db.close_pool()
        await sojourn_db.start_pool(settings)
        async with sojourn_db.connection() as conn:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_demo_database_moves_over_to_room_types_without_losing_a_booking_or_a_bed(settings, db):
    async with copy_database(settings) as copy:
        await seed_demo(copy, PINNED_NOW)
        totals, bookings = await _fetch(TOTALS), await _fetch(BOOKINGS)
        assert len(bookings) > 200 and len(totals) > 1000
        result = await run_backwards(app_name="sojourn", migration_id=ROOM_TYPES, auto_agree=True)
        assert result.success, result.message
        assert await _fetch("SELECT to_regclass('room_night') IS NULL") == [(True,)]
        assert await _fetch(TOTALS) == totals

        await migrate()

        assert await _fetch(TOTALS) == totals
        assert await _fetch(BOOKINGS) == bookings
        assert await _fetch("SELECT count(*) FROM booking_room") == [(len(bookings),)]
        assert await _fetch(
            "SELECT count(*) FROM booking b JOIN booking_room r ON r.booking = b.id JOIN room_type t"
            " ON t.id = r.room_type WHERE t.base = b.base AND t.code = 'bed' AND r.rooms = b.party_size"
        ) == [(len(bookings),)]
        assert await _fetch(
            "SELECT count(*) FROM base b WHERE (SELECT count(*) FROM room_type t WHERE t.base = b.id) <> 1"
        ) == [(0,)]
        assert await calendar_mismatches() == []
        assert await room_mismatches() == []
