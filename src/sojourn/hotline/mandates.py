"""A senior's consent that the hotline may book and declare for them (``agent_mandate``):
recording it, withdrawing it. While a traveller has an active mandate, ``accounts.policy``
lets agents see and book for them; once it is withdrawn, that access is gone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.errors import Conflict, NotFound
from sojourn.hotline.rows import MandateRow
from sojourn.hotline.schemas import MandateOut, MandateTerms
from sojourn.hotline.services import LookupKey, key_matches_account
from sojourn.i18n import lazy_gettext as _l

NOT_FOUND = _l("There is no traveller with this number that you may help. Find the senior by phone first.")


def mandate_out(row: MandateRow, account_id: int) -> MandateOut:
    return MandateOut(
        id=row.id,
        traveller_id=row.traveller,
        account_id=account_id,
        method=row.method,
        reference=row.reference,
        recorded_by_account_id=row.recorded_by,
        recorded_at=row.recorded_at,
        withdrawn_at=row.withdrawn_at,
        active=row.withdrawn_at is None,
    )


async def account_has_active_mandate(conn: asyncpg.Connection, account_id: int) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM agent_mandate m JOIN traveller t ON t.id = m.traveller "
            "WHERE t.account = $1 AND m.withdrawn_at IS NULL)",
            account_id,
        )
    )


async def insert_mandate(
    conn: asyncpg.Connection,
    principal: Principal,
    traveller_id: int,
    account_id: int,
    terms: MandateTerms,
    *,
    now: dt.datetime,
    ip: str,
) -> MandateOut:
    """Record the consent on the caller's transaction (the traveller row is already locked)."""
    active = await conn.fetchval(
        "SELECT id FROM agent_mandate WHERE traveller = $1 AND withdrawn_at IS NULL", traveller_id
    )
    if active is not None:
        raise Conflict(
            _l("The hotline already has this person's consent. Withdraw it first to record a new one."),
            code="mandate_active",
        )
    row = rows.row(
        MandateRow,
        await conn.fetchrow(
            "INSERT INTO agent_mandate (traveller, recorded_by, method, reference, recorded_at) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING *",
            traveller_id,
            principal.account_id,
            terms.method.value,
            terms.reference.strip(),
            now,
        ),
    )
    await audit.record(
        "mandate_recorded",
        actor=principal,
        object_type="agent_mandate",
        object_id=row.id,
        on_behalf_of=account_id,
        ip=ip,
        detail={"traveller_id": traveller_id, "method": terms.method.value, "reference": row.reference},
        conn=conn,
        at=now,
    )
    return mandate_out(row, account_id)


async def record_mandate(
    principal: Principal,
    traveller_id: int,
    terms: MandateTerms,
    key: LookupKey,
    *,
    keyring: KeyRing,
    now: dt.datetime,
    ip: str = "",
) -> MandateOut:
    """Record that the traveller agreed. The agent proves the contact with the number the senior
    gave (``key``), unless the account already has an active consent; a mismatch is NotFound,
    so nobody learns whether a traveller id exists."""
    async with db.connection() as conn, conn.transaction():
        account_id = await conn.fetchval(
            "SELECT t.account FROM traveller t JOIN account a ON a.id = t.account "
            "WHERE t.id = $1 AND a.role = 'traveller' AND a.status = 'active' FOR UPDATE OF t",
            traveller_id,
        )
        if account_id is None:
            raise NotFound(NOT_FOUND)
        if not (
            await key_matches_account(conn, account_id, key, keyring)
            or await account_has_active_mandate(conn, account_id)
        ):
            raise NotFound(NOT_FOUND)
        return await insert_mandate(conn, principal, traveller_id, account_id, terms, now=now, ip=ip)


async def withdraw_mandate(principal: Principal, traveller_id: int, *, now: dt.datetime, ip: str = "") -> MandateOut:
    """End the active consent. Agents reach only travellers they may see (an active consent);
    a traveller account only its own travellers. From now on agents get 404 for this person."""
    args: list[Any] = [traveller_id]
    scope = policy.travellers_visible(principal, "t", args)
    async with db.connection() as conn, conn.transaction():
        account_id = await conn.fetchval(
            f"SELECT t.account FROM traveller t WHERE t.id = $1 AND {scope} FOR UPDATE OF t", *args
        )
        if account_id is None:
            raise NotFound(NOT_FOUND)
        row = rows.row_or_none(
            MandateRow,
            await conn.fetchrow(
                "UPDATE agent_mandate SET withdrawn_at = $2 WHERE traveller = $1 AND withdrawn_at IS NULL RETURNING *",
                traveller_id,
                now,
            ),
        )
        if row is None:
            raise Conflict(_l("The hotline has no consent on record for this person."), code="no_active_mandate")
        await audit.record(
            "mandate_withdrawn",
            actor=principal,
            object_type="agent_mandate",
            object_id=row.id,
            on_behalf_of=account_id if account_id != principal.account_id else None,
            ip=ip,
            detail={"traveller_id": traveller_id},
            conn=conn,
            at=now,
        )
    return mandate_out(row, account_id)
