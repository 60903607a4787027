"""Administering bases and their staff: admitting and suspending bases, operator accounts and
which bases they work for. Coordinators and admins, scoped by ``accounts.policy``; audited.
Operator accounts are made by invitation (``operator_invitations``); only an administrator
gives a base to one (a coordinator asks: ``base_grants``). Taking a base away needs no approval.

A suspended base takes no new bookings (the booking engine accepts tours only at admitted
bases: ``bookings.stays.check_tour_open``); bookings already made stand.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal, forget_account
from sojourn.accounts.tables import Role
from sojourn.alliance.admin_schemas import AdminBaseOut, OperatorBase, OperatorOut
from sojourn.alliance.rows import AdminBaseRow, OperatorRow
from sojourn.audit import services as audit
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.stats import rollups

# Which status each action leads to, and from which statuses it may start.
TRANSITIONS = {"admit": ("admitted", ("pending", "suspended")), "suspend": ("suspended", ("admitted",))}

BASE_SELECT = """
SELECT b.id, b.name_zh, b.name_en, b.member, b.province_code, b.city_zh, b.city_en, b.total_beds, b.status,
       m.name_zh AS member_name_zh, m.name_en AS member_name_en
FROM base b JOIN member m ON m.id = b.member
"""


def base_out(row: AdminBaseRow) -> AdminBaseOut:
    return AdminBaseOut(
        id=row.id,
        name=pick(row, "name"),
        member_id=row.member,
        member_name=pick(row, "member_name"),
        province_code=row.province_code,
        city=pick(row, "city"),
        total_beds=row.total_beds,
        status=row.status,
    )


async def list_bases(principal: Principal, status: str | None = None) -> list[AdminBaseOut]:
    args: list[Any] = []
    scope = policy.bases_administered(principal, "b", args)
    if status:
        args.append(status)
        scope += f" AND b.status = ${len(args)}"
    async with db.connection() as conn:
        bases = rows.rows(
            AdminBaseRow,
            await conn.fetch(
                f"{BASE_SELECT} WHERE {scope} ORDER BY b.status = 'pending' DESC, b.province_code, b.id", *args
            ),
        )
    return [base_out(row) for row in bases]


async def change_base_status(principal: Principal, base_id: int, action: str, *, ip: str = "") -> AdminBaseOut:
    """``admit`` (a pending or suspended base) or ``suspend`` (an admitted one)."""
    target, allowed_from = TRANSITIONS[action]
    async with db.connection() as conn, conn.transaction():
        args: list[Any] = [base_id]
        scope = policy.bases_administered(principal, "b", args)
        status = await conn.fetchval(f"SELECT b.status FROM base b WHERE b.id = $1 AND {scope} FOR UPDATE", *args)
        if status is None:
            raise NotFound(_l("There is no base with this number that you look after."))
        if status == target:
            pass  # asked twice: nothing to do
        elif status not in allowed_from:
            raise Conflict(_l("This base cannot be changed that way in its current state."), code="base_status")
        else:
            await conn.execute("UPDATE base SET status = $2 WHERE id = $1", base_id, target)
            await rollups.bump(conn, base_id)  # cached statistics list the bases and their state
            await audit.record(
                "base_admitted" if target == "admitted" else "base_suspended",
                actor=principal, object_type="base", object_id=base_id, ip=ip,
                detail={"previous_status": status}, conn=conn,
            )  # fmt: skip
        return base_out(rows.row(AdminBaseRow, await conn.fetchrow(f"{BASE_SELECT} WHERE b.id = $1", base_id)))


OPERATORS_SQL = """
SELECT a.id, a.display_name, coalesce(a.phone, a.email) AS login, a.status,
       coalesce(json_agg(json_build_object('id', b.id, 'name_zh', b.name_zh, 'name_en', b.name_en) ORDER BY b.id)
                FILTER (WHERE b.id IS NOT NULL), '[]') AS bases
FROM account a
LEFT JOIN account_base ab ON ab.account = a.id
LEFT JOIN base b ON b.id = ab.base
WHERE {scope}
GROUP BY a.id
ORDER BY a.display_name, a.id
"""


def operator_out(row: OperatorRow) -> OperatorOut:
    import json

    bases = row.bases if not isinstance(row.bases, str) else json.loads(row.bases)
    return OperatorOut(
        id=row.id,
        display_name=row.display_name,
        login=row.login,
        status=row.status,
        bases=[OperatorBase(id=b["id"], name=pick(b, "name")) for b in bases],
    )


async def list_operators(
    principal: Principal, conn: asyncpg.Connection | None = None, account_id: int | None = None, *, scoped: bool = True
) -> list[OperatorOut]:
    args: list[Any] = []
    # Unscoped only to show an account once more right after its last base in scope was taken away.
    scope = policy.operators_administered(principal, "a", args) if scoped else "a.role = 'operator'"
    if account_id is not None:
        args.append(account_id)
        scope += f" AND a.id = ${len(args)}"
    if conn is not None:
        return [
            operator_out(row)
            for row in rows.rows(OperatorRow, await conn.fetch(OPERATORS_SQL.format(scope=scope), *args))
        ]
    async with db.connection() as own:
        return [
            operator_out(row)
            for row in rows.rows(OperatorRow, await own.fetch(OPERATORS_SQL.format(scope=scope), *args))
        ]


async def get_operator(
    principal: Principal, account_id: int, conn: asyncpg.Connection | None = None, *, scoped: bool = True
) -> OperatorOut:
    found = await list_operators(principal, conn, account_id, scoped=scoped)
    if not found:
        raise NotFound(_l("There is no base staff account with this number that you look after."))
    return found[0]


async def check_bases(conn: asyncpg.Connection, principal: Principal, base_ids: list[int], field: str) -> None:
    args: list[Any] = [sorted(set(base_ids))]
    scope = policy.bases_administered(principal, "b", args)
    mine = await conn.fetchval(f"SELECT count(*) FROM base b WHERE b.id = ANY($1::int[]) AND {scope}", *args)
    if mine != len(set(base_ids)):
        message = _l("Choose bases that you look after.")
        raise InvalidInput(message, field_errors={field: message})


async def assign_base(principal: Principal, account_id: int, base_id: int, *, ip: str = "") -> OperatorOut:
    """Let an operator work for one more base: administrators only (a coordinator asks, see
    ``base_grants``)."""
    if principal.role != Role.admin:
        raise NotAllowed(_l("Only an administrator of the alliance may give a base to a staff account."))
    async with db.connection() as conn, conn.transaction():
        await get_operator(principal, account_id, conn)
        await check_bases(conn, principal, [base_id], "base_id")
        added = await conn.fetchval(
            "INSERT INTO account_base (account, base) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
            account_id,
            base_id,
        )
        if added is not None:
            await audit.record(
                "operator_base_assigned", actor=principal, object_type="account", object_id=account_id, ip=ip,
                detail={"base_id": base_id}, conn=conn,
            )  # fmt: skip
        out = await get_operator(principal, account_id, conn)
    forget_account(account_id)  # its tokens' cached principals name the bases it had
    return out


async def unassign_base(principal: Principal, account_id: int, base_id: int, *, ip: str = "") -> OperatorOut:
    async with db.connection() as conn, conn.transaction():
        await get_operator(principal, account_id, conn)
        await check_bases(conn, principal, [base_id], "base_id")
        removed = await conn.fetchval(
            "DELETE FROM account_base WHERE account = $1 AND base = $2 RETURNING id", account_id, base_id
        )
        if removed is not None:
            await audit.record(
                "operator_base_unassigned", actor=principal, object_type="account", object_id=account_id, ip=ip,
                detail={"base_id": base_id}, conn=conn,
            )  # fmt: skip
        out = await get_operator(principal, account_id, conn, scoped=False)
    forget_account(account_id)
    return out
