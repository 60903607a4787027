"""The audit log's rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class AuditEventRow(msgspec.Struct, frozen=True):
    """A row of ``audit_event``, with how many match the search (``queries.find_events``)."""

    id: int
    at: dt.datetime
    actor_id: int | None
    actor_role: str
    on_behalf_of_account_id: int | None
    action: str
    object_type: str
    object_id: int | None
    ip: str
    detail: Any  # JSON text or a mapping
    total_count: int = 0
