"""Recording sensitive actions. Written on the caller's connection, so an action and its
audit entry commit (or roll back) together."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts.principal import Principal

INSERT_SQL = """
INSERT INTO audit_event (at, actor_id, actor_role, on_behalf_of_account_id, action, object_type, object_id, ip, detail)
VALUES (coalesce($1, now()), $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
"""


async def record(
    action: str,
    *,
    actor: Principal | None = None,
    actor_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    on_behalf_of: int | None = None,
    ip: str = "",
    detail: dict[str, Any] | None = None,
    conn: asyncpg.Connection | None = None,
    at: Any = None,
) -> None:
    args = (
        at,
        actor.account_id if actor else actor_id,
        actor.role.value if actor else "",
        on_behalf_of,
        action,
        object_type,
        object_id,
        ip[:45],
        json.dumps(detail or {}, ensure_ascii=False, default=str),
    )
    if conn is not None:
        await conn.execute(INSERT_SQL, *args)
        return
    async with db.connection() as own:
        await own.execute(INSERT_SQL, *args)
