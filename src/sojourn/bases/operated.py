"""A base the signed-in operator runs: the one check every operator-side base change starts with."""

from __future__ import annotations

from typing import Any

import asyncpg

from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.errors import NotFound
from sojourn.i18n import lazy_gettext as _l


async def operated_base(conn: asyncpg.Connection, principal: Principal, base_id: int, *, lock: bool = False) -> int:
    """The base's id if the principal operates it (row-locked with ``lock``); NotFound otherwise (never 403)."""
    args: list[Any] = [base_id]
    condition = policy.bases_operated(principal, "bs", args)
    suffix = " FOR UPDATE" if lock else ""
    found = await conn.fetchval(f"SELECT bs.id FROM base bs WHERE bs.id = $1 AND {condition}{suffix}", *args)
    if found is None:
        raise NotFound(_l("There is no base with this number among the bases you operate."))
    return int(found)
