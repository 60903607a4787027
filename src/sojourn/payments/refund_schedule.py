"""The refund schedule as data: for each stretch of days, what cancelling then gives back.

Shown to the senior before she pays and printed on the receipt, so that nobody has to trust a
promise: "cancel by 1 March: ¥3,000.00 back; 2–24 March: ¥1,500.00; from 25 March: nothing".
It follows ``sojourn.tours.pricing`` exactly (days before arrival counted in the base's time
zone; the tier with the most days not above the days left applies). Pure, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sojourn.tours.pricing import refund_fen, refund_percent


@dataclass(frozen=True)
class RefundWindow:
    first_day: dt.date  # cancelling on any day from first_day to last_day (base's dates) ...
    last_day: dt.date
    refund_percent: int  # ... gives back this share of the total ...
    refund_fen: int  # ... which is this much of what was paid


def kept_on_cancellation(total_fen: int, percent: int) -> int:
    """What the base keeps of a fully paid booking cancelled at ``percent`` refund."""
    return total_fen - refund_fen(total_fen, percent)


def refund_due(*, total_fen: int, paid_fen: int, percent: int) -> int:
    """What goes back when ``paid_fen`` of ``total_fen`` was paid: all that was paid above what the base keeps."""
    return max(paid_fen - kept_on_cancellation(total_fen, percent), 0)


def refund_windows(
    policy: Iterable[Mapping[str, Any]],
    *,
    total_fen: int,
    paid_fen: int,
    arrival: dt.date,
    departure: dt.date,
    today: dt.date,
) -> list[RefundWindow]:
    """Every day from ``today`` to the last night, grouped into stretches with the same refund."""
    tiers = list(policy)
    last_night = departure - dt.timedelta(days=1)
    windows: list[RefundWindow] = []
    day = today
    while day <= last_night:
        percent = refund_percent(tiers, (arrival - day).days)
        end = _last_day_with_same_tier(tiers, arrival, day, last_night)
        amount = refund_due(total_fen=total_fen, paid_fen=paid_fen, percent=percent)
        if windows and windows[-1].refund_percent == percent:
            windows[-1] = RefundWindow(windows[-1].first_day, end, percent, amount)
        else:
            windows.append(RefundWindow(day, end, percent, amount))
        day = end + dt.timedelta(days=1)
    return windows


def _last_day_with_same_tier(
    tiers: list[Mapping[str, Any]], arrival: dt.date, day: dt.date, last_night: dt.date
) -> dt.date:
    """The tier changes only on the day after a tier's own boundary (arrival − days_before)."""
    boundaries = sorted(
        arrival - dt.timedelta(days=int(tier["days_before"]))
        for tier in tiers
        if arrival - dt.timedelta(days=int(tier["days_before"])) >= day
    )
    # Cancelling on ``arrival − d`` leaves exactly d days: tier d still applies that day, not after.
    return min([b for b in boundaries if b >= day] + [last_night])
