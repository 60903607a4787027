"""Every change made through Piccolo Admin is audited like any other sensitive action.

The console's writes are the non-GET calls to its table API (``/api/tables/<table>/...``,
the user and session tables included) and to its forms. Each that succeeds (2xx) gets an
``admin_console_write`` audit entry naming the administrator, the table, the row and the
fields sent (their names, never their values: a value may be personal data). A refused or
failed write changed nothing and is not recorded as a change.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit

_TABLE_ROW = re.compile(r"^/api/tables/(?P<table>[a-z0-9_]+)/(?:(?P<row>\d+)/)?")
MAX_BODY = 1024 * 1024


def _fields(body: bytes) -> list[str]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return []
    return sorted(data) if isinstance(data, dict) else []


def _created_id(body: bytes) -> int | None:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return None
    row = data[0] if isinstance(data, list) and data else data
    value = row.get("id") if isinstance(row, dict) else None
    return value if isinstance(value, int) else None


async def audited(app: Any, principal: Principal, scope: Any, receive: Any, send: Any, *, ip: str = "") -> None:
    """Run the console's ``app``; record the write if it is one and it succeeded."""
    method = scope.get("method", "GET")
    if scope.get("type") != "http" or method in ("GET", "HEAD", "OPTIONS"):
        await app(scope, receive, send)
        return
    request_body = bytearray()
    response_body = bytearray()
    status = 0

    async def receive_and_keep() -> Any:
        message = await receive()
        if message["type"] == "http.request" and len(request_body) < MAX_BODY:
            request_body.extend(message.get("body", b""))
        return message

    async def send_and_watch(message: Any) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and len(response_body) < MAX_BODY:
            response_body.extend(message.get("body", b""))
        await send(message)

    await app(scope, receive_and_keep, send_and_watch)
    if not 200 <= status < 300:
        return
    path = scope.get("path", "")
    match = _TABLE_ROW.match(path)
    table = match["table"] if match else ""
    row = int(match["row"]) if match and match["row"] else None
    if row is None and method == "POST":
        row = _created_id(bytes(response_body))
    await audit.record(
        "admin_console_write",
        actor=principal,
        object_type=table[:30],
        object_id=row,
        ip=ip,
        detail={"method": method, "path": path[:200], "fields": _fields(bytes(request_body))},
    )
