"""The feedback context's rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec


class FeedbackRow(msgspec.Struct, frozen=True):
    """One feedback with its booking's and traveller's words (``entries.FEEDBACK_SELECT``)."""

    id: int
    booking: int
    traveller: int
    base: int
    entered_by: int
    accommodation: int
    food: int
    medical: int
    activities: int
    staff: int
    transport: int
    value: int
    safety: int
    nps: int
    comment: str
    created_at: dt.datetime
    updated_at: dt.datetime
    editable_until: dt.datetime
    hidden: bool
    hidden_by: int | None
    abuse_flagged: bool
    reply: str
    replied_at: dt.datetime | None
    replied_by: int | None
    reference: str
    booking_account: int
    arrival: dt.date
    departure: dt.date
    traveller_name: str
    total_count: int = 0


class PublishedReview(msgspec.Struct, frozen=True):
    """A review shown on the base's public page (``reviews.PUBLISHED_SQL``)."""

    id: int
    comment: str
    created_at: dt.datetime
    reply: str
    replied_at: dt.datetime | None
    rating: Decimal
    traveller_name: str
    arrival: dt.date
    total_count: int = 0


class FeedbackRequestCandidate(msgspec.Struct, frozen=True):
    """A stay that has ended and whose booker is not asked yet (``requests.CANDIDATES_SQL``)."""

    id: int
    reference: str
    account: int
    base: int
    name_zh: str
    name_en: str
    time_zone: str
    ended_on: dt.date


class BaseScoreTotals(msgspec.Struct, frozen=True):
    """A base's rating sums and the alliance's (``all_``), per aspect (``scores.BASE_SCORES_SQL``).

    The sums are NULL where nothing was rated; the alliance's are numeric (sums of sums)."""

    base_id: int
    n: int
    promoters: int
    detractors: int
    all_n: Decimal | int
    accommodation: int | None
    food: int | None
    medical: int | None
    activities: int | None
    staff: int | None
    transport: int | None
    value: int | None
    safety: int | None
    all_accommodation: Decimal | None
    all_food: Decimal | None
    all_medical: Decimal | None
    all_activities: Decimal | None
    all_staff: Decimal | None
    all_transport: Decimal | None
    all_value: Decimal | None
    all_safety: Decimal | None
