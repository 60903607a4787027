"""Writing notifications into the outbox, in the caller's transaction.

A message exists if and only if the event committed; ``dedupe_key`` makes a
repeated event (a retried job, a replayed request) produce no second message.
Delivery is a separate job.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg

ENQUEUE_SQL = """
INSERT INTO outbox_message (kind, account, payload, dedupe_key, deliver_after)
VALUES ($1, $2, $3::jsonb, $4, $5)
ON CONFLICT (dedupe_key) DO NOTHING
"""


async def enqueue(
    conn: asyncpg.Connection,
    kind: str,
    account_id: int,
    payload: dict[str, Any],
    *,
    dedupe_key: str,
    deliver_after: dt.datetime,
) -> None:
    """``deliver_after``: the caller's now (the clock's, not the database's), or later."""
    await conn.execute(
        ENQUEUE_SQL,
        kind,
        account_id,
        json.dumps(payload, ensure_ascii=False, default=str),
        dedupe_key[:120],
        deliver_after,
    )
