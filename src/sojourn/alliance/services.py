"""Reading alliance members and agreements."""

from __future__ import annotations

from sojourn.alliance.rows import MemberRow
from sojourn.alliance.schemas import MemberOut
from sojourn.alliance.tables import Member
from sojourn.db import rows
from sojourn.localized import pick


def member_out(row: MemberRow) -> MemberOut:
    return MemberOut(
        id=row.id,
        code=row.code,
        name=pick(row, "name"),
        name_zh=row.name_zh,
        name_en=row.name_en,
        organisation=pick(row, "organisation"),
        status=row.status,
    )


async def list_members() -> list[MemberOut]:
    members = rows.rows(MemberRow, await Member.select().order_by(Member.code))
    return [member_out(row) for row in members]
