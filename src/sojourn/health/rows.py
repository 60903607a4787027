"""The health context's rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class DeclarationTarget(msgspec.Struct, frozen=True):
    """A traveller on a booking, with the trip and the declaration if any (``declarations.TARGET_SQL``)."""

    booking: int
    traveller: int
    age_at_arrival: int
    account: int
    booked_by: int
    reference: str
    booking_status: str
    hold_expires_at: dt.datetime | None
    arrival: dt.date
    departure: dt.date
    nights: int
    base: int
    tour: int
    mode: str
    health_requirements: list[str] | None
    declaration_due_days: int
    altitude_m: int
    hospital_distance_km: float
    medical_level: str
    time_zone: str
    traveller_name: str
    birth_date: dt.date
    emergency_name: str | None
    emergency_phone: str | None
    emergency_relation: str | None
    declaration_id: int | None
    status: str | None
    content_cipher: bytes | None
    due_on: dt.date | None
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_note_cipher: bytes | None


class PreviousDeclaration(msgspec.Struct, frozen=True):
    """The traveller's latest declaration on another booking (``declarations.PREVIOUS_SQL``)."""

    id: int
    booking: int
    content_cipher: bytes
    filled_at: dt.datetime
    reference: str


class DeclarationStatus(msgspec.Struct, frozen=True):
    """A declaration's id and status, locked for a change."""

    id: int
    status: str


class BookingState(msgspec.Struct, frozen=True):
    """A booking's status and hold, as a declaration change checks them."""

    status: str
    hold_expires_at: dt.datetime | None


class ReviewedDeclaration(msgspec.Struct, frozen=True):
    """A declaration as the base sees it (``review.SELECT_SQL``); ``risk`` only while shared."""

    id: int
    booking: int
    traveller: int
    status: str
    risk: str | None
    due_on: dt.date
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    content_cipher: bytes | None
    review_note_cipher: bytes | None
    reference: str
    booking_status: str
    hold_expires_at: dt.datetime | None
    account: int
    base: int
    tour: int
    arrival: dt.date
    time_zone: str
    traveller_name: str
    age_at_arrival: int
    shared: bool
    total_count: int = 0


class OutstandingDeclaration(msgspec.Struct, frozen=True):
    """A traveller whose declaration is not sent yet (``deadlines.OUTSTANDING_SQL``)."""

    booking_id: int
    reference: str
    booking_status: str
    account: int
    booked_by: int
    base: int
    tour: int
    arrival: dt.date
    traveller: int
    age_at_arrival: int
    traveller_name: str
    declaration_id: int | None
    status: str
    risk: str | None
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    due_on: dt.date
    today: dt.date
    shared: bool
    total_count: int = 0


class BaseOperator(msgspec.Struct, frozen=True):
    base: int
    account: int


class SharedContent(msgspec.Struct, frozen=True):
    """A sent declaration's sealed content, shared with the base (``care_notes.CARE_SQL``)."""

    id: int
    booking: int
    traveller: int
    content_cipher: bytes


class ConsentRow(msgspec.Struct, frozen=True):
    purpose: str
    granted_at: dt.datetime
    withdrawn_at: dt.datetime | None


class ProgressRow(msgspec.Struct, frozen=True):
    """Where one traveller's declaration stands (``progress.PROGRESS_SQL``)."""

    booking: int
    traveller: int
    traveller_name: str
    status: str
    due_on: dt.date


class ReviewMessageRow(msgspec.Struct, frozen=True):
    side: str
    text_cipher: bytes | None
    created_at: dt.datetime
    display_name: str


class OpenQuestionRow(msgspec.Struct, frozen=True):
    """A declaration waiting for the booker's answer (``review_thread.OPEN_QUESTIONS_SQL``)."""

    id: int
    booking: int
    traveller: int
    time_zone: str


class ScreeningRuleRow(msgspec.Struct, frozen=True):
    """A row of ``screening_rule`` (``screening.RULES_SQL``); ``condition`` is JSON text or a mapping."""

    code: str
    base: int | None
    tour: int | None
    condition: Any
    effect: str
    risk: str
    explanation_zh: str
    explanation_en: str
    active: bool
    priority: int
    id: int | None = None
