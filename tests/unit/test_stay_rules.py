"""Stay rules: which nights a booking asks for on each kind of tour, and the first rule a stay
breaks, named on its field. Pure rules over rows already read, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest

from sojourn.bookings.stays import Stay, stay_for, today_at
from sojourn.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class Tour:
    """What the stay rules read of a tour (stays.TourDates): any object with these fields."""

    mode: str
    starts_on: dt.date
    ends_on: dt.date
    min_nights: int | None = None
    max_nights: int | None = None


TODAY = dt.date(2026, 12, 1)
SEASON = Tour("migratory", dt.date(2027, 1, 10), dt.date(2027, 5, 10), min_nights=28, max_nights=90)
PACKAGE = Tour("vacation", dt.date(2027, 1, 20), dt.date(2027, 1, 27))


def day(offset: int) -> dt.date:
    return SEASON.starts_on + dt.timedelta(days=offset)


def test_a_fixed_date_tour_books_its_own_dates_whether_given_or_not():
    assert stay_for(PACKAGE, None, None, TODAY) == Stay(PACKAGE.starts_on, PACKAGE.ends_on)
    assert stay_for(PACKAGE, PACKAGE.starts_on, PACKAGE.ends_on, TODAY).nights == 7


def test_other_dates_on_a_fixed_date_tour_are_refused_on_the_arrival_field():
    with pytest.raises(InvalidInput) as refused:
        stay_for(PACKAGE, PACKAGE.starts_on + dt.timedelta(days=1), None, TODAY)
    assert set(refused.value.field_errors) == {"arrival"}


@pytest.mark.parametrize(
    "today", [PACKAGE.starts_on, PACKAGE.starts_on + dt.timedelta(days=2)], ids=["first day", "under way"]
)
def test_a_fixed_date_tour_that_has_started_cannot_be_booked(today):
    with pytest.raises(Conflict) as refused:
        stay_for(PACKAGE, None, None, today)
    assert refused.value.code == "tour_started"


def test_a_seasonal_stay_within_the_season_is_booked_as_asked():
    assert stay_for(SEASON, day(0), day(28), TODAY) == Stay(day(0), day(28))
    assert stay_for(SEASON, day(30), day(120), TODAY).nights == 90  # up to the season's last day


@pytest.mark.parametrize(
    ("arrival", "departure", "today", "field"),
    [
        (None, day(30), TODAY, "arrival"),
        (day(0), None, TODAY, "departure"),
        (day(5), day(5), TODAY, "departure"),
        (day(-1), day(28), TODAY, "arrival"),  # before the season
        (day(100), day(121), TODAY, "arrival"),  # past the season
        (day(0), day(28), day(0), "arrival"),  # arriving today is too late
        (day(0), day(27), TODAY, "departure"),  # 27 nights, 28 needed
        (day(0), day(91), TODAY, "departure"),  # 91 nights, 90 allowed
    ],
    ids=["no arrival", "no departure", "no nights", "before", "after", "today", "too short", "too long"],
)
def test_a_seasonal_stay_that_breaks_a_rule_names_the_field_to_change(arrival, departure, today, field):
    with pytest.raises(InvalidInput) as refused:
        stay_for(SEASON, arrival, departure, today)
    assert field in refused.value.field_errors, refused.value.field_errors


def test_without_limits_a_seasonal_stay_needs_one_night_and_no_more_than_the_season():
    open_season = replace(SEASON, min_nights=None, max_nights=None)
    assert stay_for(open_season, day(0), day(1), TODAY).nights == 1
    assert stay_for(open_season, day(0), day(120), TODAY).nights == 120


def test_today_is_the_date_at_the_base():
    late_evening_utc = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
    assert today_at("Asia/Shanghai", late_evening_utc) == dt.date(2026, 12, 2)
    assert today_at("Asia/Urumqi", late_evening_utc) == dt.date(2026, 12, 1)
