"""The booker's side of a health declaration: read (prefilled when new), save, submit, withdraw consent.

One declaration per traveller per booking. It is saved as a draft, then submitted; it stays
editable until an operator reviews it, and again after the operator asks for more
information. Nothing is stored without the consent to collect it. A new declaration starts
from the traveller's previous one, so nothing already known is asked again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role
from sojourn.audit import services as audit
from sojourn.bookings import states
from sojourn.bookings.stays import today_at
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.health import answers as checks
from sojourn.health import consents, review_thread, sealing
from sojourn.health.rows import BookingState, DeclarationStatus, DeclarationTarget, PreviousDeclaration
from sojourn.health.schemas import (
    DeclarationAnswers,
    DeclarationIn,
    DeclarationOut,
    Medications,
    PrefillSource,
)
from sojourn.health.screening import Trip, screen_declaration, screening_out
from sojourn.health.tables import ConsentPurpose
from sojourn.i18n import lazy_gettext as _l
from sojourn.stats import health_counts
from sojourn.travellers.schemas import EmergencyContact

# Answers are frozen once reviewed; a request for information opens them again.
REVIEWED = ("accepted", "declined")

TARGET_SQL = """
SELECT bt.booking, bt.traveller, bt.age_at_arrival,
       b.account, b.booked_by, b.reference, b.status AS booking_status, b.hold_expires_at,
       b.arrival, b.departure, b.nights, b.base, b.tour,
       t.mode, t.health_requirements, t.declaration_due_days,
       bs.altitude_m, bs.hospital_distance_km, bs.medical_level, bs.time_zone,
       tr.name AS traveller_name, tr.birth_date,
       tr.emergency_name, tr.emergency_phone, tr.emergency_relation,
       hd.id AS declaration_id, hd.status, hd.content_cipher, hd.due_on, hd.submitted_at,
       hd.reviewed_at, hd.review_note_cipher
FROM booking_traveller bt
JOIN booking b ON b.id = bt.booking
JOIN tour t ON t.id = b.tour
JOIN base bs ON bs.id = b.base
JOIN traveller tr ON tr.id = bt.traveller
LEFT JOIN health_declaration hd ON hd.booking = bt.booking AND hd.traveller = bt.traveller
WHERE bt.booking = $1 AND bt.traveller = $2
"""

PREVIOUS_SQL = """
SELECT hd.id, hd.booking, hd.content_cipher, coalesce(hd.submitted_at, hd.updated_at) AS filled_at,
       b.reference
FROM health_declaration hd JOIN booking b ON b.id = hd.booking
WHERE hd.traveller = $1 AND hd.booking <> $2 AND hd.content_cipher IS NOT NULL
ORDER BY coalesce(hd.submitted_at, hd.updated_at) DESC, hd.id DESC
LIMIT 1
"""


def _not_yours() -> NotFound:
    return NotFound(_l("This traveller is not on this booking in your account."))


async def fetch_target(
    conn: asyncpg.Connection, principal: Principal, booking_id: int, traveller_id: int
) -> DeclarationTarget:
    """The traveller on the booking, with trip and declaration, if the caller is on the booker's side."""
    args: list[Any] = [booking_id, traveller_id]
    condition = policy.declarations_writable(principal, "bt", args)
    row = rows.row_or_none(DeclarationTarget, await conn.fetchrow(f"{TARGET_SQL} AND {condition}", *args))
    if row is None:
        raise _not_yours()
    return row


def _booking_open(
    row: DeclarationTarget, now: dt.datetime, status: str | None = None, hold_expires_at: dt.datetime | None = None
) -> bool:
    """Declarations change only on a live booking: a hold still running, or a confirmed stay not over."""
    status = status or row.booking_status
    hold_expires_at = hold_expires_at or row.hold_expires_at
    if status == states.HELD:
        return states.is_live_hold(status, hold_expires_at, now)
    return status == states.CONFIRMED and row.departure > today_at(row.time_zone, now)


def _due_on(row: DeclarationTarget) -> dt.date:
    return row.due_on or row.arrival - dt.timedelta(days=row.declaration_due_days)


def _editable(row: DeclarationTarget, status: str | None, now: dt.datetime) -> bool:
    return _booking_open(row, now) and status not in REVIEWED


def _on_behalf_of(principal: Principal, row: DeclarationTarget) -> int | None:
    return row.account if row.account != principal.account_id else None


def _traveller_contact(row: DeclarationTarget) -> EmergencyContact | None:
    if not (row.emergency_name and row.emergency_phone and row.emergency_relation):
        return None
    return EmergencyContact(name=row.emergency_name, phone=row.emergency_phone, relation=row.emergency_relation)


async def _prefill(
    conn: asyncpg.Connection, row: DeclarationTarget, keyring: KeyRing
) -> tuple[DeclarationAnswers, PrefillSource | None]:
    """A draft from the traveller's latest declaration on another booking, with the emergency
    contact from the traveller record (the record is kept up to date; old answers may not be)."""
    contact = _traveller_contact(row)
    previous = rows.row_or_none(PreviousDeclaration, await conn.fetchrow(PREVIOUS_SQL, row.traveller, row.booking))
    if previous is None:
        source = PrefillSource(source="traveller_record") if contact else None
        return DeclarationAnswers(emergency_contact=contact), source
    content = sealing.open_content(keyring, previous.booking, row.traveller, previous.content_cipher)
    answers = content.answers
    # Whether the medicine lasts depends on this stay's length: ask again, keep the names.
    answers.medications = Medications(takes=answers.medications.takes, names=answers.medications.names)
    answers.emergency_contact = contact or answers.emergency_contact
    return answers, PrefillSource(
        source="previous_declaration",
        declaration_id=previous.id,
        booking_id=previous.booking,
        booking_reference=previous.reference,
        filled_at=previous.filled_at,
    )


async def _declaration_out(
    conn: asyncpg.Connection,
    row: DeclarationTarget,
    keyring: KeyRing,
    now: dt.datetime,
    *,
    with_prefill: bool = True,
) -> DeclarationOut:
    booking_id, traveller_id = row.booking, row.traveller
    status = row.status
    consent = await consents.consent_state(conn, traveller_id, booking_id)
    screening = None
    source = None
    if row.content_cipher is not None:
        content = sealing.open_content(keyring, booking_id, traveller_id, row.content_cipher)
        answers, screening = content.answers, screening_out(content.screening)
    elif with_prefill and _booking_open(row, now):
        answers, source = await _prefill(conn, row, keyring)
    else:
        answers = DeclarationAnswers()
    fields = {name: getattr(answers, name) for name in DeclarationAnswers.__struct_fields__}
    thread = await review_thread.thread(
        conn,
        keyring,
        declaration_id=row.declaration_id,
        booking_id=booking_id,
        traveller_id=traveller_id,
        time_zone=row.time_zone,
    )
    return DeclarationOut(
        **fields,
        id=row.declaration_id,
        booking_id=booking_id,
        traveller_id=traveller_id,
        traveller_name=row.traveller_name,
        status=status or "new",
        editable=_editable(row, status, now),
        due_on=_due_on(row),
        submitted_at=row.submitted_at,
        reviewed_at=row.reviewed_at,
        review_note=sealing.open_note(keyring, booking_id, traveller_id, row.review_note_cipher),
        screening=screening,
        consent=consent,
        prefilled_from=source,
        question=review_thread.open_question(thread, status),
        thread=thread,
    )


async def get_declaration(
    principal: Principal, booking_id: int, traveller_id: int, *, keyring: KeyRing, now: dt.datetime
) -> DeclarationOut:
    async with db.connection() as conn:
        row = await fetch_target(conn, principal, booking_id, traveller_id)
        out = await _declaration_out(conn, row, keyring, now)
        if principal.role != Role.traveller:
            # Staff (hotline agents, admins) reading a person's health data leave a trace,
            # also when it is shown as the prefill from an earlier declaration.
            shown = row.declaration_id if row.content_cipher is not None else None
            if shown is None and out.prefilled_from is not None:
                shown = out.prefilled_from.declaration_id
            if shown is not None:
                await audit.record(
                    "declaration_read",
                    actor=principal,
                    object_type="health_declaration",
                    object_id=shown,
                    on_behalf_of=row.account,
                    detail={"booking_id": row.booking, "traveller_id": row.traveller},
                    conn=conn,
                    at=now,
                )
        return out


def _require_collect_consent(data: DeclarationIn) -> None:
    if data.consent is None or not data.consent.collect:
        message = _l(
            "We can keep health information only with the traveller's consent. Tick \"I agree that "
            'this health information is kept" and send again; nothing was saved.'
        )
        raise InvalidInput(message, code="consent_required", field_errors={"consent.collect": message})


def _require_answer(row: DeclarationTarget, data: DeclarationIn) -> None:
    if data.submit and row.status == "info_requested" and not data.answer.strip():
        message = _l("Please answer the base's question before you send the form again.")
        raise InvalidInput(message, code="answer_required", field_errors={"answer": message})


def _booking_closed() -> Conflict:
    return Conflict(
        _l("This booking is cancelled, has run out or is already over, so its declaration cannot be changed."),
        code="booking_closed",
    )


def _already_reviewed() -> Conflict:
    return Conflict(
        _l(
            "The base has already reviewed this declaration, so it cannot be changed. "
            "Please call the base if something is new."
        ),
        code="declaration_reviewed",
    )


async def save_declaration(
    principal: Principal,
    booking_id: int,
    traveller_id: int,
    data: DeclarationIn,
    *,
    keyring: KeyRing,
    now: dt.datetime,
    ip: str = "",
) -> DeclarationOut:
    """Save the answers (``submit``: and send them for review), record the consents, screen."""
    async with db.connection() as conn:
        row = await fetch_target(conn, principal, booking_id, traveller_id)
        answers = _checked_answers(row, data, now)
        assert data.consent is not None
        async with conn.transaction():
            current = await _lock_open_declaration(conn, row, booking_id, traveller_id, now)
            behalf = _on_behalf_of(principal, row)
            await _record_consents(conn, principal, behalf, data.consent.share_with_base, booking_id, traveller_id, now)
            screening = await screen_declaration(conn, answers, Trip.from_row(row), row.base, row.tour)
            status = _next_status(current.status, data.submit)
            await health_counts.declaration_saving(
                conn, keyring, booking_id, traveller_id, answers=answers, risk=screening["risk"], submit=data.submit
            )
            await conn.execute(
                STORE_ANSWERS_SQL,
                current.id,
                status,
                sealing.seal_content(keyring, booking_id, traveller_id, answers, screening),
                screening["risk"],
                now,
                data.submit,
                principal.account_id,
            )
            if data.submit and current.status == "info_requested":
                await review_thread.add_message(
                    conn,
                    keyring,
                    declaration_id=current.id,
                    booking_id=booking_id,
                    traveller_id=traveller_id,
                    author_id=principal.account_id,
                    side=review_thread.BOOKER,
                    text=data.answer,
                    now=now,
                )
            await audit.record(
                "declaration_submitted" if data.submit else "declaration_saved",
                actor=principal,
                object_type="health_declaration",
                object_id=current.id,
                on_behalf_of=behalf,
                ip=ip,
                detail={"booking_id": booking_id, "traveller_id": traveller_id, "status": status},
                conn=conn,
                at=now,
            )
            saved = await fetch_target(conn, principal, booking_id, traveller_id)
            return await _declaration_out(conn, saved, keyring, now)


def _checked_answers(row: DeclarationTarget, data: DeclarationIn, now: dt.datetime) -> DeclarationAnswers:
    """Before anything is written: the booking is open, nobody reviewed this yet, the consent to
    collect is given, and the answers are valid (complete, if they are sent for review)."""
    if not _booking_open(row, now):
        raise _booking_closed()
    if row.status in REVIEWED:
        raise _already_reviewed()
    answers = checks.normalise(checks.answers_only(data))
    # Everything to correct is said at once: the consent, the answers, the base's question.
    refusals: list[InvalidInput] = []
    for check in (
        lambda: _require_collect_consent(data),
        lambda: checks.check_draft(answers, today_at(row.time_zone, now)),
        lambda: checks.check_complete(answers) if data.submit else None,
        lambda: _require_answer(row, data),
    ):
        try:
            check()
        except InvalidInput as refused:
            refusals.append(refused)
    if len(refusals) == 1:
        raise refusals[0]
    if refusals:
        field_errors = {key: value for refused in refusals for key, value in refused.field_errors.items()}
        raise InvalidInput(
            _l("Some answers need correcting."), code="declaration_incomplete", field_errors=field_errors
        )
    return answers


async def _lock_open_declaration(
    conn: asyncpg.Connection, row: DeclarationTarget, booking_id: int, traveller_id: int, now: dt.datetime
) -> DeclarationStatus:
    """The declaration row, created if needed and locked, then the booking (the same order as a
    review); checked again under the locks."""
    await conn.execute(NEW_DECLARATION_SQL, booking_id, traveller_id, _due_on(row), now)
    # Inserted just above; bookings are never deleted.
    current = rows.row(
        DeclarationStatus,
        await conn.fetchrow(
            "SELECT id, status FROM health_declaration WHERE booking = $1 AND traveller = $2 FOR UPDATE",
            booking_id,
            traveller_id,
        ),
    )
    booking = rows.row(
        BookingState,
        await conn.fetchrow("SELECT status, hold_expires_at FROM booking WHERE id = $1 FOR SHARE", booking_id),
    )
    if current.status in REVIEWED:
        raise _already_reviewed()
    if not _booking_open(row, now, booking.status, booking.hold_expires_at):
        raise _booking_closed()
    return current


async def _record_consents(
    conn: asyncpg.Connection,
    principal: Principal,
    behalf: int | None,
    share_with_base: bool,
    booking_id: int,
    traveller_id: int,
    now: dt.datetime,
) -> None:
    """Collecting is consented to by saving; sharing with the base is granted or withdrawn as asked."""
    grants: dict[str, Any] = {
        "actor": principal,
        "on_behalf_of": behalf,
        "now": now,
        "traveller_id": traveller_id,
        "booking_id": booking_id,
    }
    await consents.grant(conn, ConsentPurpose.collect_health, **grants)
    if share_with_base:
        await consents.grant(conn, ConsentPurpose.share_with_base, **grants)
    else:
        await consents.withdraw(conn, ConsentPurpose.share_with_base, **grants)


NEW_DECLARATION_SQL = """
INSERT INTO health_declaration (booking, traveller, status, due_on, created_at, updated_at)
VALUES ($1, $2, 'draft', $3, $4, $4) ON CONFLICT (booking, traveller) DO NOTHING
"""

STORE_ANSWERS_SQL = """
UPDATE health_declaration SET status = $2, content_cipher = $3, risk = $4, updated_at = $5,
       submitted_at = CASE WHEN $6 THEN $5 ELSE submitted_at END,
       submitted_by = CASE WHEN $6 THEN $7 ELSE submitted_by END, shredded_at = NULL
WHERE id = $1
"""


def _next_status(current: str, submit: bool) -> str:
    if submit:
        return "submitted"
    # A draft answer to a request for information keeps the request open for the base to see.
    return "info_requested" if current == "info_requested" else "draft"


async def withdraw_consent(
    principal: Principal,
    booking_id: int,
    traveller_id: int,
    purpose: ConsentPurpose,
    *,
    keyring: KeyRing,
    now: dt.datetime,
    ip: str = "",
) -> DeclarationOut:
    """Take back a consent. Without the share consent the base sees only that a declaration
    exists; without the collect consent the declaration's content is destroyed at once."""
    async with db.connection() as conn, conn.transaction():
        row = await fetch_target(conn, principal, booking_id, traveller_id)
        behalf = _on_behalf_of(principal, row)
        grants: dict[str, Any] = {
            "actor": principal,
            "on_behalf_of": behalf,
            "now": now,
            "traveller_id": traveller_id,
            "booking_id": booking_id,
        }
        await consents.withdraw(conn, ConsentPurpose.share_with_base, **grants)
        if purpose == ConsentPurpose.collect_health:
            await consents.withdraw(conn, ConsentPurpose.collect_health, **grants)
            await health_counts.declaration_shredding(conn, keyring, booking_id, traveller_id)
            shredded = await conn.fetchval(
                "UPDATE health_declaration SET status = 'shredded', content_cipher = NULL, review_note_cipher = NULL, "
                "risk = NULL, shredded_at = $3, updated_at = $3 "
                "WHERE booking = $1 AND traveller = $2 AND status <> 'shredded' RETURNING id",
                booking_id,
                traveller_id,
                now,
            )
            if shredded is not None:
                await conn.execute("UPDATE review_message SET text_cipher = NULL WHERE declaration = $1", shredded)
                await audit.record(
                    "declaration_shredded",
                    actor=principal,
                    object_type="health_declaration",
                    object_id=shredded,
                    on_behalf_of=behalf,
                    ip=ip,
                    detail={"reason": "collect_consent_withdrawn", "booking_id": booking_id},
                    conn=conn,
                    at=now,
                )
        saved = await fetch_target(conn, principal, booking_id, traveller_id)
        return await _declaration_out(conn, saved, keyring, now, with_prefill=False)
