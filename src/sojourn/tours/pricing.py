"""Prices and refunds: integer fen, no floating point anywhere."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

DAYS_PER_MONTH = 30  # a monthly rate is turned into nights at 1/30 of the month per night


def per_night_fen(monthly_price_fen: int) -> int:
    return (monthly_price_fen + DAYS_PER_MONTH // 2) // DAYS_PER_MONTH


class Priced(Protocol):
    """What pricing needs of a tour (a row, ``TourOut``, the demo's catalogue entries)."""

    @property
    def mode(self) -> str: ...
    @property
    def monthly_price_fen(self) -> int | None: ...
    @property
    def package_price_fen(self) -> int | None: ...


def traveller_price_fen(tour: Priced, nights: int) -> int:
    """What one traveller pays: migratory stays by the night from the monthly rate, others the package."""
    if tour.mode == "migratory":
        # Rounded once on the whole stay, so 30 nights cost exactly the monthly rate.
        assert tour.monthly_price_fen is not None  # a CHECK on tour: migratory tours have one
        return (tour.monthly_price_fen * nights + DAYS_PER_MONTH // 2) // DAYS_PER_MONTH
    assert tour.package_price_fen is not None  # the same CHECK: other tours have a package price
    return int(tour.package_price_fen)


def refund_percent(policy: Iterable[Mapping[str, Any]], days_before_arrival: int) -> int:
    """The refund share for cancelling ``days_before_arrival`` days before arrival.

    The policy is a list of tiers ``{"days_before": d, "refund_percent": p}``: the
    tier with the largest ``d`` not above the days left applies; none applies: 0.
    """
    best_days = -1
    percent = 0
    for tier in policy:
        days = int(tier["days_before"])
        if days <= days_before_arrival and days > best_days:
            best_days, percent = days, int(tier["refund_percent"])
    return percent


def refund_fen(total_fen: int, percent: int) -> int:
    return total_fen * percent // 100
