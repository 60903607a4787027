"""Tours as operators write them: a new tour, a change to one, and what cancelling a departure did.

Prices are integer fen. Field names match ``tours.schemas.TourOut`` so a client can send
back what it read.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from sojourn.alliance.tables import TripMode
from sojourn.dates import BoundedDates
from sojourn.ids import RowId
from sojourn.tours.schemas import TourOut


class HealthRequirement(str, Enum):
    """What a tour asks of travellers' health; screening rules read these codes."""

    high_altitude = "high_altitude"  # above 3,000 m
    long_stay = "long_stay"  # weeks to months away from home
    far_from_hospital = "far_from_hospital"


TitleZh = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
TitleEn = Annotated[str, msgspec.Meta(max_length=160)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
Fen = Annotated[int, msgspec.Meta(ge=0, le=100_000_000, description="Integer fen (1 yuan = 100 fen)")]
Nights = Annotated[int, msgspec.Meta(ge=1, le=366)]
Seats = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
DueDays = Annotated[int, msgspec.Meta(ge=0, le=60, description="Declarations are due this many days before arrival")]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class RefundTierIn(msgspec.Struct, forbid_unknown_fields=True):
    days_before: Annotated[int, msgspec.Meta(ge=0, le=365)]
    refund_percent: Annotated[int, msgspec.Meta(ge=0, le=100)]


class QuotaIn(msgspec.Struct, forbid_unknown_fields=True):
    """Seats of an exchange trip kept for the travellers of one of its two members."""

    member_id: RowId
    seats: Annotated[int, msgspec.Meta(ge=0, le=10_000)]


Quotas = Annotated[list[QuotaIn], msgspec.Meta(max_length=2)]
Policy = Annotated[list[RefundTierIn], msgspec.Meta(max_length=10)]
Requirements = Annotated[list[HealthRequirement], msgspec.Meta(max_length=3)]


class TourIn(BoundedDates, forbid_unknown_fields=True, kw_only=True):
    """A new tour (a draft until published).

    Migratory stays: a season window [starts_on, ends_on], ``min_nights`` (``max_nights``
    optional) and ``monthly_price_fen``; beds come from the base's calendar. Vacation and
    interactive tours: fixed dates, ``seats`` and ``package_price_fen``; an exchange
    (interactive) names the ``partner_member_id`` and may keep seats per member (``quotas``).
    """

    base_id: RowId
    mode: TripMode
    title_zh: TitleZh
    title_en: TitleEn = ""
    summary_zh: LongText = ""
    summary_en: LongText = ""
    includes_zh: LongText = ""
    includes_en: LongText = ""
    starts_on: dt.date
    ends_on: dt.date
    min_nights: Nights | None = None
    max_nights: Nights | None = None
    seats: Seats | None = None
    monthly_price_fen: Fen | None = None
    package_price_fen: Fen | None = None
    organiser_member_id: RowId | None = None  # default: the member that owns the base
    partner_member_id: RowId | None = None
    quotas: Quotas = msgspec.field(default_factory=list)
    cancellation_policy: Policy = msgspec.field(default_factory=list)
    health_requirements: Requirements = msgspec.field(default_factory=list)
    declaration_due_days: DueDays = 7


class TourPatch(BoundedDates, forbid_unknown_fields=True, kw_only=True):
    """A change to a tour: only the fields sent change. ``quotas`` and ``cancellation_policy``
    replace the whole list. ``base_id`` may be sent but never changed."""

    base_id: int | UnsetType = UNSET
    mode: TripMode | UnsetType = UNSET
    title_zh: TitleZh | UnsetType = UNSET
    title_en: TitleEn | UnsetType = UNSET
    summary_zh: LongText | UnsetType = UNSET
    summary_en: LongText | UnsetType = UNSET
    includes_zh: LongText | UnsetType = UNSET
    includes_en: LongText | UnsetType = UNSET
    starts_on: dt.date | UnsetType = UNSET
    ends_on: dt.date | UnsetType = UNSET
    min_nights: Nights | None | UnsetType = UNSET
    max_nights: Nights | None | UnsetType = UNSET
    seats: Seats | None | UnsetType = UNSET
    monthly_price_fen: Fen | None | UnsetType = UNSET
    package_price_fen: Fen | None | UnsetType = UNSET
    partner_member_id: RowId | None | UnsetType = UNSET
    quotas: Quotas | UnsetType = UNSET
    cancellation_policy: Policy | UnsetType = UNSET
    health_requirements: Requirements | UnsetType = UNSET
    declaration_due_days: DueDays | UnsetType = UNSET


class CancelDepartureIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason  # told to every traveller whose booking is cancelled


class QuotaTaken(msgspec.Struct):
    member_id: int
    seats: int
    taken: int


class OperatorTourOut(TourOut, kw_only=True):
    """A tour as its base's operators see it: drafts included, with what is taken."""

    summary_zh: str = ""
    summary_en: str = ""
    includes_zh: str = ""
    includes_en: str = ""
    seats_taken: int | None = None
    quota_taken: list[QuotaTaken] = msgspec.field(default_factory=list)
    active_bookings: int = 0  # holds still running, confirmed and checked-in bookings
    travellers_booked: int = 0
    warnings: list[str] = msgspec.field(default_factory=list)  # allowed, but probably not meant


class DepartureCancelledOut(msgspec.Struct):
    tour_id: int
    status: str
    bookings_cancelled: int
    refunded_fen: int
    waitlist_withdrawn: int
