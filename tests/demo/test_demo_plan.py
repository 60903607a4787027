"""The demo planned for every day of 2027 and 2028 (a leap year), without a database.

For each day, ``plan_demo`` lays out the whole demo and ``plan_rules`` checks it against the
booking engine's rules and the features a newcomer must find. The checker shares no
bookkeeping with the planner, so a planning mistake shows up here. Shown by a deliberate
break: with the planner counting beds per tour instead of per base (the bug of issue 13,
patched into ``Allocator`` for the try), the sweep reported overfilled bases on 23 of 105
days sampled weekly, e.g. for 2027-07-09 "arxan-hot-spring on 2026-09-08: 95 travellers,
90 beds" (its season stay and its autumn package share the beds). The tests at the end break
a plan on purpose and see the checker say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from sojourn.demo.plan import at, plan_demo
from sojourn.demo.plan_rules import missing_features, problems

FIRST_DAY, LAST_DAY = dt.date(2027, 1, 1), dt.date(2028, 12, 31)
MONTHS = [(year, month) for year in (2027, 2028) for month in range(1, 13)]


def _days(year: int, month: int) -> list[dt.date]:
    day, days = dt.date(year, month, 1), []
    while day.month == month:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


@pytest.mark.parametrize(("year", "month"), MONTHS, ids=[f"{y}-{m:02d}" for y, m in MONTHS])
def test_the_demo_keeps_every_rule_and_shows_every_feature_on_each_day(year, month):
    broken = {}
    for today in _days(year, month):
        plan = plan_demo(today)
        found = problems(plan) + [f"missing: {feature}" for feature in missing_features(plan)]
        if found:
            broken[today] = found[:3]
    assert broken == {}


def test_the_sweep_covers_two_whole_years_with_a_leap_day():
    days = [day for year, month in MONTHS for day in _days(year, month)]
    assert days[0] == FIRST_DAY and days[-1] == LAST_DAY and len(days) == 731
    assert dt.date(2028, 2, 29) in days


PLANNED_ON = dt.date(2027, 3, 1)


def test_the_checker_catches_a_base_overfilled_by_stays_on_two_tours():
    plan = plan_demo(PLANNED_ON)
    stay = next(s for s in plan.stays if s.purpose == "arrives_today")
    other = next(
        t for t in plan.tours.values()
        if t.base_slug == plan.tours[stay.tour].base_slug and t.slug != stay.tour and t.mode == "migratory"
        and t.starts_on <= stay.arrival and stay.departure <= t.ends_on
    )  # fmt: skip
    # Copies of one stay, half of them on the base's other tour: each tour alone would have room.
    plan.stays += [replace(stay, tour=other.slug if n % 2 else stay.tour, household="history000", people=("history000.0",))
                   for n in range(200)]  # fmt: skip
    found = problems(plan)
    assert any(f"{plan.desk_base} on {stay.arrival}:" in problem and "beds" in problem for problem in found)


def test_the_checker_catches_stays_outside_the_tours_rules():
    plan = plan_demo(PLANNED_ON)
    upcoming = next(s for s in plan.stays if s.purpose == "senior_upcoming")
    tour = plan.tours[upcoming.tour]
    too_long = replace(upcoming, departure=upcoming.arrival + dt.timedelta(days=(tour.max_nights or 400) + 1))
    late_declaration = next(s for s in plan.stays if s.declarations and s.by_engine)
    declaration = replace(late_declaration.declarations[0], submitted_at=at(late_declaration.arrival, 9))
    plan.stays = [
        too_long if s is upcoming else replace(s, declarations=(declaration,)) if s is late_declaration else s
        for s in plan.stays
    ]
    found = "\n".join(problems(plan))
    assert "nights, the tour allows" in found or "outside the season window" in found
    assert "declaration sent on" in found


def test_the_checker_catches_a_traveller_on_two_stays_at_once_and_a_missing_feature():
    plan = plan_demo(PLANNED_ON)
    arriving = [s for s in plan.stays if s.purpose == "arrives_today"]
    leaving = next(s for s in plan.stays if s.purpose == "leaves_today")
    plan.stays = [s for s in plan.stays if s.purpose != "arrives_today"]
    plan.stays.append(replace(arriving[0], household=leaving.household, people=leaving.people[:1],
                              arrival=leaving.departure - dt.timedelta(days=1)))  # fmt: skip
    assert any("is on two stays at once" in problem for problem in problems(plan))
    assert "arrivals today at the desk base" in missing_features(plan)
