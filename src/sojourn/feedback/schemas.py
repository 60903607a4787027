"""Feedback as the API reads and writes it: the traveller's own view, the operators' view,
the public reviews of a base, and the smoothed scores everyone shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from sojourn.ids import RowId

# Long enough for a real story about a stay, short enough to read on a phone.
COMMENT_MAX_CHARS = 2000
REPLY_MAX_CHARS = 1000
REASON_MAX_CHARS = 500

Rating = Annotated[int, msgspec.Meta(ge=1, le=5, description="1 (poor) to 5 (excellent)")]
NpsAnswer = Annotated[
    int,
    msgspec.Meta(ge=0, le=10, description="Would you recommend this base? 0 (no) to 10 (surely)"),
]
Comment = Annotated[str, msgspec.Meta(max_length=COMMENT_MAX_CHARS)]
ReplyText = Annotated[str, msgspec.Meta(min_length=1, max_length=REPLY_MAX_CHARS)]
RequiredReason = Annotated[str, msgspec.Meta(min_length=1, max_length=REASON_MAX_CHARS)]
OptionalReason = Annotated[str, msgspec.Meta(max_length=REASON_MAX_CHARS)]


class Ratings(msgspec.Struct, forbid_unknown_fields=True):
    """One rating per aspect of the stay (the names match ``feedback.tables.RATING_ASPECTS``)."""

    accommodation: Rating
    food: Rating  # food, and how well it fits the traveller's diet
    medical: Rating  # medical support on site
    activities: Rating
    staff: Rating
    transport: Rating
    value: Rating
    safety: Rating


class FeedbackIn(msgspec.Struct, forbid_unknown_fields=True):
    ratings: Ratings
    nps: NpsAnswer
    comment: Comment = ""
    # Whose feedback this is: required when the booking has several travellers.
    traveller_id: RowId | None = None


class FeedbackEdit(msgspec.Struct, forbid_unknown_fields=True):
    """A corrected feedback replaces the ratings, the answer and the comment as a whole."""

    ratings: Ratings
    nps: NpsAnswer
    comment: Comment = ""


class ReplyIn(msgspec.Struct, forbid_unknown_fields=True):
    reply: ReplyText


class HideIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: RequiredReason


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: OptionalReason = ""


class FeedbackOut(msgspec.Struct):
    """Feedback as its author's account (or the hotline agent who entered it) sees it."""

    id: int
    booking_id: int
    booking_reference: str
    base_id: int
    traveller_id: int
    traveller_name: str
    ratings: Ratings
    nps: int
    comment: str
    created_at: dt.datetime
    updated_at: dt.datetime
    editable_until: dt.datetime
    editable: bool
    entered_by_account_id: int
    entered_on_behalf: bool  # entered by a hotline agent for the traveller
    hidden: bool
    reply: str
    replied_at: dt.datetime | None


class TravellerRef(msgspec.Struct):
    id: int
    name: str


class BookingFeedbackOut(msgspec.Struct):
    """The feedback given on one booking, and whether (and for whom) more can be given now."""

    items: list[FeedbackOut]
    total: int
    can_give_feedback: bool
    travellers_without_feedback: list[TravellerRef]
    why_not: str | None = None  # a sentence when feedback cannot be given now
    why_not_code: str | None = None


class OperatorFeedbackOut(msgspec.Struct):
    """Feedback on a base as its operators and admins see it: hidden ones included and marked."""

    id: int
    base_id: int
    booking_id: int
    booking_reference: str
    arrival: dt.date
    departure: dt.date
    author: str  # the public, masked name
    ratings: Ratings
    nps: int
    comment: str
    created_at: dt.datetime
    updated_at: dt.datetime
    entered_on_behalf: bool
    hidden: bool
    abuse_flagged: bool
    reply: str
    replied_at: dt.datetime | None


class ScoreOut(msgspec.Struct):
    """A smoothed score and the number of reviews it rests on (always shown together)."""

    score: float | None  # smoothed towards the alliance mean; None without reviews
    average: float | None  # this base's own plain mean; None without reviews
    count: int


class AspectScores(msgspec.Struct):
    accommodation: ScoreOut
    food: ScoreOut
    medical: ScoreOut
    activities: ScoreOut
    staff: ScoreOut
    transport: ScoreOut
    value: ScoreOut
    safety: ScoreOut


class NpsOut(msgspec.Struct):
    score: float | None  # % promoters − % detractors, from −100 to 100; None without answers
    answers: int
    promoters: int
    passives: int
    detractors: int
    reliable: bool  # False while it rests on fewer answers than the threshold


class BaseScoresOut(msgspec.Struct):
    base_id: int
    review_count: int
    overall: ScoreOut
    aspects: AspectScores
    nps: NpsOut
    nps_reliable: bool
    prior_weight: int  # how many reviews' worth of the alliance mean every score starts from


class ReviewOut(msgspec.Struct):
    """One published comment: no full names, no phone numbers."""

    id: int
    author: str
    stayed_in: str  # the month of arrival, YYYY-MM
    rating: float  # this reviewer's mean over the eight aspects
    comment: str
    created_at: dt.datetime
    reply: str
    replied_at: dt.datetime | None


class BaseReviewsOut(msgspec.Struct):
    """A base's public reviews page: the scores (as in ``BaseScoresOut``) and one page of comments."""

    base_id: int
    review_count: int
    overall: ScoreOut
    aspects: AspectScores
    nps: NpsOut
    nps_reliable: bool
    prior_weight: int
    items: list[ReviewOut]
    total: int  # published comments, for paging ``items``
