"""The payments' periodic jobs (scheduled in ``sojourn.jobs.schedule``): each takes ``now`` and
``settings``, is safe to run twice, and returns how much it did."""

from __future__ import annotations

import datetime as dt
import logging

from sojourn.config import Settings
from sojourn.payments.ledger import check_ledger
from sojourn.payments.reconciliation import reconcile_yesterday
from sojourn.payments.refunds import pay_due_refunds
from sojourn.payments.repair import repair_open_payments

__all__ = ["check_ledger_balances", "pay_due_refunds", "reconcile_yesterday", "repair_open_payments"]

log = logging.getLogger(__name__)


async def check_ledger_balances(*, now: dt.datetime, settings: Settings) -> int:
    """Every booking with money: does it add up? Each one that does not is logged as an error."""
    found = await check_ledger(now=now)
    for imbalance in found:
        log.error("ledger: booking %s %s %s", imbalance.booking_id, imbalance.problem, imbalance.figures)
    return len(found)
