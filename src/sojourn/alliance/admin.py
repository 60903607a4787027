"""Administering the alliance, members and agreements: coordinators and admins, every change audited.

Admins and coordinators of the whole alliance may add members and change any member or
agreement; a coordinator limited to some members changes only those members and the
agreements they signed (anything else is simply not found). Suspending a member records that
it is suspended; its bases are admitted or suspended one by one (admin_bases).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.alliance.admin_schemas import (
    AdminMemberOut,
    AgreementEdit,
    AgreementIn,
    AgreementOut,
    MemberEdit,
    MemberIn,
)
from sojourn.alliance.rows import AgreementRow, EditableMember, MemberRow
from sojourn.audit import services as audit
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.stats import rollups


def _member_not_found() -> NotFound:
    return NotFound(_l("There is no member with this number that you look after."))


def _agreement_not_found() -> NotFound:
    return NotFound(_l("There is no agreement with this number that you look after."))


def member_out(row: MemberRow, editable: bool) -> AdminMemberOut:
    return AdminMemberOut(
        id=row.id,
        code=row.code,
        name=pick(row, "name"),
        name_zh=row.name_zh,
        name_en=row.name_en,
        organisation_zh=row.organisation_zh,
        organisation_en=row.organisation_en,
        joined_on=row.joined_on,
        status=row.status,
        editable=editable,
    )


async def list_members(principal: Principal) -> list[AdminMemberOut]:
    """Every member (the list is public anyway), marked with whether the caller may change it."""
    args: list[Any] = []
    editable = policy.members_administered(principal, "m", args)
    async with db.connection() as conn:
        members = rows.rows(
            EditableMember,
            await conn.fetch(f"SELECT m.*, ({editable}) AS editable FROM member m ORDER BY m.code", *args),
        )
    return [member_out(row, row.editable) for row in members]


async def get_member(principal: Principal, member_id: int) -> AdminMemberOut:
    async with db.connection() as conn:
        return member_out(await _member_row(conn, principal, member_id), True)


async def _member_row(
    conn: asyncpg.Connection, principal: Principal, member_id: int, *, lock: bool = False
) -> MemberRow:
    args: list[Any] = [member_id]
    scope = policy.members_administered(principal, "m", args)
    row = rows.row_or_none(
        MemberRow,
        await conn.fetchrow(
            f"SELECT m.* FROM member m WHERE m.id = $1 AND {scope}{' FOR UPDATE' if lock else ''}", *args
        ),
    )
    if row is None:
        raise _member_not_found()
    return row


async def create_member(principal: Principal, data: MemberIn, *, ip: str = "") -> AdminMemberOut:
    if not policy.administers_whole_alliance(principal):
        raise NotAllowed(_l("Only coordinators of the whole alliance can add members."), code="not_whole_alliance")
    async with db.connection() as conn, conn.transaction():
        try:
            row = rows.row(
                MemberRow,
                await conn.fetchrow(
                    "INSERT INTO member (code, name_zh, name_en, organisation_zh, organisation_en, joined_on) "
                    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
                    data.code,
                    data.name_zh.strip(),
                    data.name_en.strip(),
                    data.organisation_zh.strip(),
                    data.organisation_en.strip(),
                    data.joined_on,
                ),
            )
        except asyncpg.UniqueViolationError:
            message = _l("This province already has a member.")
            raise Conflict(message, code="member_exists", field_errors={"code": message}) from None
        await audit.record(
            "member_created", actor=principal, object_type="member", object_id=row.id, ip=ip,
            detail=msgspec.to_builtins(data), conn=conn,
        )  # fmt: skip
        return member_out(row, True)


async def update_member(principal: Principal, member_id: int, data: MemberEdit, *, ip: str = "") -> AdminMemberOut:
    async with db.connection() as conn, conn.transaction():
        before = await _member_row(conn, principal, member_id, lock=True)
        # The member is locked above, so the UPDATE finds it.
        row = rows.row(
            MemberRow,
            await conn.fetchrow(
                "UPDATE member SET name_zh = $2, name_en = $3, organisation_zh = $4, organisation_en = $5, "
                "joined_on = $6 WHERE id = $1 RETURNING *",
                member_id,
                data.name_zh.strip(),
                data.name_en.strip(),
                data.organisation_zh.strip(),
                data.organisation_en.strip(),
                data.joined_on,
            ),
        )
        changed = {
            k: [getattr(before, k), getattr(row, k)]
            for k in ("name_zh", "name_en", "organisation_zh", "organisation_en", "joined_on")
            if getattr(before, k) != getattr(row, k)
        }
        await audit.record(
            "member_updated",
            actor=principal,
            object_type="member",
            object_id=member_id,
            ip=ip,
            detail={"changed": changed},
            conn=conn,
        )
        await rollups.bump(conn, 0)  # member names appear in cached statistics
        return member_out(row, True)


async def set_member_status(principal: Principal, member_id: int, status: str, *, ip: str = "") -> AdminMemberOut:
    """``suspended`` or ``active`` again; doing it twice changes nothing."""
    async with db.connection() as conn, conn.transaction():
        before = await _member_row(conn, principal, member_id, lock=True)
        if before.status == status:
            return member_out(before, True)
        row = rows.row(
            MemberRow, await conn.fetchrow("UPDATE member SET status = $2 WHERE id = $1 RETURNING *", member_id, status)
        )
        await audit.record(
            "member_suspended" if status == "suspended" else "member_reinstated",
            actor=principal, object_type="member", object_id=member_id, ip=ip,
            detail={"previous_status": before.status}, conn=conn,
        )  # fmt: skip
        return member_out(row, True)


AGREEMENT_SELECT = """
SELECT a.*, ma.name_zh AS a_name_zh, ma.name_en AS a_name_en, mb.name_zh AS b_name_zh, mb.name_en AS b_name_en
FROM agreement a JOIN member ma ON ma.id = a.member_a JOIN member mb ON mb.id = a.member_b
"""


def agreement_out(row: AgreementRow) -> AgreementOut:
    return AgreementOut(
        id=row.id,
        member_a_id=row.member_a,
        member_a_name=pick(row, "a_name"),
        member_b_id=row.member_b,
        member_b_name=pick(row, "b_name"),
        modes=list(row.modes),
        signed_on=row.signed_on,
        expires_on=row.expires_on,
        note=row.note,
    )


async def list_agreements(principal: Principal) -> list[AgreementOut]:
    args: list[Any] = []
    scope = policy.agreements_administered(principal, "a", args)
    async with db.connection() as conn:
        agreements = rows.rows(
            AgreementRow, await conn.fetch(f"{AGREEMENT_SELECT} WHERE {scope} ORDER BY a.signed_on DESC, a.id", *args)
        )
    return [agreement_out(row) for row in agreements]


async def _agreement_row(conn: asyncpg.Connection, principal: Principal, agreement_id: int) -> AgreementRow:
    args: list[Any] = [agreement_id]
    scope = policy.agreements_administered(principal, "a", args)
    row = rows.row_or_none(AgreementRow, await conn.fetchrow(f"{AGREEMENT_SELECT} WHERE a.id = $1 AND {scope}", *args))
    if row is None:
        raise _agreement_not_found()
    return row


async def get_agreement(principal: Principal, agreement_id: int) -> AgreementOut:
    async with db.connection() as conn:
        return agreement_out(await _agreement_row(conn, principal, agreement_id))


def _check_dates(signed_on: Any, expires_on: Any) -> None:
    if expires_on is not None and expires_on <= signed_on:
        message = _l("The end date must be after the signing date.")
        raise InvalidInput(message, field_errors={"expires_on": message})


def _modes(modes: list[Any]) -> list[str]:
    order = ("migratory", "vacation", "interactive")
    values = {getattr(mode, "value", mode) for mode in modes}
    return [mode for mode in order if mode in values]


async def create_agreement(principal: Principal, data: AgreementIn, *, ip: str = "") -> AgreementOut:
    if data.member_a_id == data.member_b_id:
        message = _l("An agreement is between two different members.")
        raise InvalidInput(message, field_errors={"member_b_id": message})
    _check_dates(data.signed_on, data.expires_on)
    low, high = sorted((data.member_a_id, data.member_b_id))
    async with db.connection() as conn, conn.transaction():
        args: list[Any] = [[low, high]]
        scope = policy.members_administered(principal, "m", args)
        mine = await conn.fetchval(f"SELECT count(*) FROM member m WHERE m.id = ANY($1::int[]) AND {scope}", *args)
        known = await conn.fetchval("SELECT count(*) FROM member WHERE id = ANY($1::int[])", [low, high])
        if known < 2 or mine == 0:
            message = _l("Choose two members, one of them yours.")
            raise InvalidInput(message, field_errors={"member_b_id": message})
        try:
            agreement_id = await conn.fetchval(
                "INSERT INTO agreement (member_a, member_b, modes, signed_on, expires_on, note) "
                "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                low, high, _modes(data.modes), data.signed_on, data.expires_on, data.note.strip(),
            )  # fmt: skip
        except asyncpg.UniqueViolationError:
            message = _l("These two members already have an agreement: change that one instead.")
            raise Conflict(message, code="agreement_exists", field_errors={"member_b_id": message}) from None
        await audit.record(
            "agreement_created", actor=principal, object_type="agreement", object_id=agreement_id, ip=ip,
            detail={"members": [low, high], "modes": _modes(data.modes)}, conn=conn,
        )  # fmt: skip
        return agreement_out(await _agreement_row(conn, principal, agreement_id))


async def update_agreement(
    principal: Principal, agreement_id: int, data: AgreementEdit, *, ip: str = ""
) -> AgreementOut:
    _check_dates(data.signed_on, data.expires_on)
    async with db.connection() as conn, conn.transaction():
        before = await _agreement_row(conn, principal, agreement_id)
        await conn.execute(
            "UPDATE agreement SET modes = $2, signed_on = $3, expires_on = $4, note = $5 WHERE id = $1",
            agreement_id, _modes(data.modes), data.signed_on, data.expires_on, data.note.strip(),
        )  # fmt: skip
        await audit.record(
            "agreement_updated", actor=principal, object_type="agreement", object_id=agreement_id, ip=ip,
            detail={"modes": [list(before.modes), _modes(data.modes)],
                    "expires_on": [before.expires_on, data.expires_on]}, conn=conn,
        )  # fmt: skip
        return agreement_out(await _agreement_row(conn, principal, agreement_id))
