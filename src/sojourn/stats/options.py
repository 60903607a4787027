"""What the statistics filters offer a coordinator: its members and their bases, in its language."""

from __future__ import annotations

from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.db import rows
from sojourn.localized import pick
from sojourn.stats.rows import BaseName, MemberName


async def filter_choices(principal: Principal) -> dict[str, list[tuple[str, str]]]:
    member_args: list[Any] = []
    member_scope = policy.members_administered(principal, "m", member_args)
    base_args: list[Any] = []
    base_scope = policy.stats_bases_visible(principal, "b", base_args)
    async with db.connection() as conn:
        members = rows.rows(
            MemberName,
            await conn.fetch(f"SELECT * FROM member m WHERE {member_scope} ORDER BY m.code", *member_args),
        )
        bases = rows.rows(
            BaseName,
            await conn.fetch(f"SELECT * FROM base b WHERE {base_scope} ORDER BY b.province_code, b.id", *base_args),
        )
    return {
        "members": [(str(row.id), pick(row, "name")) for row in members],
        "bases": [(str(row.id), pick(row, "name")) for row in bases],
    }
