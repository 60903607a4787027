"""Scheduled jobs: every job runs, cron entries run once across several workers (Redis and
PostgreSQL queues), departure reminders go once, old idempotency records are forgotten."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
import uuid
from dataclasses import replace

import pytest

from sojourn import db as database
from sojourn.jobs.housekeeping import delete_old_idempotency_records
from sojourn.jobs.runtime import build_queue, build_worker, prepare_queue
from sojourn.jobs.schedule import PERIODIC_JOBS, PeriodicJob
from sojourn.notifications.reminders import send_departure_reminders
from tests import factories
from tests.pinned import PINNED_NOW, PINNED_TODAY, SHANGHAI


async def test_every_scheduled_job_runs_and_reports_a_count(db: None, settings):
    for job in PERIODIC_JOBS:
        assert isinstance(await job.run(now=PINNED_NOW, settings=settings), int), job.name
    assert len({job.name for job in PERIODIC_JOBS}) == len(PERIODIC_JOBS)


async def run_two_workers(settings, seconds: float) -> tuple[list[float], float]:
    """Two workers, each with its own queue connection, on one queue with a job every 2 s.
    Returns the run times and how long the workers ran (stopping takes a moment too)."""
    runs: list[float] = []

    async def tick(now: dt.datetime, settings: object) -> int:
        runs.append(time.monotonic())
        return 1

    name = f"test-{uuid.uuid4().hex[:8]}"
    # saq's PostgreSQL table keys jobs by "cron:<job name>" across all queues: a name of this
    # run's own, so a row left by an earlier run (or another queue) cannot stand in its way.
    jobs = (PeriodicJob(f"tick_{name}", "* * * * * */2", tick),)
    queues = [build_queue(settings, name=name) for _ in range(2)]
    workers = []
    for queue in queues:
        await prepare_queue(queue)
        workers.append(build_worker(settings, queue, jobs=jobs, in_process=True, timers={"schedule": 1}))
    started = time.monotonic()
    tasks = [asyncio.create_task(worker.start()) for worker in workers]
    await asyncio.sleep(seconds)
    while len(runs) < 3 and time.monotonic() - started < seconds * 3:  # a busy machine starts slowly
        await asyncio.sleep(0.5)
    for worker in workers:
        await worker.stop()
    await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - started
    for queue in queues:
        await queue.disconnect()
    if not settings.redis_url:
        async with database.connection() as conn:
            await conn.execute("DELETE FROM saq.saq_jobs WHERE queue = $1", name)
    return sorted(runs), elapsed


def assert_once_per_schedule(outcome: tuple[list[float], float]) -> None:
    runs, elapsed = outcome
    assert len(runs) >= 2, runs  # the schedule fired
    assert len(runs) <= elapsed / 2 + 1, (runs, elapsed)
    gaps = [later - earlier for earlier, later in itertools.pairwise(runs)]
    assert min(gaps) > 1.0, gaps  # a run doubled by the second worker would be ~0 s apart


@pytest.mark.slow
async def test_a_cron_job_runs_once_per_schedule_across_two_workers_on_redis(settings, redis_url):
    assert_once_per_schedule(await run_two_workers(replace(settings, redis_url=redis_url), 7.0))


@pytest.mark.slow
async def test_a_cron_job_runs_once_per_schedule_across_two_workers_on_postgresql(migrated_database, settings):
    assert_once_per_schedule(await run_two_workers(replace(settings, redis_url=None), 7.0))


async def confirmed_booking(world, account_id: int, arrival: dt.date, status: str = "confirmed") -> dict:
    traveller = await factories.traveller(account_id)
    return await factories.past_stay(
        world.tours["migratory"],
        account_id,
        [traveller["id"]],
        arrival=arrival,
        departure=arrival + dt.timedelta(days=30),
        status=status,
    )


async def reminders() -> list[dict]:
    async with database.connection() as conn:
        rows = await conn.fetch("SELECT * FROM outbox_message WHERE kind = 'departure_reminder' ORDER BY id")
    return [dict(row) for row in rows]


async def test_a_departure_reminder_goes_once_some_days_before_arrival(db: None, settings):
    world = await factories.small_world()
    account_id = await factories.account("13800138000")
    today = PINNED_TODAY  # at the base
    soon = await confirmed_booking(world, account_id, today + dt.timedelta(days=3))
    await confirmed_booking(world, account_id, today + dt.timedelta(days=4))  # not yet
    await confirmed_booking(world, account_id, today + dt.timedelta(days=1), status="cancelled")
    await confirmed_booking(world, account_id, today - dt.timedelta(days=1))  # already there

    assert await send_departure_reminders(PINNED_NOW, settings) == 1
    assert await send_departure_reminders(PINNED_NOW + dt.timedelta(hours=1), settings) == 0
    [reminder] = await reminders()
    assert reminder["account"] == account_id and reminder["dedupe_key"] == f"departure_reminder:{soon['id']}"
    assert reminder["deliver_after"] == PINNED_NOW  # daytime at the base: at once

    assert await send_departure_reminders(PINNED_NOW + dt.timedelta(days=1), settings) == 1
    assert len(await reminders()) == 2


async def test_a_reminder_due_at_night_waits_for_the_morning_at_the_base(db: None, settings):
    world = await factories.small_world()
    account_id = await factories.account("13800138000")
    night = dt.datetime.combine(PINNED_TODAY, dt.time(23), SHANGHAI)
    await confirmed_booking(world, account_id, night.date() + dt.timedelta(days=2))
    assert await send_departure_reminders(night, settings) == 1
    [reminder] = await reminders()
    morning = dt.datetime.combine(PINNED_TODAY + dt.timedelta(days=1), dt.time(9), SHANGHAI)
    assert reminder["deliver_after"] == morning  # 09:00 the next day


async def test_idempotency_records_older_than_seven_days_are_deleted(db: None, settings):
    account_id = await factories.account("13800138000")
    async with database.connection() as conn:
        for age_days, key in [(8, "old"), (6, "recent"), (7.01, "just-old")]:
            await conn.execute(
                "INSERT INTO idempotency_record (account, scope, key, request_hash, status_code, response, created_at) "
                "VALUES ($1, 'bookings', $2, 'h', 201, '{}', $3)",
                account_id,
                key,
                PINNED_NOW - dt.timedelta(days=age_days),
            )
    assert await delete_old_idempotency_records(PINNED_NOW, settings) == 2
    async with database.connection() as conn:
        assert [r["key"] for r in await conn.fetch("SELECT key FROM idempotency_record")] == ["recent"]
