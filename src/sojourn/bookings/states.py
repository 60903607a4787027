"""Booking statuses: the one place that says what each status means for beds, cancelling and the
front desk, which changes are allowed, and when a hold is "live".

SQL and Python both ask here. The SQL fragments below are built once, at import, from the same
tuples the Python checks use, so a status list is written down exactly once. A hold is *live*
while ``now < hold_expires_at``; once that passes it has *run out*, whether or not its beds were
released yet (the release happens under the base's lock before any decision, see
``bookings.calendar``), and it is shown as ``expired``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum

import arrow


class BookingStatus(str, Enum):  # noqa: UP042 - a str Enum, as the Piccolo column and its migrations know it
    held = "held"  # counts against capacity until hold_expires_at
    confirmed = "confirmed"
    checked_in = "checked_in"
    checked_out = "checked_out"
    no_show = "no_show"
    cancelled = "cancelled"
    expired = "expired"


HELD = BookingStatus.held.value
CONFIRMED = BookingStatus.confirmed.value
CHECKED_IN = BookingStatus.checked_in.value
CHECKED_OUT = BookingStatus.checked_out.value
NO_SHOW = BookingStatus.no_show.value
CANCELLED = BookingStatus.cancelled.value
EXPIRED = BookingStatus.expired.value

# Statuses whose beds count in ``capacity_night.taken``. Beds are given back only by
# cancelling and by expiry; a stay that happened (checked out, no-show) keeps its nights.
# A hold that ran out still counts in ``taken`` until it is released, but never blocks anyone.
STATUSES_HOLDING_BEDS = (HELD, CONFIRMED, CHECKED_IN, CHECKED_OUT, NO_SHOW)
# What the booker can still cancel (a hold only while it is live).
CANCELLABLE = (HELD, CONFIRMED)
# Sold: the stay was confirmed, whatever happened at the front desk afterwards (manifests, statistics).
SOLD = (CONFIRMED, CHECKED_IN, CHECKED_OUT, NO_SHOW)
# Stays that go ahead (a confirmed stay not called off or missed), and those that did not happen.
GOING_AHEAD = (CONFIRMED, CHECKED_IN, CHECKED_OUT)
DID_NOT_HAPPEN = (EXPIRED, CANCELLED, NO_SHOW)
# The front desk: expected on the arrival day (whether they came or not), and those who came.
DUE_TO_ARRIVE = (CONFIRMED, CHECKED_IN, NO_SHOW)
ARRIVED = (CHECKED_IN, CHECKED_OUT)
# Nothing more happens to these.
TERMINAL = (CHECKED_OUT, NO_SHOW, CANCELLED, EXPIRED)

# The changes the engine makes. Cancelling can be undone for a short while (``UNDO_WINDOW``).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    HELD: (CONFIRMED, CANCELLED, EXPIRED),
    CONFIRMED: (CHECKED_IN, NO_SHOW, CANCELLED),
    CHECKED_IN: (CHECKED_OUT,),
    CANCELLED: (CONFIRMED,),
    CHECKED_OUT: (),
    NO_SHOW: (),
    EXPIRED: (),
}


def may_become(status: str, new_status: str) -> bool:
    return new_status in TRANSITIONS.get(status, ())


def is_live_hold(status: str, hold_expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    return status == HELD and hold_expires_at is not None and now < hold_expires_at


def has_run_out(status: str, hold_expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    """An expired hold, whether or not its beds were released yet."""
    return status == EXPIRED or (status == HELD and not is_live_hold(status, hold_expires_at, now))


def shown_status(status: str, hold_expires_at: dt.datetime | None, now: dt.datetime) -> str:
    """The status as people see it: a hold that ran out is ``expired`` before the sweep marks it."""
    return EXPIRED if status == HELD and has_run_out(status, hold_expires_at, now) else status


def stay_over_at(departure: dt.date, time_zone: str) -> dt.datetime:
    """The instant the departure day begins at the base (in its time zone): from then on the stay
    counts as ended, and it can no longer be cancelled."""
    return arrow.get(departure, tzinfo=time_zone).to("utc").datetime


def cancel_deadline(
    status: str, hold_expires_at: dt.datetime | None, departure: dt.date, time_zone: str
) -> dt.datetime | None:
    """Until when the booker can cancel (exclusive), or None when this status cannot be cancelled:
    a hold until it runs out, a confirmed stay until its departure day begins at the base."""
    if status not in CANCELLABLE:
        return None
    over = stay_over_at(departure, time_zone)
    if status == HELD and hold_expires_at is not None:
        return min(over, hold_expires_at)
    return over


# --- the front desk, traveller by traveller ---------------------------------------------------------

# Each traveller on a sold booking is expected until the front desk checks them in (from the
# arrival day), marks them as not come (once the arrival day is over), and checks them out. A
# step taken by mistake can be undone on the same day at the base (``UNDO_ATTENDANCE``). None of
# this changes beds: every sold status holds its nights.
EXPECTED = "expected"
ATTENDANCE = (EXPECTED, CHECKED_IN, CHECKED_OUT, NO_SHOW)
# step -> (the attendance it starts from, the attendance it leads to)
ATTENDANCE_STEPS: dict[str, tuple[str, str]] = {
    "check_in": (EXPECTED, CHECKED_IN),
    "check_out": (CHECKED_IN, CHECKED_OUT),
    "no_show": (EXPECTED, NO_SHOW),
}
# Undoing a traveller's last step: where it goes back to.
UNDO_ATTENDANCE = {CHECKED_IN: EXPECTED, CHECKED_OUT: CHECKED_IN, NO_SHOW: EXPECTED}


def status_from_attendance(attendance: Iterable[str]) -> str:
    """A sold booking's status from its travellers': checked in while anyone is in (or someone
    left while another is still expected), no-show when nobody came, checked out when everyone
    who came has left, confirmed while everyone is still expected."""
    people = list(attendance)
    if CHECKED_IN in people or (CHECKED_OUT in people and EXPECTED in people):
        return CHECKED_IN
    if people and all(person == NO_SHOW for person in people):
        return NO_SHOW
    if CHECKED_OUT in people:
        return CHECKED_OUT
    return CONFIRMED


# --- the same rules as SQL ------------------------------------------------------------------------


def sql_list(statuses: Iterable[str]) -> str:
    """``('held', 'confirmed')``: statuses are our own constants, never input."""
    values = list(statuses)
    if not values or not all(value in TRANSITIONS for value in values):
        raise ValueError(f"not booking statuses: {values!r}")
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def live_hold_sql(alias: str, now: str) -> str:
    """SQL for "a live hold" on booking ``alias`` at the instant ``now`` (a placeholder such as ``$2``)."""
    return f"({alias}.status = '{HELD}' AND {alias}.hold_expires_at > {now})"


def run_out_hold_sql(alias: str, now: str) -> str:
    """SQL for "a hold that ran out but is still marked held" (its beds not yet released)."""
    return f"({alias}.status = '{HELD}' AND {alias}.hold_expires_at <= {now})"


def payment_in_flight_sql(alias: str, now: str) -> str:
    """SQL for "a payment of booking ``alias`` is open at its provider" (her phone shows 支付中)."""
    return (
        f"EXISTS (SELECT 1 FROM payment p WHERE p.booking = {alias}.id AND p.status IN ('creating', 'pending')"
        f" AND p.expires_at > {now})"
    )


def releasable_hold_sql(alias: str, now: str) -> str:
    """SQL for "a hold that ran out and whose beds go back now": not while a payment of it is in flight
    (the hold stays until the payment succeeds or runs out; the money confirms it)."""
    return f"({run_out_hold_sql(alias, now)} AND NOT {payment_in_flight_sql(alias, now)})"


def has_run_out_sql(alias: str, now: str) -> str:
    return f"({alias}.status = '{EXPIRED}' OR {run_out_hold_sql(alias, now)})"


def active_sql(alias: str, now: str) -> str:
    """SQL for "still going to happen or happening": confirmed, checked in, or a live hold."""
    return f"({alias}.status IN {sql_list((CONFIRMED, CHECKED_IN))} OR {live_hold_sql(alias, now)})"


def status_in_sql(alias: str, statuses: Iterable[str]) -> str:
    return f"{alias}.status IN {sql_list(statuses)}"
