"""The periodic jobs: what runs, how often. Cron times are UTC (Shanghai is UTC+8).

Every job function lives in its own context and takes ``now`` and ``settings`` by keyword;
each is safe to run twice (dedupe keys, locks or idempotent SQL), so a run repeated after a
crash or a clock step costs nothing but time. saq runs each cron entry once per queue: the
next run is enqueued under the key ``cron:<name>`` and a second enqueue of that key is
ignored while the first is waiting or running, whichever host tries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sojourn.bookings.expiry import release_expired_holds_everywhere
from sojourn.config import Settings
from sojourn.feedback.requests import request_feedback
from sojourn.health.deadlines import flag_missing_declarations, send_declaration_reminders
from sojourn.health.retention import shred_expired_declarations
from sojourn.jobs.housekeeping import delete_old_idempotency_records
from sojourn.notifications.delivery import deliver_outbox
from sojourn.notifications.reminders import send_departure_reminders
from sojourn.payments.balances import settle_overdue_balances
from sojourn.payments.jobs import check_ledger_balances, pay_due_refunds, reconcile_yesterday, repair_open_payments
from sojourn.stats.rollups import fold_flow_changes

JobFunction = Callable[..., Awaitable[int]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    # croniter syntax: five fields, or six with seconds last ("* * * * * */15": every 15 s).
    cron: str
    function: JobFunction
    # Seconds before saq cancels a run (its default, 10 s, is too short for the daily purges).
    timeout: int = 60

    async def run(self, *, now: dt.datetime, settings: Settings) -> int:
        return await self.function(now=now, settings=settings)


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    # Beds of lapsed holds back on sale and waiting-list offers made (part of the release).
    PeriodicJob("release_expired_holds", "* * * * *", release_expired_holds_everywhere),
    PeriodicJob("deliver_outbox", "* * * * * */15", deliver_outbox, timeout=120),
    # Flow changes folded into the statistics' flow rollup (readers add what is not folded yet).
    PeriodicJob("fold_flow_changes", "* * * * *", fold_flow_changes),
    PeriodicJob("send_departure_reminders", "*/30 * * * *", send_departure_reminders),
    # Hourly from 09:00 to 19:00 in China: reminders reach seniors in the daytime.
    PeriodicJob("send_declaration_reminders", "0 1-11 * * *", send_declaration_reminders),
    PeriodicJob("flag_missing_declarations", "5 1-11 * * *", flag_missing_declarations),
    PeriodicJob("request_feedback", "10 * * * *", request_feedback),
    # Refunds due (after their undo window) go out; refunds in flight are asked about.
    PeriodicJob("pay_due_refunds", "* * * * *", pay_due_refunds, timeout=300),
    # Open payments past their time: recorded as paid if they were, closed at the provider if not.
    PeriodicJob("repair_open_payments", "*/2 * * * *", repair_open_payments, timeout=300),
    # Yesterday's bills from 10:40 in China (WeChat Pay publishes them from 10:00), then the ledger check.
    # Balances due within a week reminded, those past due (and a day's grace) cancelled under the terms;
    # hourly in the Chinese daytime.
    PeriodicJob("settle_overdue_balances", "20 1-11 * * *", settle_overdue_balances, timeout=600),
    PeriodicJob("reconcile_payments", "40 2 * * *", reconcile_yesterday, timeout=1800),
    PeriodicJob("check_ledger_balances", "10 3 * * *", check_ledger_balances, timeout=600),
    # Nightly in China (03:17 and 03:27).
    PeriodicJob("shred_expired_declarations", "17 19 * * *", shred_expired_declarations, timeout=600),
    PeriodicJob("delete_old_idempotency_records", "27 19 * * *", delete_old_idempotency_records, timeout=600),
)

JOBS_BY_NAME = {job.name: job for job in PERIODIC_JOBS}
