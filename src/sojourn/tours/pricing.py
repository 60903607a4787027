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


class RoomPriced(Protocol):
    """What pricing needs of a room type (``bookings.arrangement.RoomChoice``)."""

    @property
    def price_fen(self) -> int | None: ...
    @property
    def price_per(self) -> str: ...  # person | room
    @property
    def price_period(self) -> str: ...  # night | month


def rooms_price_fen(tour: Priced, room: RoomPriced, *, rooms: int, travellers: int, nights: int) -> int:
    """What ``rooms`` rooms of one type cost for ``travellers`` people over ``nights`` nights.

    A room type without a price of its own (a base's ``bed`` type) costs the tour's price per
    traveller, as before room types; otherwise its price replaces the tour's for the people in
    these rooms, per room or per person, per night or per month (rounded once on the whole stay).
    """
    if room.price_fen is None:
        return traveller_price_fen(tour, nights) * travellers
    if room.price_period == "month":
        unit = (room.price_fen * nights + DAYS_PER_MONTH // 2) // DAYS_PER_MONTH
    else:
        unit = room.price_fen * nights
    return unit * (rooms if room.price_per == "room" else travellers)
