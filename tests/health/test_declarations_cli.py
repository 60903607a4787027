"""`sojourn declarations purge`: the retention purge run by hand, as a real command."""

import datetime as dt
import os
import subprocess
import sys

from tests import factories
from tests.health_helpers import START, book, declaration_body, fetch, seed_default_rules
from tests.pinned import PINNED_NOW


def purge(retention_days: int) -> str:
    env = {
        **os.environ,
        "SOJOURN_DECLARATION_RETENTION_DAYS": str(retention_days),
        "SOJOURN_CLOCK_START": PINNED_NOW.isoformat(),  # the command's clock is pinned like the tests'
    }
    done = subprocess.run(
        [sys.executable, "-m", "sojourn", "declarations", "purge"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_the_purge_command_shreds_what_is_past_retention_and_nothing_else(client, clock):
    clock.set(PINNED_NOW)
    await seed_default_rules()
    world = await factories.small_world(start=START, beds=10)
    cancelled = await book(client, world, "13800000002", arrival_offset=40)
    await client.put(cancelled.path, json=declaration_body(), headers=cancelled.booker.headers)
    assert (
        await client.post(f"/api/v1/bookings/{cancelled.booking_id}/cancel", headers=cancelled.booker.headers)
    ).status_code == 200
    kept = await book(client, world, "13800000004", arrival_offset=60)
    await client.put(kept.path, json=declaration_body(), headers=kept.booker.headers)
    # The command's clock starts at PINNED_NOW too: the cancellation happened ten days before.
    ten_days_ago = PINNED_NOW - dt.timedelta(days=10)
    await fetch("UPDATE booking SET cancelled_at = $2 WHERE id = $1", cancelled.booking_id, ten_days_ago)
    before = {row["booking"]: row for row in await fetch("SELECT * FROM health_declaration")}

    assert purge(retention_days=30).startswith("0 declarations shredded")
    assert purge(retention_days=7).startswith("1 declarations shredded")
    assert purge(retention_days=7).startswith("0 declarations shredded")

    after = {row["booking"]: row for row in await fetch("SELECT * FROM health_declaration")}
    assert after[kept.booking_id] == before[kept.booking_id]
    gone = after[cancelled.booking_id]
    assert (
        gone["status"] == "shredded"
        and gone["content_cipher"] is None
        and before[cancelled.booking_id]["content_cipher"]
    )
