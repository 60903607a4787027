"""Payment schedules, provincial caps and the refund schedule: pure rules, checked with Hypothesis
against plain restatements of the rules (no database)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sojourn.i18n import using_locale
from sojourn.payments.refund_schedule import refund_due, refund_windows
from sojourn.payments.schedules import (
    PaymentTerms,
    PrepaymentCapExceeded,
    PrepaymentLimits,
    check_plan_within_limits,
    check_terms_within_limits,
    monthly_fee_fen,
    plan_instalments,
)
from sojourn.tours.pricing import refund_fen, refund_percent, traveller_price_fen

ZONES = ["Asia/Shanghai", "Asia/Urumqi", "UTC", "America/Los_Angeles"]
BASE_DAY = dt.date(2027, 1, 1)

terms_strategy = st.one_of(
    st.just(PaymentTerms()),
    st.builds(
        PaymentTerms,
        balance_days_before=st.integers(1, 120),
        deposit_fen=st.integers(1, 2_000_000),
    ),
    st.builds(
        PaymentTerms,
        balance_days_before=st.integers(1, 120),
        deposit_percent=st.integers(1, 99),
    ),
)


@st.composite
def bookings(draw):
    zone = draw(st.sampled_from(ZONES))
    booked_day = BASE_DAY + dt.timedelta(days=draw(st.integers(0, 300)))
    booked_at = dt.datetime.combine(booked_day, dt.time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
    booked_at = booked_at.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
    arrival = booked_day + dt.timedelta(days=draw(st.integers(1, 200)))
    return {
        "total_fen": draw(st.integers(1, 50_000_000)),
        "party_size": draw(st.integers(1, 6)),
        "arrival": arrival,
        "booked_at": booked_at,
        "time_zone": zone,
        "terms": draw(terms_strategy),
    }


@hypothesis_settings(max_examples=400, deadline=None)
@given(bookings())
def test_a_schedule_adds_up_to_the_total_and_falls_due_in_the_bases_time_zone(booking):
    plan = plan_instalments(**booking)
    terms, zone = booking["terms"], ZoneInfo(booking["time_zone"])
    assert sum(step.amount_fen for step in plan) == booking["total_fen"]
    assert all(step.amount_fen > 0 for step in plan)
    assert [step.seq for step in plan] == list(range(1, len(plan) + 1))
    assert plan[0].due_at == booking["booked_at"]  # the first amount is what confirms: due now
    if [step.kind for step in plan] == ["full"]:
        # Full at booking: by the terms, or because a deposit would be everything, or the balance day has come.
        if not terms.in_full:
            deposit = terms.deposit_for(booking["total_fen"], booking["party_size"])
            balance_day = booking["arrival"] - dt.timedelta(days=terms.balance_days_before)
            booked_day = booking["booked_at"].astimezone(zone).date()
            assert deposit >= booking["total_fen"] or booked_day >= balance_day
        return
    assert [step.kind for step in plan] == ["deposit", "balance"]
    deposit, balance = plan
    if terms.deposit_fen is not None:
        assert deposit.amount_fen == terms.deposit_fen * booking["party_size"]
    else:
        assert deposit.amount_fen == max(booking["total_fen"] * terms.deposit_percent // 100, 1)
    # Due by the end of the day "balance_days_before" days before arrival, at the base.
    local = balance.due_at.astimezone(zone)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert local.date() == booking["arrival"] - dt.timedelta(days=terms.balance_days_before - 1)
    assert balance.due_at > booking["booked_at"]


def test_a_balance_falls_due_at_midnight_in_shanghai_not_utc():
    plan = plan_instalments(
        total_fen=600_000,
        party_size=1,
        arrival=dt.date(2027, 3, 1),
        booked_at=dt.datetime(2027, 1, 5, 2, tzinfo=dt.UTC),
        time_zone="Asia/Shanghai",
        terms=PaymentTerms(balance_days_before=30, deposit_percent=20),
    )
    assert [(s.kind, s.amount_fen) for s in plan] == [("deposit", 120_000), ("balance", 480_000)]
    # Due by the end of 30 January in Shanghai: 16:00 UTC that day.
    assert plan[1].due_at == dt.datetime(2027, 1, 30, 16, tzinfo=dt.UTC)


NINGXIA = PrepaymentLimits(region="宁夏", max_prepaid_months=6, deposit_cap_months=12)


@hypothesis_settings(max_examples=400, deadline=None)
@given(
    bookings(),
    st.integers(10_000, 1_000_000),
    st.one_of(st.none(), st.integers(1, 12)),
    st.one_of(st.none(), st.integers(1, 24)),
)
def test_a_schedule_is_refused_exactly_when_it_breaks_a_cap_and_the_error_names_the_limit(
    booking, monthly_fee, max_months, deposit_months
):
    limits = PrepaymentLimits(region="宁夏", max_prepaid_months=max_months, deposit_cap_months=deposit_months)
    plan = plan_instalments(**booking)
    party = booking["party_size"]
    over_prepaid = max_months is not None and booking["total_fen"] > max_months * monthly_fee * party
    over_deposit = deposit_months is not None and any(
        s.kind == "deposit" and s.amount_fen > deposit_months * monthly_fee * party for s in plan
    )
    try:
        check_plan_within_limits(plan, monthly_fee_fen=monthly_fee, party_size=party, limits=limits)
    except PrepaymentCapExceeded as error:
        assert over_prepaid or over_deposit
        expected = "max_prepaid_months" if over_prepaid else "deposit_cap_months"
        assert error.extra["limit"] == expected
        assert error.extra["limit_value"] == (max_months if over_prepaid else deposit_months)
        assert error.extra["amount_fen"] > error.extra["cap_fen"]
        with using_locale("en"):
            assert "宁夏" in str(error.message) and str(error.extra["limit_value"]) in str(error.message)
    else:
        assert not over_prepaid and not over_deposit


def test_ningxia_refuses_seven_months_paid_ahead_and_accepts_six():
    tour = SimpleNamespace(mode="migratory", monthly_price_fen=300_000, package_price_fen=None)  # pricing.Priced
    fee = monthly_fee_fen(monthly_price_fen=300_000, package_price_fen=None, nights=180)
    six = traveller_price_fen(tour, 180)
    check_terms_within_limits(PaymentTerms(), longest_stay_price_fen=six, monthly_fee_fen=fee, limits=NINGXIA)
    with pytest.raises(PrepaymentCapExceeded) as refused:
        check_terms_within_limits(
            PaymentTerms(), longest_stay_price_fen=traveller_price_fen(tour, 181), monthly_fee_fen=fee, limits=NINGXIA
        )
    assert refused.value.extra["limit"] == "max_prepaid_months"
    with using_locale("zh_CN"):
        assert "宁夏" in str(refused.value.message) and "6" in str(refused.value.message)


def test_a_deposit_above_twelve_monthly_fees_is_refused_with_the_deposit_limit():
    strict = PrepaymentLimits(region="宁夏", deposit_cap_months=1)
    terms = PaymentTerms(balance_days_before=30, deposit_fen=300_001)
    with pytest.raises(PrepaymentCapExceeded) as refused:
        check_terms_within_limits(terms, longest_stay_price_fen=900_000, monthly_fee_fen=300_000, limits=strict)
    assert refused.value.extra["limit"] == "deposit_cap_months"
    assert "deposit" in refused.value.field_errors
    check_terms_within_limits(
        PaymentTerms(balance_days_before=30, deposit_fen=300_000),
        longest_stay_price_fen=900_000,
        monthly_fee_fen=300_000,
        limits=strict,
    )


policies = st.lists(
    st.fixed_dictionaries({"days_before": st.integers(0, 90), "refund_percent": st.integers(0, 100)}),
    max_size=4,
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(
    policies,
    st.integers(1, 10_000_000),
    st.integers(0, 100),
    st.integers(0, 120),
    st.integers(1, 60),
)
def test_the_refund_schedule_gives_for_every_day_what_cancelling_that_day_gives(
    policy, total, paid_percent, days_to_arrival, nights
):
    today = dt.date(2027, 2, 1)
    arrival = today + dt.timedelta(days=days_to_arrival)
    departure = arrival + dt.timedelta(days=nights)
    paid = total * paid_percent // 100
    windows = refund_windows(policy, total_fen=total, paid_fen=paid, arrival=arrival, departure=departure, today=today)
    assert windows[0].first_day == today and windows[-1].last_day == departure - dt.timedelta(days=1)
    for before, after in itertools.pairwise(windows):
        assert after.first_day == before.last_day + dt.timedelta(days=1)
        assert after.refund_percent != before.refund_percent  # stretches are as long as they can be
    for window in windows:
        day = window.first_day
        while day <= window.last_day:
            percent = refund_percent(policy, (arrival - day).days)
            assert window.refund_percent == percent, day
            day += dt.timedelta(days=1)
        assert window.refund_fen == refund_due(total_fen=total, paid_fen=paid, percent=window.refund_percent)
        assert 0 <= window.refund_fen <= paid


def test_a_fully_paid_booking_gets_back_what_the_tours_pricing_says():
    policy = [{"days_before": 30, "refund_percent": 100}, {"days_before": 7, "refund_percent": 50}]
    today, arrival = dt.date(2027, 1, 1), dt.date(2027, 2, 15)
    windows = refund_windows(
        policy,
        total_fen=333_333,
        paid_fen=333_333,
        arrival=arrival,
        departure=arrival + dt.timedelta(days=7),
        today=today,
    )
    assert [(w.first_day.isoformat(), w.last_day.isoformat(), w.refund_fen) for w in windows] == [
        ("2027-01-01", "2027-01-16", 333_333),
        ("2027-01-17", "2027-02-08", refund_fen(333_333, 50)),
        ("2027-02-09", "2027-02-21", 0),
    ]
    # With only a deposit paid, the base keeps at most what it would keep of the total.
    assert refund_due(total_fen=333_333, paid_fen=200_000, percent=50) == 200_000 - (333_333 - refund_fen(333_333, 50))
    assert refund_due(total_fen=333_333, paid_fen=100_000, percent=50) == 0
    assert refund_due(total_fen=333_333, paid_fen=100_000, percent=100) == 100_000
