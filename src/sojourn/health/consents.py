"""PIPL consents (单独同意) to collect health data and to share it with the destination base.

Each consent is its own row, per traveller and booking, with the version of the terms that
was shown and when it was given. Rows are never overwritten: withdrawing stamps
``withdrawn_at``, consenting again appends a new row. A consent "stands" while some row of
that purpose has no ``withdrawn_at``.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.db import rows
from sojourn.health.rows import ConsentRow
from sojourn.health.schemas import ConsentState, ConsentTerms
from sojourn.health.tables import ConsentPurpose
from sojourn.i18n import lazy_gettext as _l

# The terms' version: bump it (and the texts below) when the wording changes; new consents
# carry the new version, old rows keep the one that was shown.
CONSENT_VERSION = "2026-11"

SHARE_TERMS = _l(
    "I agree that the staff and doctor of the base I travel to may read this declaration, to "
    "prepare my care. Without this, they only see that a declaration exists."
)
WITHDRAW_TERMS = _l(
    "You can take back either agreement at any time. Taking back the first one deletes the "
    "declaration; taking back the second one hides it from the base."
)


def share_stands_sql(traveller: str, booking: str) -> str:
    """SQL: the share consent for ``traveller`` on ``booking`` (column expressions) stands."""
    return (
        f"EXISTS (SELECT 1 FROM consent sc WHERE sc.traveller = {traveller} AND sc.booking = {booking} "
        "AND sc.purpose = 'share_with_base' AND sc.withdrawn_at IS NULL)"
    )


def terms(retention_days: int) -> ConsentTerms:
    """The words shown next to each consent, in the reader's language."""
    collect = _l(
        "I agree that Sojourn keeps the health information in this declaration, so that the trip can "
        "be planned safely. It is stored encrypted and deleted %(days)s days after the trip ends or is cancelled.",
        days=retention_days,
    )
    return ConsentTerms(
        version=CONSENT_VERSION,
        collect=str(collect),
        share_with_base=str(SHARE_TERMS),
        withdraw=str(WITHDRAW_TERMS),
    )


async def consent_state(conn: asyncpg.Connection, traveller_id: int, booking_id: int) -> ConsentState:
    given = rows.rows(
        ConsentRow,
        await conn.fetch(
            "SELECT purpose, granted_at, withdrawn_at FROM consent WHERE traveller = $1 AND booking = $2 "
            "ORDER BY granted_at, id",
            traveller_id,
            booking_id,
        ),
    )
    standing = {row.purpose: row.granted_at for row in given if row.withdrawn_at is None}
    share_withdrawn = [
        row.withdrawn_at
        for row in given
        if row.purpose == ConsentPurpose.share_with_base.value and row.withdrawn_at is not None
    ]
    shared = ConsentPurpose.share_with_base.value in standing
    return ConsentState(
        collect=ConsentPurpose.collect_health.value in standing,
        share_with_base=shared,
        version=CONSENT_VERSION,
        collect_granted_at=standing.get(ConsentPurpose.collect_health.value),
        share_granted_at=standing.get(ConsentPurpose.share_with_base.value),
        share_withdrawn_at=None if shared or not share_withdrawn else max(share_withdrawn),
    )


async def grant(
    conn: asyncpg.Connection,
    purpose: ConsentPurpose,
    *,
    traveller_id: int,
    booking_id: int,
    actor: Principal,
    on_behalf_of: int | None,
    now: dt.datetime,
) -> bool:
    """Record the consent unless one of this version already stands; True when a row was added."""
    exists = await conn.fetchval(
        "SELECT 1 FROM consent WHERE traveller = $1 AND booking = $2 AND purpose = $3 AND version = $4 "
        "AND withdrawn_at IS NULL",
        traveller_id,
        booking_id,
        purpose.value,
        CONSENT_VERSION,
    )
    if exists:
        return False
    consent_id = await conn.fetchval(
        "INSERT INTO consent (traveller, booking, purpose, version, granted_at, granted_by) "
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        traveller_id,
        booking_id,
        purpose.value,
        CONSENT_VERSION,
        now,
        actor.account_id,
    )
    await audit.record(
        "consent_granted",
        actor=actor,
        object_type="consent",
        object_id=consent_id,
        on_behalf_of=on_behalf_of,
        detail={
            "purpose": purpose.value,
            "version": CONSENT_VERSION,
            "booking_id": booking_id,
            "traveller_id": traveller_id,
        },
        conn=conn,
        at=now,
    )
    return True


async def withdraw(
    conn: asyncpg.Connection,
    purpose: ConsentPurpose,
    *,
    traveller_id: int,
    booking_id: int,
    actor: Principal,
    on_behalf_of: int | None,
    now: dt.datetime,
) -> int:
    """Stamp every standing consent of ``purpose``; returns how many were withdrawn."""
    withdrawn = await conn.fetch(
        "UPDATE consent SET withdrawn_at = $4 WHERE traveller = $1 AND booking = $2 AND purpose = $3 "
        "AND withdrawn_at IS NULL RETURNING id",
        traveller_id,
        booking_id,
        purpose.value,
        now,
    )
    for (consent_id,) in withdrawn:
        await audit.record(
            "consent_withdrawn",
            actor=actor,
            object_type="consent",
            object_id=consent_id,
            on_behalf_of=on_behalf_of,
            detail={
                "purpose": purpose.value,
                "booking_id": booking_id,
                "traveller_id": traveller_id,
            },
            conn=conn,
            at=now,
        )
    return len(withdrawn)
