"""Health declarations (encrypted), PIPL consents and the screening rules that read them."""

from enum import Enum

from piccolo.columns import (
    JSONB,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    OnDelete,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from sojourn.accounts.tables import Account
from sojourn.bases.tables import Base
from sojourn.bookings.tables import Booking
from sojourn.tours.tables import Tour
from sojourn.travellers.tables import Traveller


class DeclarationStatus(str, Enum):
    draft = "draft"
    submitted = "submitted"
    info_requested = "info_requested"
    accepted = "accepted"
    declined = "declined"
    shredded = "shredded"  # content destroyed after the retention period


class Risk(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


class HealthDeclaration(Table, tablename="health_declaration"):
    """One traveller's declaration for one booking. Its content is encrypted at rest."""

    booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=False)
    traveller = ForeignKey(Traveller, on_delete=OnDelete.restrict, null=False)
    status = Varchar(length=16, choices=DeclarationStatus, default=DeclarationStatus.draft)
    content_cipher = Bytea(null=True, default=None)
    risk = Varchar(length=8, choices=Risk, null=True, default=None)
    due_on = Date()
    submitted_at = Timestamptz(null=True, default=None)
    submitted_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    reviewed_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)
    review_note_cipher = Bytea(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    shredded_at = Timestamptz(null=True, default=None)

    health_declaration_once_per_traveller = Unique(["booking", "traveller"])


class ConsentPurpose(str, Enum):
    collect_health = "collect_health"  # 单独同意: collect health data
    share_with_base = "share_with_base"  # 单独同意: pass it to the destination base


class Consent(Table, tablename="consent"):
    """A separate, versioned PIPL consent; withdrawing sets ``withdrawn_at``."""

    traveller = ForeignKey(Traveller, on_delete=OnDelete.restrict, null=False)
    # Sharing is consented per booking (its base); collecting may also be given once, without one.
    booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=True, default=None)
    purpose = Varchar(length=20, choices=ConsentPurpose)
    version = Varchar(length=12)
    granted_at = Timestamptz(default=TimestamptzNow())
    granted_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    withdrawn_at = Timestamptz(null=True, default=None)


class ScreeningRule(Table, tablename="screening_rule"):
    """A screening rule as data: when ``condition`` matches, ask for ``effect`` at ``risk``.

    Rules apply alliance-wide (no base, no tour), to one base, or to one tour.
    They ask for paperwork or a review; they never refuse by age alone.
    """

    code = Varchar(length=40)
    base = ForeignKey(Base, on_delete=OnDelete.cascade, null=True, default=None)
    tour = ForeignKey(Tour, on_delete=OnDelete.cascade, null=True, default=None)
    condition = JSONB()
    effect = Varchar(length=20)  # certificate, companion, review, warning: never a refusal (CHECK)
    risk = Varchar(length=8, choices=Risk)
    explanation_zh = Text()
    explanation_en = Text()
    active = Boolean(default=True)
    priority = SmallInt(default=100)

    screening_rule_one_scope = Check("base IS NULL OR tour IS NULL")


class ReviewMessage(Table, tablename="review_message"):
    """One turn of the conversation about a declaration: the base's question (or note) and the
    booker's answer, in order. The text may speak of health, so it is encrypted like the note."""

    declaration = ForeignKey(HealthDeclaration, on_delete=OnDelete.cascade, null=False, index=True)
    author = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    side = Varchar(length=10)  # base, booker
    text_cipher = Bytea(null=True, default=None)  # NULL once the declaration is shredded
    created_at = Timestamptz(default=TimestamptzNow())

    review_message_side = Check("side IN ('base', 'booker')")
