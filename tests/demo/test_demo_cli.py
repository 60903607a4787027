"""The demo's commands and the clock's start instant: a failed seed is one sentence, the clock
setting is refused when unreadable and otherwise starts the clock there."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from sojourn.clock import Clock
from sojourn.config import ConfigError, load_settings
from tests.pinned import PINNED_NOW, PINNED_TODAY


def test_a_failed_demo_seed_is_one_sentence_that_says_what_to_do_and_exits_non_zero(tmp_path):
    # A database without Sojourn's tables (the schema searched holds none): the migrations were not run.
    url = os.environ["SOJOURN_DATABASE_URL"]
    empty = url + ("&" if "?" in url else "?") + "search_path=no_sojourn_here"
    env = {
        **os.environ,
        "SOJOURN_DATABASE_URL": empty,
        "SOJOURN_DATA_DIR": str(tmp_path),
        "SOJOURN_CLOCK_START": PINNED_NOW.isoformat(),
    }
    done = subprocess.run(
        [sys.executable, "-m", "sojourn", "db", "seed", "--demo"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"Error: Could not add the demo data for {PINNED_TODAY} (")
    assert "To start over: empty that database" in line and "sojourn demo --no-seed" in line


def test_the_clock_start_setting_is_refused_when_it_cannot_be_read():
    for wrong in ("tomorrow", "2026-13-01T09:00+08:00", "2026-12-07T09:00"):
        with pytest.raises(ConfigError, match="SOJOURN_CLOCK_START"):
            load_settings({"SOJOURN_CLOCK_START": wrong})


def test_the_clock_starts_at_the_instant_and_time_flows_on():
    settings = load_settings({"SOJOURN_CLOCK_START": "2028-02-29T23:30:00+08:00"})
    start = dt.datetime(2028, 2, 29, 15, 30, tzinfo=dt.UTC)
    assert settings.clock_start == start
    clock = Clock(settings.clock_start)
    first = clock.now()
    assert dt.timedelta(0) <= first - start < dt.timedelta(seconds=5)
    assert clock.today_in("Asia/Shanghai") == dt.date(2028, 2, 29)
    assert clock.now() >= first
    assert load_settings({}).clock_start is None
