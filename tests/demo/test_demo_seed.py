"""The whole demo seed in a real database on a handful of days: consistent calendars, idempotent,
and every feature there on its first start (see test_demo_plan.py for every day of two years)."""

import datetime as dt

import pytest

from sojourn import db as sojourn_db
from sojourn.accounts.principal import principal_for_account
from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.plan_present import DESK_BASE
from sojourn.demo.seed import demo_today, seed_demo
from sojourn.demo.seed_accounts import COORDINATOR, DAUGHTER, SENIOR, operator_login
from sojourn.operator.dashboard import dashboard
from sojourn.stats.filters import StatsFilter
from sojourn.stats.services import STATISTICS, statistic_rows
from tests.booking_helpers import calendar_mismatches

# A pinned "today", a leap day, a 31 December early in the morning (still the 30th in UTC: the
# date at the bases counts), the first day of the southern winter season and the last one of
# the northern summer and of the southern winter (catalogue_bases: Oct–Apr, Jun–Sep).
MOMENTS = [
    "2026-12-07T09:00:00+08:00",
    "2028-02-29T09:00:00+08:00",
    "2027-12-31T07:30:00+08:00",
    "2027-10-01T09:00:00+08:00",
    "2027-09-30T18:00:00+08:00",
    "2027-04-30T09:00:00+08:00",
]
TABLES = ("member", "base", "tour", "account", "traveller", "booking", "feedback", "capacity_night",
          "health_declaration", "waitlist_entry", "stats_health_month")  # fmt: skip


async def _fetchval(sql: str, *args):
    async with sojourn_db.connection() as conn:
        return await conn.fetchval(sql, *args)


async def _counts() -> dict[str, int]:
    return {table: await _fetchval(f"SELECT count(*) FROM {table}") for table in TABLES}


@pytest.mark.parametrize("moment", MOMENTS)
async def test_demo_seed_is_consistent_idempotent_and_shows_every_feature(settings, db, moment):
    now = dt.datetime.fromisoformat(moment)
    today = demo_today(now)
    ids = await seed_demo(settings, now)
    assert ids.added
    assert await calendar_mismatches() == []
    assert await _fetchval("SELECT count(*) FROM booking WHERE departure < $1", today) > 200
    modes = await _fetchval(
        "SELECT array_agg(DISTINCT t.mode ORDER BY t.mode) FROM booking b JOIN tour t ON t.id = b.tour"
    )
    assert modes == ["interactive", "migratory", "vacation"]
    statuses = set(await _fetchval("SELECT array_agg(DISTINCT status) FROM booking"))
    assert {"checked_out", "cancelled", "no_show", "confirmed", "checked_in"} <= statuses
    # Some bases have enough answers for a reliable NPS.
    assert await _fetchval("SELECT max(n) FROM (SELECT count(*) n FROM feedback GROUP BY base) x") >= 30
    assert await _fetchval("SELECT count(*) FROM base WHERE contact_phone = ''") == 0

    await _the_senior_has_trips_to_look_back_on_and_ahead(ids, today)
    await _the_desk_base_has_a_day_to_run(ids, now, today)
    await _statistics_have_data_for_every_page(ids)
    await _the_hotline_and_the_waiting_list_have_someone(ids)

    first = await _counts()
    again = await seed_demo(settings, now)
    assert not again.added and await _counts() == first


async def _the_senior_has_trips_to_look_back_on_and_ahead(ids, today):
    senior = ids.accounts.accounts[SENIOR.login]
    past = "SELECT count(*) FROM booking b WHERE b.account = $1 AND b.status = 'checked_out' AND b.departure > $2"
    year_ago = today - dt.timedelta(days=365)
    with_feedback = past + " AND EXISTS (SELECT 1 FROM feedback f WHERE f.booking = b.id)"
    assert await _fetchval(with_feedback, senior, year_ago) >= 1
    assert await _fetchval(past + " AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.booking = b.id)", senior, year_ago)
    upcoming = "SELECT count(*) FROM booking WHERE account = $1 AND status = 'confirmed' AND arrival > $2"
    assert await _fetchval(upcoming, senior, today) == 1


async def _the_desk_base_has_a_day_to_run(ids, now, today):
    base_id = ids.catalogue.bases[DESK_BASE]
    operator = await principal_for_account(ids.accounts.accounts[operator_login(DESK_BASE)])
    desk = await dashboard(operator, base_id, now=now)
    assert desk.today == today
    assert any(item.status == "confirmed" for item in desk.arrivals)  # to check in
    assert any(item.status == "checked_in" for item in desk.departures)  # to check out
    late = "SELECT count(*) FROM booking WHERE base = $1 AND status = 'confirmed' AND arrival < $2 AND departure > $2"
    assert await _fetchval(late, base_id, today) >= 1  # to mark as a no-show
    assert desk.declarations_awaiting >= 2
    asked = "SELECT count(*) FROM health_declaration hd JOIN booking b ON b.id = hd.booking WHERE b.base = $1 AND hd.status = 'info_requested'"
    assert await _fetchval(asked, base_id) >= 1


async def _statistics_have_data_for_every_page(ids):
    coordinator = await principal_for_account(ids.accounts.accounts[COORDINATOR.login])
    for name in STATISTICS:
        rows = await statistic_rows(name, coordinator, StatsFilter(), store=None)
        assert rows, name
    mix = await statistic_rows("health-mix", coordinator, StatsFilter(), store=None)
    assert any(row["facet"] == "condition" and not row["suppressed"] for row in mix)


async def _the_hotline_and_the_waiting_list_have_someone(ids):
    consented = "SELECT count(*) FROM agent_mandate m JOIN traveller t ON t.id = m.traveller WHERE t.account = $1 AND m.withdrawn_at IS NULL"
    assert await _fetchval(consented, ids.accounts.accounts[DAUGHTER.login]) == len(DAUGHTER.travellers)
    assert await _fetchval(consented, ids.accounts.accounts[SENIOR.login]) == 0
    sold_out = (
        "SELECT count(*) FROM waitlist_entry w JOIN tour t ON t.id = w.tour "
        "WHERE w.status = 'waiting' AND t.seats_taken = t.seats"
    )
    assert await _fetchval(sold_out) == 1
    assert {base.slug for base in BASES} == set(ids.catalogue.bases)
