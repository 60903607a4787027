"""A coordinator asks that a base staff account also work for a base; an administrator decides.

Giving an operator a base lets it read that base's health declarations: a coordinator, who
sees aggregates only, may ask for it but never do it. Requests, approvals and refusals are
audited; an approval adds the base exactly as an administrator's own assignment does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal, forget_account
from sojourn.accounts.tables import Role
from sojourn.alliance import admin_bases
from sojourn.alliance.admin_schemas import BaseGrantDecisionOut, BaseGrantOut
from sojourn.alliance.rows import GrantRequestRow, GrantRow
from sojourn.audit import services as audit
from sojourn.db import rows
from sojourn.errors import Conflict, NotAllowed, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick

GRANT_SELECT = """
SELECT g.*, a.display_name AS operator_name, b.name_zh, b.name_en
FROM base_grant_request g JOIN account a ON a.id = g.account JOIN base b ON b.id = g.base
"""


def grant_out(row: GrantRow) -> BaseGrantOut:
    return BaseGrantOut(
        id=row.id,
        account_id=row.account,
        operator_name=row.operator_name,
        base_id=row.base,
        base_name=pick(row, "name"),
        status=row.status,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
    )


async def request_base(
    principal: Principal, account_id: int, base_id: int, *, now: dt.datetime, ip: str = ""
) -> BaseGrantOut:
    """Ask for ``base_id`` for the operator (once: asking again returns the open request)."""
    async with db.connection() as conn, conn.transaction():
        await admin_bases.get_operator(principal, account_id, conn)
        await admin_bases.check_bases(conn, principal, [base_id], "base_id")
        existing = await conn.fetchval(
            "SELECT id FROM base_grant_request WHERE account = $1 AND base = $2 AND status = 'pending'",
            account_id,
            base_id,
        )
        if existing is None:
            existing = await conn.fetchval(
                "INSERT INTO base_grant_request (account, base, requested_by, requested_at) "
                "VALUES ($1, $2, $3, $4) RETURNING id",
                account_id,
                base_id,
                principal.account_id,
                now,
            )
            await audit.record(
                "operator_base_requested", actor=principal, object_type="account", object_id=account_id, ip=ip,
                detail={"base_id": base_id, "request_id": existing}, conn=conn, at=now,
            )  # fmt: skip
        return grant_out(rows.row(GrantRow, await conn.fetchrow(f"{GRANT_SELECT} WHERE g.id = $1", existing)))


async def list_requests(principal: Principal, status: str = "pending") -> list[BaseGrantOut]:
    args: list[Any] = [status]
    scope = policy.bases_administered(principal, "b", args)
    async with db.connection() as conn:
        grants = rows.rows(
            GrantRow,
            await conn.fetch(
                f"{GRANT_SELECT} WHERE g.status = $1 AND {scope} ORDER BY g.requested_at, g.id LIMIT 200", *args
            ),
        )
    return [grant_out(row) for row in grants]


async def decide(
    principal: Principal, request_id: int, approve: bool, *, now: dt.datetime, ip: str = ""
) -> BaseGrantDecisionOut:
    if principal.role != Role.admin:
        raise NotAllowed(_l("Only an administrator of the alliance may decide on this request."))
    async with db.connection() as conn, conn.transaction():
        row = rows.row_or_none(
            GrantRequestRow,
            await conn.fetchrow("SELECT * FROM base_grant_request WHERE id = $1 FOR UPDATE", request_id),
        )
        if row is None:
            raise NotFound(_l("There is no request with this number."))
        if row.status != "pending":
            raise Conflict(_l("This request has already been decided."), code="request_decided")
        await conn.execute(
            "UPDATE base_grant_request SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1",
            request_id,
            "approved" if approve else "declined",
            principal.account_id,
            now,
        )
        if approve:
            await conn.execute(
                "INSERT INTO account_base (account, base) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                row.account,
                row.base,
            )
        await audit.record(
            "operator_base_assigned" if approve else "operator_base_declined", actor=principal,
            object_type="account", object_id=row.account, ip=ip,
            detail={"base_id": row.base, "request_id": request_id}, conn=conn, at=now,
        )  # fmt: skip
        grant = grant_out(rows.row(GrantRow, await conn.fetchrow(f"{GRANT_SELECT} WHERE g.id = $1", request_id)))
        operator = await admin_bases.get_operator(principal, row.account, conn, scoped=False)
    forget_account(row.account)  # its tokens' cached principals name the bases it had
    return BaseGrantDecisionOut(grant=grant, operator=operator)
