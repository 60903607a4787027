"""The booking statuses' one home: the SQL fragments say what the Python predicates say."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from sojourn import db as sojourn_db
from sojourn.bookings import states

NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
EXPIRIES = [NOW - dt.timedelta(seconds=1), NOW, NOW + dt.timedelta(seconds=1)]


@pytest.mark.parametrize(
    ("sql", "python"),
    [
        (states.live_hold_sql, states.is_live_hold),
        (states.run_out_hold_sql, lambda s, e, n: s == states.HELD and states.has_run_out(s, e, n)),
        (states.has_run_out_sql, states.has_run_out),
        (
            states.active_sql,
            lambda s, e, n: s in (states.CONFIRMED, states.CHECKED_IN) or states.is_live_hold(s, e, n),
        ),
    ],
)
async def test_sql_fragment_agrees_with_python(migrated_database, sql, python):
    cases = list(itertools.product(states.TRANSITIONS, EXPIRIES))
    async with sojourn_db.connection() as conn:
        for status, expires in cases:
            answer = await conn.fetchval(
                f"SELECT {sql('k', '$3')} FROM (SELECT $1::text AS status, $2::timestamptz AS hold_expires_at) k",
                status,
                expires,
                NOW,
            )
            assert answer == python(status, expires, NOW), (status, expires)
