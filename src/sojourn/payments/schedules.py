"""Payment schedules and provincial prepayment caps: pure rules, no I/O.

A booking pays in full at booking, or a deposit at booking and the balance by a number of days
before arrival. The balance is due by the end of that day in the base's time zone; a booking made
on or after that day pays everything at once. Amounts always add up to the total, in fen.

Provinces may cap what is paid ahead (Ningxia: at most 6 months of fees; a deposit at most 12
times the monthly bed fee). A schedule or a tour's terms that break the cap of its province
cannot be saved: ``PrepaymentCapExceeded`` names the limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import arrow

from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours.pricing import DAYS_PER_MONTH


@dataclass(frozen=True)
class PaymentTerms:
    """A tour's terms. No ``balance_days_before``: everything at booking."""

    balance_days_before: int | None = None
    deposit_fen: int | None = None  # per traveller
    deposit_percent: int | None = None  # of the total

    @property
    def in_full(self) -> bool:
        return self.balance_days_before is None

    def deposit_for(self, total_fen: int, party_size: int) -> int:
        if self.deposit_fen is not None:
            return self.deposit_fen * party_size
        return max(total_fen * (self.deposit_percent or 0) // 100, 1)


FULL_AT_BOOKING = PaymentTerms()


@dataclass(frozen=True)
class PrepaymentLimits:
    """The caps of the province whose rules apply (``region`` names it in messages)."""

    region: str
    max_prepaid_months: int | None = None
    deposit_cap_months: int | None = None
    source: str = ""


NO_LIMITS = PrepaymentLimits(region="")


@dataclass(frozen=True)
class PlannedInstalment:
    seq: int
    kind: str  # full | deposit | balance
    amount_fen: int
    due_at: dt.datetime  # UTC


def balance_due_at(arrival: dt.date, days_before: int, time_zone: str) -> dt.datetime:
    """The end of the day ``days_before`` days before arrival at the base (the next midnight there), in UTC."""
    last_day = arrival - dt.timedelta(days=days_before)
    midnight = arrow.get(last_day + dt.timedelta(days=1), tzinfo=time_zone)
    return midnight.to("UTC").datetime


def plan_instalments(
    *,
    total_fen: int,
    party_size: int,
    arrival: dt.date,
    booked_at: dt.datetime,
    time_zone: str,
    terms: PaymentTerms,
) -> list[PlannedInstalment]:
    """What the booking owes and by when; the amounts add up to ``total_fen``."""
    if total_fen <= 0:
        return []
    if not terms.in_full:
        assert terms.balance_days_before is not None
        deposit = terms.deposit_for(total_fen, party_size)
        due = balance_due_at(arrival, terms.balance_days_before, time_zone)
        if deposit < total_fen and due > booked_at:
            return [
                PlannedInstalment(1, "deposit", deposit, booked_at),
                PlannedInstalment(2, "balance", total_fen - deposit, due),
            ]
    return [PlannedInstalment(1, "full", total_fen, booked_at)]


class PrepaymentCapExceeded(InvalidInput):
    code = "prepayment_cap_exceeded"


def monthly_fee_fen(*, monthly_price_fen: int | None, package_price_fen: int | None, nights: int) -> int:
    """The monthly bed fee per traveller: the monthly rate, or a package priced per 30 nights."""
    if monthly_price_fen is not None:
        return monthly_price_fen
    return ((package_price_fen or 0) * DAYS_PER_MONTH + nights // 2) // max(nights, 1)


def _prepaid_cap_error(limits: PrepaymentLimits, prepaid_fen: int, cap_fen: int) -> PrepaymentCapExceeded:
    message = _l(
        "%(region)s allows at most %(months)s months of fees to be paid before the stay "
        "(%(cap)s yuan here); this would take %(amount)s yuan. Choose a shorter stay.",
        region=limits.region,
        months=limits.max_prepaid_months,
        cap=_yuan(cap_fen),
        amount=_yuan(prepaid_fen),
    )
    return PrepaymentCapExceeded(
        message,
        field_errors={"max_nights": message},
        limit="max_prepaid_months",
        limit_value=limits.max_prepaid_months,
        cap_fen=cap_fen,
        amount_fen=prepaid_fen,
    )


def _deposit_cap_error(limits: PrepaymentLimits, deposit_fen: int, cap_fen: int) -> PrepaymentCapExceeded:
    message = _l(
        "%(region)s allows a deposit of at most %(months)s times the monthly bed fee "
        "(%(cap)s yuan here); this deposit is %(amount)s yuan. Ask for a smaller deposit.",
        region=limits.region,
        months=limits.deposit_cap_months,
        cap=_yuan(cap_fen),
        amount=_yuan(deposit_fen),
    )
    return PrepaymentCapExceeded(
        message,
        field_errors={"deposit": message},
        limit="deposit_cap_months",
        limit_value=limits.deposit_cap_months,
        cap_fen=cap_fen,
        amount_fen=deposit_fen,
    )


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def check_plan_within_limits(
    plan: list[PlannedInstalment], *, monthly_fee_fen: int, party_size: int, limits: PrepaymentLimits
) -> None:
    """Raise ``PrepaymentCapExceeded`` if the plan takes more ahead of the stay than the province allows.

    Every instalment of these schedules falls due before arrival, so all of it is prepaid.
    """
    prepaid = sum(step.amount_fen for step in plan)
    if limits.max_prepaid_months is not None:
        cap = limits.max_prepaid_months * monthly_fee_fen * party_size
        if prepaid > cap:
            raise _prepaid_cap_error(limits, prepaid, cap)
    if limits.deposit_cap_months is not None:
        cap = limits.deposit_cap_months * monthly_fee_fen * party_size
        for step in plan:
            if step.kind == "deposit" and step.amount_fen > cap:
                raise _deposit_cap_error(limits, step.amount_fen, cap)


def check_terms_within_limits(
    terms: PaymentTerms,
    *,
    longest_stay_price_fen: int,
    monthly_fee_fen: int,
    limits: PrepaymentLimits,
) -> None:
    """Terms of a tour are saved only if its longest stay, for one traveller, keeps within the caps."""
    if limits.max_prepaid_months is not None:
        cap = limits.max_prepaid_months * monthly_fee_fen
        if longest_stay_price_fen > cap:
            raise _prepaid_cap_error(limits, longest_stay_price_fen, cap)
    if limits.deposit_cap_months is not None and not terms.in_full:
        cap = limits.deposit_cap_months * monthly_fee_fen
        deposit = min(terms.deposit_for(longest_stay_price_fen, 1), longest_stay_price_fen)
        if deposit > cap:
            raise _deposit_cap_error(limits, deposit, cap)
