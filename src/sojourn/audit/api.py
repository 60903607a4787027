"""``GET /api/v1/admin/audit-events`` and the ``/audit`` page: the audit log, for administrators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import get
from litestar.params import Parameter
from litestar.response import Template

from sojourn.accounts.guards import admins
from sojourn.audit.queries import AuditEventOut, find_events
from sojourn.web.pagination import Page
from sojourn.web.params import Limit, Offset

Action = Annotated[str | None, Parameter(max_length=40, description="e.g. login_failed, declaration_read")]
ObjectType = Annotated[str | None, Parameter(max_length=30)]
Id = Annotated[int | None, Parameter(ge=1)]
Instant = Annotated[dt.datetime | None, Parameter(description="ISO 8601 with offset")]


@get("/api/v1/admin/audit-events", tags=["Administration"], summary="The audit log", guards=[admins])
async def list_audit_events(
    action: Action = None,
    actor_id: Id = None,
    object_type: ObjectType = None,
    object_id: Id = None,
    since: Instant = None,
    until: Instant = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AuditEventOut]:
    events, total = await find_events(
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return Page(items=events, total=total)


@get("/audit", include_in_schema=False, guards=[admins])
async def audit_page(action: Action = None, actor_id: Id = None, offset: Offset = 0) -> Template:
    events, total = await find_events(action=action, actor_id=actor_id, limit=100, offset=offset)
    return Template(
        "audit/list.html",
        context={
            "events": events,
            "total": total,
            "action": action or "",
            "actor_id": actor_id or "",
            "offset": offset,
        },
    )


ROUTES = [list_audit_events, audit_page]
