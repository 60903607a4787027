"""The base's side: the review queue, reading a declaration, and deciding on it.

Operators see the declarations of their own bases (admins: all), always with status, and the
risk level and details only while the traveller's consent to share with the base stands (the
risk level is health data too: it is neither shown, nor filtered on, nor sorted by after the
consent is withdrawn).
Every read of details is audited. A decision is one of accept, request information (the
booker may then edit and send again) or decline, which cancels the booking with a full
refund in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import lifecycle, states
from sojourn.bookings.locking import lock_base
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.health import review_thread, sealing
from sojourn.health.consents import share_stands_sql
from sojourn.health.rows import ReviewedDeclaration
from sojourn.health.schemas import Decision, OperatorDeclarationOut, QueueItem, ReviewIn
from sojourn.health.screening import screening_out
from sojourn.i18n import lazy_gettext as _l
from sojourn.notifications import outbox

# Statuses whose content the traveller has sent (a draft is still being written).
SENT = ("submitted", "info_requested", "accepted", "declined")

# Waiting for the base or for the booker: these leave the queue as soon as the booking no
# longer goes ahead (cancelled, expired, a hold that ran out), with nothing left to decide.
PENDING = ("submitted", "info_requested")


def still_to_decide_sql(now: str) -> str:
    """SQL: the declaration ``hd`` of booking ``b`` is pending only while the booking goes ahead."""
    pending = ", ".join(f"'{s}'" for s in PENDING)
    return f"(hd.status NOT IN ({pending}) OR {states.active_sql('b', now)})"


# The risk level, only while the traveller's consent to share with the base stands.
SHARED_RISK = f"CASE WHEN {share_stands_sql('hd.traveller', 'hd.booking')} THEN hd.risk END"

SELECT_SQL = f"""
SELECT hd.id, hd.booking, hd.traveller, hd.status, {SHARED_RISK} AS risk, hd.due_on, hd.submitted_at, hd.reviewed_at,
       hd.content_cipher, hd.review_note_cipher,
       b.reference, b.status AS booking_status, b.hold_expires_at, b.account, b.base, b.tour, b.arrival,
       (SELECT bs.time_zone FROM base bs WHERE bs.id = b.base) AS time_zone,
       tr.name AS traveller_name, bt.age_at_arrival,
       {share_stands_sql("hd.traveller", "hd.booking")} AS shared
FROM health_declaration hd
JOIN booking b ON b.id = hd.booking
JOIN traveller tr ON tr.id = hd.traveller
JOIN booking_traveller bt ON bt.booking = hd.booking AND bt.traveller = hd.traveller
"""

QUEUE_ORDER = f"""
ORDER BY CASE hd.status WHEN 'submitted' THEN 0 WHEN 'info_requested' THEN 1 ELSE 2 END,
         CASE {SHARED_RISK} WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, b.arrival, hd.id
"""

NEW_STATUS = {
    Decision.accept: "accepted",
    Decision.request_info: "info_requested",
    Decision.decline: "declined",
}
MESSAGE_KIND = {
    Decision.accept: "declaration_accepted",
    Decision.request_info: "declaration_info_requested",
    Decision.decline: "declaration_declined",
}


def _queue_item(row: ReviewedDeclaration) -> QueueItem:
    return QueueItem(
        declaration_id=row.id,
        booking_id=row.booking,
        booking_reference=row.reference,
        booking_status=row.booking_status,
        base_id=row.base,
        tour_id=row.tour,
        traveller_id=row.traveller,
        traveller_name=row.traveller_name,
        age_at_arrival=row.age_at_arrival,
        arrival=row.arrival,
        due_on=row.due_on,
        status=row.status,
        risk=row.risk,
        submitted_at=row.submitted_at,
        reviewed_at=row.reviewed_at,
        shared=row.shared,
    )


async def review_queue(
    principal: Principal,
    *,
    now: dt.datetime,
    base_id: int | None = None,
    tour_id: int | None = None,
    status: str | None = None,
    risk: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[QueueItem], int]:
    """Declarations of the principal's bases, the ones waiting for a decision first, riskiest first.
    Drafts and destroyed ones appear only when asked for by status; forms of bookings that were
    cancelled or ran out before a decision are not waiting for anyone and never appear."""
    args: list[Any] = [now]
    condition = policy.declarations_visible(principal, "b", args) + " AND " + still_to_decide_sql("$1")
    for column, value in (("b.base", base_id), ("b.tour", tour_id), (SHARED_RISK, risk)):
        if value is not None:
            args.append(value)
            condition += f" AND {column} = ${len(args)}"
    if status is not None:
        args.append(status)
        condition += f" AND hd.status = ${len(args)}"
    else:
        condition += " AND hd.status IN (" + ", ".join(f"'{s}'" for s in SENT) + ")"
    sql = (
        SELECT_SQL.replace("SELECT hd.id", "SELECT count(*) OVER () AS total_count, hd.id", 1)
        + f" WHERE {condition} {QUEUE_ORDER} LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    async with db.connection() as conn:
        found = rows.rows(ReviewedDeclaration, await conn.fetch(sql, *args))
    return [_queue_item(row) for row in found], (found[0].total_count if found else 0)


async def _fetch(conn: asyncpg.Connection, principal: Principal, declaration_id: int) -> ReviewedDeclaration:
    args: list[Any] = [declaration_id]
    condition = policy.declarations_visible(principal, "b", args)
    row = rows.row_or_none(
        ReviewedDeclaration, await conn.fetchrow(f"{SELECT_SQL} WHERE hd.id = $1 AND {condition}", *args)
    )
    if row is None:
        raise NotFound(_l("There is no declaration with this number for your bases."))
    return row


def _hidden_because(row: ReviewedDeclaration) -> Any:
    if row.status == "shredded":
        return _l("The details were deleted: the keeping period ended or the traveller took back consent.")
    if row.status not in SENT:
        return _l("The traveller has not sent this declaration yet.")
    if not row.shared:
        return _l("The traveller has not agreed to share the details with the base, or took that back.")
    return None


async def _view(
    conn: asyncpg.Connection,
    principal: Principal,
    row: ReviewedDeclaration,
    keyring: KeyRing,
    now: dt.datetime,
    ip: str,
) -> OperatorDeclarationOut:
    """Status and risk always; details only when shared, and then the read is audited."""
    hidden = _hidden_because(row)
    view = OperatorDeclarationOut(
        id=row.id,
        booking_id=row.booking,
        booking_reference=row.reference,
        base_id=row.base,
        tour_id=row.tour,
        traveller_id=row.traveller,
        traveller_name=row.traveller_name,
        age_at_arrival=row.age_at_arrival,
        arrival=row.arrival,
        status=row.status,
        risk=row.risk,
        due_on=row.due_on,
        submitted_at=row.submitted_at,
        reviewed_at=row.reviewed_at,
        shared=row.shared,
        hidden_because=str(hidden) if hidden is not None else None,
    )
    if hidden is not None or row.content_cipher is None:
        return view
    content = sealing.open_content(keyring, row.booking, row.traveller, row.content_cipher)
    view.details = content.answers
    view.screening = screening_out(content.screening)
    view.review_note = sealing.open_note(keyring, row.booking, row.traveller, row.review_note_cipher)
    view.thread = await review_thread.thread(
        conn,
        keyring,
        declaration_id=row.id,
        booking_id=row.booking,
        traveller_id=row.traveller,
        time_zone=row.time_zone,
    )
    await audit.record(
        "declaration_read",
        actor=principal,
        object_type="health_declaration",
        object_id=row.id,
        ip=ip,
        detail={"booking_id": row.booking, "traveller_id": row.traveller},
        conn=conn,
        at=now,
    )
    return view


async def read_declaration(
    principal: Principal, declaration_id: int, *, keyring: KeyRing, now: dt.datetime, ip: str = ""
) -> OperatorDeclarationOut:
    async with db.connection() as conn, conn.transaction():
        return await _view(conn, principal, await _fetch(conn, principal, declaration_id), keyring, now, ip)


def _not_reviewable(status: str) -> Conflict:
    if status in ("accepted", "declined"):
        return Conflict(_l("This declaration has already been reviewed."), code="declaration_reviewed")
    if status == "info_requested":
        return Conflict(
            _l("You asked the traveller for more information. Wait until they send the declaration again."),
            code="waiting_for_traveller",
        )
    return Conflict(_l("This declaration has not been sent for review."), code="not_submitted")


def _check_note(data: ReviewIn) -> str:
    note = data.note.strip()
    if data.decision != Decision.accept and not note:
        message = (
            _l("Write what the traveller should add or send, in words they understand.")
            if data.decision == Decision.request_info
            else _l("Write why the trip is not possible, so the traveller understands.")
        )
        raise InvalidInput(message, field_errors={"note": message})
    return note


RECORD_DECISION_SQL = """
UPDATE health_declaration SET status = $2, reviewed_at = $3, reviewed_by = $4, review_note_cipher = $5, updated_at = $3
WHERE id = $1
"""


async def _lock_for_review(
    conn: asyncpg.Connection,
    principal: Principal,
    declaration_id: int,
    decision: Decision,
    settings: Settings,
    now: dt.datetime,
) -> ReviewedDeclaration:
    """The declaration, locked and still waiting for a decision, on a booking still going ahead.

    Declining cancels the booking, so it takes the base's lock first (the booking engine's order:
    the base's lock before any row lock)."""
    row = await _fetch(conn, principal, declaration_id)
    if decision == Decision.decline:
        await lock_base(conn, row.base, settings.lock_timeout_ms)
    status = await conn.fetchval("SELECT status FROM health_declaration WHERE id = $1 FOR UPDATE", declaration_id)
    if status != "submitted":
        raise _not_reviewable(status)
    row = await _fetch(conn, principal, declaration_id)
    held_live = states.is_live_hold(row.booking_status, row.hold_expires_at, now)
    if not (held_live or row.booking_status == states.CONFIRMED):
        raise Conflict(
            _l("This booking is cancelled or has run out; there is nothing to decide."),
            code="booking_closed",
        )
    return row


async def _tell_the_booker(
    conn: asyncpg.Connection, row: ReviewedDeclaration, declaration_id: int, decision: Decision, now: dt.datetime
) -> None:
    """The decision for the booker, in the outbox. No health details there (it is not
    encrypted, and goes out by text message): not even the base's question, which may speak of
    health. The message links to the health form, where the question is shown and answered."""
    kind = MESSAGE_KIND[decision]
    payload: dict[str, Any] = {
        "booking_id": row.booking,
        "reference": row.reference,
        "declaration_id": declaration_id,
        "traveller_id": row.traveller,
        "traveller_name": row.traveller_name,
    }
    await outbox.enqueue(
        conn,
        kind,
        row.account,
        payload,
        dedupe_key=f"{kind}:{declaration_id}:{now.isoformat()}",
        deliver_after=now,
    )


async def review_declaration(
    principal: Principal,
    declaration_id: int,
    data: ReviewIn,
    *,
    keyring: KeyRing,
    settings: Settings,
    now: dt.datetime,
    ip: str = "",
) -> OperatorDeclarationOut:
    note = _check_note(data)
    async with db.connection() as conn, conn.transaction():
        row = await _lock_for_review(conn, principal, declaration_id, data.decision, settings, now)
        await conn.execute(
            RECORD_DECISION_SQL,
            declaration_id,
            NEW_STATUS[data.decision],
            now,
            principal.account_id,
            sealing.seal_note(keyring, row.booking, row.traveller, note),
        )
        await audit.record(
            "declaration_reviewed",
            actor=principal,
            object_type="health_declaration",
            object_id=declaration_id,
            ip=ip,
            detail={"decision": data.decision.value, "booking_id": row.booking, "traveller_id": row.traveller},
            conn=conn,
            at=now,
        )
        await review_thread.add_message(
            conn,
            keyring,
            declaration_id=declaration_id,
            booking_id=row.booking,
            traveller_id=row.traveller,
            author_id=principal.account_id,
            side=review_thread.BASE,
            text=note,
            now=now,
        )
        await _tell_the_booker(conn, row, declaration_id, data.decision, now)
        refund = None
        if data.decision == Decision.decline:
            refund = await lifecycle.cancel_with_full_refund(
                conn,
                row.booking,
                actor=principal,
                reason="Declined by the base after the health declaration review",
                settings=settings,
                now=now,
                ip=ip,
            )
        view = await _view(conn, principal, await _fetch(conn, principal, declaration_id), keyring, now, ip)
        view.refund_fen = refund
        return view
