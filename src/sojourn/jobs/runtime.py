"""The saq queue and worker (litestar-saq's Worker) that run the periodic jobs.

- With Redis (``SOJOURN_REDIS_URL``): the queue is in Redis; ``sojourn worker`` processes run
  it, on as many hosts as wanted; the web processes run no jobs.
- Without Redis (embedded mode, one process): the queue is saq's PostgreSQL queue (psycopg,
  in the database's own ``saq`` schema, over the same DSN, Unix socket included) and the
  worker runs inside the serving process, started and stopped by the app's lifespan.

Either way the cron entries are the same, and each runs once per schedule across every
worker on the queue (see schedule.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from litestar_saq.base import CronJob, Worker
from saq.queue.base import Queue

from sojourn import db
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.jobs.schedule import PERIODIC_JOBS, PeriodicJob

log = logging.getLogger(__name__)

QUEUE_NAME = "sojourn"
# saq's own tables stay out of the application schema (migrations and test resets never see them).
POSTGRES_SCHEMA = "saq"
# How long a stopping worker lets running jobs finish before cancelling them (every job is
# safe to cancel: its transaction rolls back and the next run does the work). saq waits this
# long even when idle, so the in-process worker, which delays the server's exit, waits less.
SHUTDOWN_GRACE_SECONDS = 10
IN_PROCESS_SHUTDOWN_GRACE_SECONDS = 1


def build_queue(settings: Settings, *, name: str = QUEUE_NAME) -> Queue:
    if settings.redis_url:
        from saq.queue.redis import RedisQueue

        return RedisQueue.from_url(settings.redis_url, name=name)
    from psycopg_pool import AsyncConnectionPool
    from saq.queue.postgres import PostgresQueue

    pool = AsyncConnectionPool(
        db.engine().config["dsn"],
        open=False,
        min_size=1,
        max_size=3,
        check=AsyncConnectionPool.check_connection,
        kwargs={"options": f"-c search_path={POSTGRES_SCHEMA}", "autocommit": True},
    )
    return PostgresQueue(pool, name=name, min_size=1, max_size=3, manage_pool_lifecycle=True)


async def prepare_queue(queue: Queue) -> None:
    """Connect, creating the ``saq`` schema first for the PostgreSQL queue."""
    if type(queue).__name__ == "PostgresQueue":
        async with db.connection() as conn:
            with contextlib.suppress(asyncpg.UniqueViolationError):  # another process created it just now
                await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {POSTGRES_SCHEMA}")
    await queue.connect()


def task_for(job: PeriodicJob, settings: Settings, clock: Clock) -> Any:
    """A saq task running ``job`` with the clock's now; named after the job (saq's cron key)."""

    async def task(ctx: Any) -> int:
        done = await job.run(now=clock.now(), settings=settings)
        if done:
            log.info("job %s: %s", job.name, done)
        return done

    task.__name__ = task.__qualname__ = job.name
    return task


def build_worker(
    settings: Settings,
    queue: Queue,
    *,
    clock: Clock | None = None,
    jobs: tuple[PeriodicJob, ...] = PERIODIC_JOBS,
    in_process: bool = False,
    timers: dict[str, int] | None = None,
) -> Worker:
    clock = clock or Clock(settings.clock_start)
    tasks = [task_for(job, settings, clock) for job in jobs]
    worker = Worker(
        queue,
        functions=tasks,
        cron_jobs=[
            CronJob(function=task, cron=job.cron, timeout=job.timeout, retries=1)
            for job, task in zip(jobs, tasks, strict=True)
        ],
        concurrency=4,
        separate_process=not in_process,
        shutdown_grace_period_s=IN_PROCESS_SHUTDOWN_GRACE_SECONDS if in_process else SHUTDOWN_GRACE_SECONDS,
        enable_heartbeat_manager=False,
        timers=timers,  # type: ignore[arg-type]
    )
    if in_process:
        worker.SIGNALS = []  # the web server owns SIGINT and SIGTERM
    return worker


@asynccontextmanager
async def jobs_in_process(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Worker]:
    """Run the worker inside this process (embedded mode) for the duration of the block."""
    queue = build_queue(settings)
    await prepare_queue(queue)
    worker = build_worker(settings, queue, clock=clock, in_process=True)
    running = asyncio.create_task(worker.start())
    log.info("background jobs run in this process (queue in PostgreSQL)")
    try:
        yield worker
    finally:
        await worker.stop()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await queue.disconnect()


async def run_worker(settings: Settings, clock: Clock | None = None) -> None:
    """``sojourn worker``: process the queue until SIGINT or SIGTERM (the pool is open)."""
    queue = build_queue(settings)
    await prepare_queue(queue)
    worker = build_worker(settings, queue, clock=clock)
    kind = "Redis" if settings.redis_url else "PostgreSQL"
    log.info("worker on the %s queue %r: %s", kind, QUEUE_NAME, ", ".join(job.name for job in PERIODIC_JOBS))
    try:
        await worker.start()
    finally:
        await queue.disconnect()
