"""Refund tiers: the share of the price given back for cancelling some days before arrival, the
undo window after confirming, and days counted at the base. Pure rules, no database."""

from __future__ import annotations

import datetime as dt
import json

import msgspec
import pytest

from sojourn.bookings.queries import UNDO_WINDOW, refund_if_cancelled
from sojourn.bookings.rows import BookingRow
from sojourn.tours.pricing import refund_fen, refund_percent

POLICY = [{"days_before": 30, "refund_percent": 100}, {"days_before": 7, "refund_percent": 50}]
UTC = dt.UTC


@pytest.mark.parametrize(
    ("days_before", "percent"),
    [(45, 100), (30, 100), (29, 50), (8, 50), (7, 50), (6, 0), (1, 0), (0, 0), (-3, 0)],
)
def test_the_tier_with_the_most_days_not_above_the_days_left_applies(days_before, percent):
    assert refund_percent(POLICY, days_before) == percent


def test_tiers_apply_in_any_order_and_no_tier_gives_nothing():
    assert refund_percent(list(reversed(POLICY)), 10) == 50
    assert refund_percent([], 100) == 0
    assert refund_percent([{"days_before": "14", "refund_percent": "80"}], 20) == 80  # as read from JSON forms


@pytest.mark.parametrize(("total", "percent", "refund"), [(250000, 50, 125000), (99999, 50, 49999), (1, 99, 0)])
def test_refunds_are_whole_fen_rounded_down(total, percent, refund):
    assert refund_fen(total, percent) == refund


def confirmed(arrival: dt.date, confirmed_at: dt.datetime, **changes) -> BookingRow:
    """A confirmed week for one at ¥2,500.00, as the booking queries read it."""
    row = BookingRow(
        id=1, reference="SJ-TEST", tour=1, base=1, account=1, booked_by=1, origin_member=None,
        status="confirmed", arrival=arrival, departure=arrival + dt.timedelta(days=7), nights=7,
        party_size=1, total_fen=250000, refund_fen=None, hold_expires_at=None, hold_extensions=0,
        created_at=confirmed_at, confirmed_at=confirmed_at, cancelled_at=None, title_zh="三亚七日",
        title_en="Seven days in Sanya", mode="vacation",
        cancellation_policy=json.dumps(POLICY),  # as asyncpg returns jsonb
        base_name_zh="三亚", base_name_en="Sanya", time_zone="Asia/Shanghai", traveller_list="[]",
        waitlist_entry_id=None,
    )  # fmt: skip
    return msgspec.structs.replace(row, **changes)


CONFIRMED_AT = dt.datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # noon in Shanghai


def test_within_the_undo_window_everything_comes_back_whatever_the_policy():
    row = confirmed(dt.date(2026, 12, 3), CONFIRMED_AT)
    assert refund_if_cancelled(row, CONFIRMED_AT + UNDO_WINDOW) == 250000
    assert refund_if_cancelled(row, CONFIRMED_AT + UNDO_WINDOW + dt.timedelta(seconds=1)) == 0


def test_days_before_arrival_are_counted_at_the_base():
    # 23:30 UTC on 1 January is already 2 January in Shanghai: 7 days left there, 8 in UTC.
    now = dt.datetime(2027, 1, 1, 23, 30, tzinfo=UTC)
    row = confirmed(dt.date(2027, 1, 9), CONFIRMED_AT)
    assert refund_if_cancelled(row, now) == 125000
    assert refund_if_cancelled(msgspec.structs.replace(row, arrival=dt.date(2027, 1, 8)), now) == 0
    assert (
        refund_if_cancelled(msgspec.structs.replace(row, time_zone="UTC", arrival=dt.date(2027, 1, 8)), now) == 125000
    )


@pytest.mark.parametrize("status", ["held", "cancelled", "checked_in", "checked_out", "no_show"])
def test_only_a_confirmed_booking_has_anything_to_give_back(status):
    assert refund_if_cancelled(confirmed(dt.date(2027, 3, 1), CONFIRMED_AT, status=status), CONFIRMED_AT) == 0
