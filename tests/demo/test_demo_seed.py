"""The whole demo seed: idempotent, consistent calendars, a history that statistics can use."""

import datetime as dt

from sojourn import db as sojourn_db
from sojourn.demo.seed import seed_demo
from tests.booking_helpers import calendar_mismatches


async def test_demo_seed_is_consistent_and_idempotent(settings, db):
    now = dt.datetime.now(dt.timezone.utc)
    await seed_demo(settings, now)
    async with db_connection() as conn:
        first = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("member", "base", "tour", "account", "traveller", "booking", "feedback", "capacity_night")
        }
        past = await conn.fetchval("SELECT count(*) FROM booking WHERE departure < $1", now.date())
        upcoming = await conn.fetchval(
            "SELECT count(*) FROM booking WHERE status = 'confirmed' AND arrival > $1", now.date()
        )
        modes = {
            row["mode"]
            for row in await conn.fetch("SELECT DISTINCT t.mode FROM booking b JOIN tour t ON t.id = b.tour")
        }
        statuses = {row["status"] for row in await conn.fetch("SELECT DISTINCT status FROM booking")}
        nps_answers = await conn.fetchval("SELECT max(n) FROM (SELECT count(*) n FROM feedback GROUP BY base) x")
    assert past > 200 and upcoming == 2
    assert modes == {"migratory", "vacation", "interactive"}
    assert {"checked_out", "cancelled", "no_show", "confirmed"} <= statuses
    assert nps_answers >= 30  # some bases have enough answers for a reliable NPS
    assert await calendar_mismatches() == []

    await seed_demo(settings, now)
    async with db_connection() as conn:
        again = {table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in first}
    assert again == first


def db_connection():
    return sojourn_db.connection()
