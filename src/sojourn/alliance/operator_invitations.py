"""Base staff accounts come by invitation, never with a password somebody else chose.

A coordinator sees aggregates only and must never create or empower an account that sees
individuals (an operator reads health declarations). So:

1. A coordinator (for bases it administers) or an administrator asks for an invitation:
   who (login, name) and which bases. A coordinator's request waits for an administrator.
2. An administrator approves it: a one-time code is made, kept only as a keyed digest, valid
   for ``INVITATION_LIFETIME``, sent to the person's phone or e-mail and shown once to the
   administrator (to read out when no channel reaches the person).
3. The person enters the code with a password of their own: the operator account is created
   with the invited bases, and the code is spent.

The base's member organisation approves through the alliance's administrators (an approval
queue): a member's own staff are coordinators, and a coordinator approving would be exactly
the power this rule takes away. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import codes
from sojourn.accounts.logins import parse_login
from sojourn.accounts.principal import Principal
from sojourn.accounts.services import create_account
from sojourn.accounts.tables import Role
from sojourn.alliance import admin_bases
from sojourn.alliance.admin_schemas import InvitationOut, OperatorIn
from sojourn.alliance.rows import InvitationRow
from sojourn.audit import services as audit
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sojourn.i18n import lazy_gettext as _l

INVITATION_LIFETIME = dt.timedelta(days=7)
PURPOSE = "invite"


def invitation_out(row: InvitationRow, code: str | None = None) -> InvitationOut:
    return InvitationOut(
        id=row.id,
        login=row.login,
        display_name=row.display_name,
        base_ids=list(row.base_ids),
        status=row.status,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        expires_at=row.expires_at,
        code=code,
    )


def _invitations_in_scope(principal: Principal, args: list[Any]) -> str:
    """Invitations whose bases the principal administers (all of them)."""
    from sojourn.accounts import policy

    scope = policy.bases_administered(principal, "b", args)
    return f"NOT EXISTS (SELECT 1 FROM base b WHERE b.id = ANY(i.base_ids) AND NOT ({scope}))"


async def list_invitations(principal: Principal) -> list[InvitationOut]:
    args: list[Any] = []
    scope = _invitations_in_scope(principal, args)
    async with db.connection() as conn:
        invitations = rows.rows(
            InvitationRow,
            await conn.fetch(
                f"SELECT i.* FROM operator_invitation i WHERE {scope} "
                "ORDER BY i.status <> 'requested', i.requested_at DESC, i.id DESC LIMIT 200",
                *args,
            ),
        )
    return [invitation_out(row) for row in invitations]


def _is_admin(principal: Principal) -> bool:
    return principal.role == Role.admin


async def _issue_code(
    conn: asyncpg.Connection, principal: Principal, invitation_id: int, *, now: dt.datetime, keyring: KeyRing, ip: str
) -> tuple[InvitationRow, str]:
    code = codes.new_code()
    # The caller locked this invitation.
    row = rows.row(
        InvitationRow,
        await conn.fetchrow(
            "UPDATE operator_invitation SET status = 'approved', decided_by = $2, decided_at = $3, code_hash = $4, "
            "expires_at = $5 WHERE id = $1 RETURNING *",
            invitation_id,
            principal.account_id,
            now,
            codes.code_digest(keyring, PURPOSE, code),
            now + INVITATION_LIFETIME,
        ),
    )
    await audit.record(
        "operator_invitation_approved", actor=principal, object_type="operator_invitation",
        object_id=invitation_id, ip=ip, detail={"base_ids": list(row.base_ids)}, conn=conn, at=now,
    )  # fmt: skip
    return row, code


async def invite_operator(
    principal: Principal, data: OperatorIn, *, now: dt.datetime, keyring: KeyRing, ip: str = ""
) -> InvitationOut:
    """An invitation for ``data``: approved at once (with its code) when an administrator asks,
    waiting for one when a coordinator does."""
    if data.password is not None:
        message = _l("Base staff choose their own password: they receive an invitation code instead.")
        raise InvalidInput(message, code="password_not_accepted", field_errors={"password": message})
    login = parse_login(data.login)
    name = data.display_name.strip()
    base_ids = sorted(set(data.base_ids))
    async with db.connection() as conn, conn.transaction():
        await admin_bases.check_bases(conn, principal, base_ids, "base_ids")
        taken = await conn.fetchval(f"SELECT 1 FROM account WHERE {login.kind} = $1", login.value)
        open_invitation = await conn.fetchval(
            "SELECT 1 FROM operator_invitation WHERE login = $1 AND status IN ('requested', 'approved') "
            "AND (expires_at IS NULL OR expires_at > $2)",
            login.value,
            now,
        )
        if taken or open_invitation:
            message = _l("This phone number or e-mail address already has an account or an open invitation.")
            raise Conflict(message, code="login_taken", field_errors={"login": message})
        row = rows.row(
            InvitationRow,
            await conn.fetchrow(
                "INSERT INTO operator_invitation (login, display_name, base_ids, requested_by, requested_at) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING *",
                login.value,
                name,
                base_ids,
                principal.account_id,
                now,
            ),
        )
        await audit.record(
            "operator_invitation_requested", actor=principal, object_type="operator_invitation",
            object_id=row.id, ip=ip, detail={"base_ids": base_ids}, conn=conn, at=now,
        )  # fmt: skip
        if not _is_admin(principal):
            return invitation_out(row)
        row, code = await _issue_code(conn, principal, row.id, now=now, keyring=keyring, ip=ip)
        return invitation_out(row, code)


async def _pending(
    conn: asyncpg.Connection, principal: Principal, invitation_id: int, states: tuple[str, ...]
) -> InvitationRow:
    if not _is_admin(principal):
        raise NotAllowed(_l("Only an administrator of the alliance may decide on an invitation."))
    row = rows.row_or_none(
        InvitationRow, await conn.fetchrow("SELECT * FROM operator_invitation WHERE id = $1 FOR UPDATE", invitation_id)
    )
    if row is None:
        raise NotFound(_l("There is no invitation with this number."))
    if row.status not in states:
        raise Conflict(_l("This invitation has already been decided."), code="invitation_decided")
    return row


async def approve_invitation(
    principal: Principal, invitation_id: int, *, now: dt.datetime, keyring: KeyRing, ip: str = ""
) -> InvitationOut:
    """Approve a request, or make a new code for an approved invitation (the old one stops working)."""
    async with db.connection() as conn, conn.transaction():
        await _pending(conn, principal, invitation_id, ("requested", "approved"))
        row, code = await _issue_code(conn, principal, invitation_id, now=now, keyring=keyring, ip=ip)
        return invitation_out(row, code)


async def decline_invitation(
    principal: Principal, invitation_id: int, *, now: dt.datetime, ip: str = ""
) -> InvitationOut:
    async with db.connection() as conn, conn.transaction():
        await _pending(conn, principal, invitation_id, ("requested", "approved"))
        row = rows.row(
            InvitationRow,
            await conn.fetchrow(
                "UPDATE operator_invitation SET status = 'declined', decided_by = $2, decided_at = $3, "
                "code_hash = NULL WHERE id = $1 RETURNING *",
                invitation_id,
                principal.account_id,
                now,
            ),
        )
        await audit.record(
            "operator_invitation_declined", actor=principal, object_type="operator_invitation",
            object_id=invitation_id, ip=ip, conn=conn, at=now,
        )  # fmt: skip
        return invitation_out(row)


class BadCode(InvalidInput):
    status = 400


async def accept_invitation(code: str, password: str, *, now: dt.datetime, keyring: KeyRing, ip: str = "") -> int:
    """Create the operator account of the invitation whose code this is; returns its id."""
    digest = codes.code_digest(keyring, PURPOSE, code)
    async with db.connection() as conn, conn.transaction():
        row = rows.row_or_none(
            InvitationRow,
            await conn.fetchrow(
                "SELECT * FROM operator_invitation WHERE code_hash = $1 AND status = 'approved' AND expires_at > $2 "
                "FOR UPDATE",
                digest,
                now,
            ),
        )
        if row is None:
            message = _l("This invitation code is not right or has expired. Ask the alliance office for a new one.")
            raise BadCode(message, code="bad_code", field_errors={"code": message})
        account_id = await create_account(
            login=row.login,
            password=password,
            display_name=row.display_name,
            role=Role.operator,
            base_ids=tuple(row.base_ids),
            conn=conn,
        )
        await conn.execute(
            "UPDATE operator_invitation SET status = 'accepted', accepted_at = $2, code_hash = NULL, account = $3 "
            "WHERE id = $1",
            row.id,
            now,
            account_id,
        )
        await audit.record(
            "operator_invitation_accepted", actor_id=account_id, object_type="operator_invitation",
            object_id=row.id, ip=ip, detail={"base_ids": list(row.base_ids)}, conn=conn, at=now,
        )  # fmt: skip
        return account_id
