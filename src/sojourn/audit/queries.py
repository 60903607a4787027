"""Reading the audit log (administrators only)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec

from sojourn import db
from sojourn.audit.rows import AuditEventRow
from sojourn.db import rows


class AuditEventOut(msgspec.Struct):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_role: str
    on_behalf_of_account_id: int | None
    action: str
    object_type: str
    object_id: int | None
    ip: str
    detail: dict[str, Any]


async def find_events(
    *,
    action: str | None = None,
    actor_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEventOut], int]:
    args: list[Any] = []
    clauses = ["TRUE"]
    for column, value in (
        ("action", action),
        ("actor_id", actor_id),
        ("object_type", object_type),
        ("object_id", object_id),
    ):
        if value is not None:
            args.append(value)
            clauses.append(f"{column} = ${len(args)}")
    if since is not None:
        args.append(since)
        clauses.append(f"at >= ${len(args)}")
    if until is not None:
        args.append(until)
        clauses.append(f"at < ${len(args)}")
    sql = (
        "SELECT *, count(*) OVER () AS total_count FROM audit_event WHERE "
        + " AND ".join(clauses)
        + f" ORDER BY at DESC, id DESC LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    async with db.connection() as conn:
        found = rows.rows(AuditEventRow, await conn.fetch(sql, *args))
    events = [
        AuditEventOut(
            id=row.id,
            at=row.at,
            actor_id=row.actor_id,
            actor_role=row.actor_role,
            on_behalf_of_account_id=row.on_behalf_of_account_id,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            ip=row.ip,
            detail=json.loads(row.detail) if isinstance(row.detail, str) else (row.detail or {}),
        )
        for row in found
    ]
    return events, (found[0].total_count if found else 0)
