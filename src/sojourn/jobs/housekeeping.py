"""Housekeeping jobs that belong to no context's rules: forgetting old idempotency records."""

from __future__ import annotations

import datetime as dt

from sojourn import db
from sojourn.config import Settings

# A client retries a request within minutes or hours; a week covers a long outage too.
IDEMPOTENCY_RETENTION = dt.timedelta(days=7)
BATCH = 5000

DELETE_OLD_SQL = """
DELETE FROM idempotency_record WHERE id IN (
    SELECT id FROM idempotency_record WHERE created_at < $1 LIMIT $2
)
"""


async def delete_old_idempotency_records(now: dt.datetime, settings: Settings) -> int:
    """Delete records older than seven days, in batches (short locks); returns how many."""
    deleted = 0
    async with db.connection() as conn:
        while True:
            status = await conn.execute(DELETE_OLD_SQL, now - IDEMPOTENCY_RETENTION, BATCH)
            count = int(status.split()[-1])
            deleted += count
            if count < BATCH:
                return deleted
