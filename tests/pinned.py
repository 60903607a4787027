"""The moment the test suite runs at, whatever the date: 2026-12-07 09:00 at the bases.

The ``clock`` fixture, the live server, the factories' default dates and the browser tests
all start from it, so no test depends on the day it runs. ``SOJOURN_TEST_NOW`` (an ISO
instant with its offset) runs the suite as of another moment, to show exactly that:
``SOJOURN_TEST_NOW=2028-02-29T23:30+08:00 scripts/test tests/...``.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")  # every test base's time zone
PINNED_NOW = dt.datetime.fromisoformat(os.environ.get("SOJOURN_TEST_NOW") or "2026-12-07T09:00:00+08:00")
if PINNED_NOW.tzinfo is None:
    raise ValueError("SOJOURN_TEST_NOW needs its UTC offset, like 2026-12-07T09:00+08:00")
PINNED_NOW = PINNED_NOW.astimezone(dt.UTC)
PINNED_TODAY = PINNED_NOW.astimezone(SHANGHAI).date()  # today at the bases
