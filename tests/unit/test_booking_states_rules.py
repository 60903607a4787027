"""Pure rules of the booking statuses (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from sojourn.bookings import states

NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def test_every_status_has_its_transitions_written_down():
    assert set(states.TRANSITIONS) == {status.value for status in states.BookingStatus}
    for targets in states.TRANSITIONS.values():
        assert set(targets) <= set(states.TRANSITIONS)


def test_terminal_statuses_lead_nowhere_but_an_undone_cancellation():
    for status in states.TERMINAL:
        expected = (states.CONFIRMED,) if status == states.CANCELLED else ()
        assert states.TRANSITIONS[status] == expected


def test_a_hold_is_live_until_its_expiry_and_shown_expired_from_then():
    later = NOW + dt.timedelta(minutes=1)
    assert states.is_live_hold(states.HELD, later, NOW)
    assert states.shown_status(states.HELD, later, NOW) == states.HELD
    assert not states.is_live_hold(states.HELD, NOW, NOW)
    assert states.has_run_out(states.HELD, NOW, NOW)
    assert states.shown_status(states.HELD, NOW, NOW) == states.EXPIRED
    assert not states.is_live_hold(states.CONFIRMED, later, NOW)


def test_status_lists_refuse_anything_but_statuses():
    assert states.sql_list(states.CANCELLABLE) == "('held', 'confirmed')"
    with pytest.raises(ValueError):
        states.sql_list(["held'; DROP TABLE booking; --"])


def test_a_bookings_status_follows_its_travellers_at_the_front_desk():
    follow = states.status_from_attendance
    assert follow(["expected", "expected"]) == states.CONFIRMED
    assert follow(["checked_in", "expected"]) == states.CHECKED_IN  # one is enough
    assert follow(["checked_in", "no_show"]) == states.CHECKED_IN
    assert follow(["checked_out", "expected"]) == states.CHECKED_IN  # the stay is still under way
    assert follow(["checked_out", "no_show"]) == states.CHECKED_OUT
    assert follow(["no_show", "expected"]) == states.CONFIRMED
    assert follow(["no_show", "no_show"]) == states.NO_SHOW  # only when nobody came
    for attendance, back in states.UNDO_ATTENDANCE.items():
        assert attendance in states.ATTENDANCE and back in states.ATTENDANCE
