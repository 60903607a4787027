"""Which bases the caller runs, and the one base a page or endpoint is about (404 if not theirs)."""

from __future__ import annotations

from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.errors import NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.operator.schemas import BaseRef

BASE_COLUMNS = "bs.id, bs.name_zh, bs.name_en, bs.time_zone, bs.member"


def base_ref(row: Any) -> BaseRef:
    return BaseRef(id=row["id"], name=pick(row, "name"), time_zone=row["time_zone"], member_id=row["member"])


async def operated_bases(principal: Principal) -> list[BaseRef]:
    """The bases the principal operates (admins: all), by name."""
    args: list[Any] = []
    condition = policy.bases_operated(principal, "bs", args)
    async with db.connection() as conn:
        rows = await conn.fetch(f"SELECT {BASE_COLUMNS} FROM base bs WHERE {condition} ORDER BY bs.id", *args)
    return [base_ref(row) for row in rows]


async def operated_base(conn: asyncpg.Connection, principal: Principal, base_id: int) -> Any:
    """The base row if the principal operates it; NotFound otherwise (never 403)."""
    args: list[Any] = [base_id]
    condition = policy.bases_operated(principal, "bs", args)
    row = await conn.fetchrow(f"SELECT {BASE_COLUMNS} FROM base bs WHERE bs.id = $1 AND {condition}", *args)
    if row is None:
        raise NotFound(_l("There is no base with this number among the bases you operate."))
    return row
