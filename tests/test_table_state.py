"""The suite's own footing: each test's tables start empty, or exactly as a module saved them."""

from __future__ import annotations

import datetime as dt

import pytest

from sojourn import db
from tests import factories, table_state

START = dt.date(2027, 1, 10)
pytestmark = pytest.mark.usefixtures("db")


async def fingerprint() -> dict[str, str]:
    """Every table's rows (md5 of them all) and every sequence's position."""
    found = await table_state.fingerprint()
    async with db.connection() as conn:
        for row in await conn.fetch("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"):
            found[f"sequence {row['sequencename']}"] = str(row["last_value"])
    return found


async def change_everything_a_test_might(world: factories.World) -> None:
    """Inserts, updates (with the statistics triggers firing) and deletes across tables."""
    await factories.member("210000", "辽宁", "Liaoning")
    async with db.connection() as conn:
        await conn.execute("UPDATE capacity_night SET beds = beds + 3 WHERE base = $1", world.bases["sanya"]["id"])
        await conn.execute("DELETE FROM tour_quota")
    await factories.account("13800138000")


async def test_empty_tables_leaves_no_row_and_starts_ids_again():
    before = await fingerprint()
    world = await factories.small_world(start=START)
    assert await fingerprint() != before
    await table_state.empty_tables()
    assert await fingerprint() == before
    again = await factories.small_world(start=START)
    assert again.members["nm"]["id"] == world.members["nm"]["id"] == 1


async def test_a_saved_world_comes_back_exactly_after_any_change():
    world = await factories.small_world(start=START)
    saved = table_state.SavedTables("table_state_test")
    await saved.save()
    try:
        as_saved = await fingerprint()
        await change_everything_a_test_might(world)
        assert await fingerprint() != as_saved
        await saved.restore()
        assert await fingerprint() == as_saved
        # The next id is the one after the saved world's, as if nothing had happened since.
        assert (await factories.member("220000", "吉林", "Jilin"))["id"] == world.members["bj"]["id"] + 1
    finally:
        await saved.discard()


async def test_a_test_that_does_not_ask_for_a_saved_world_starts_empty():
    await factories.small_world(start=START)
    async with table_state.saved_world("table_state_other", lambda: factories.small_world(start=START)):
        await table_state.start_from(["db", "client"])
        assert all(digest in (EMPTY, "None") for digest in (await fingerprint()).values())
        await table_state.start_from(["db", "table_state_other"])
        async with db.connection() as conn:
            assert await conn.fetchval("SELECT count(*) FROM member") == 3


EMPTY = "d41d8cd98f00b204e9800998ecf8427e"  # md5 of nothing
