"""Group tours offered at a base: migratory stays, vacation packages, interactive exchanges."""

from enum import Enum

from piccolo.columns import (
    JSONB,
    Array,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from sojourn.alliance.tables import Member, TripMode
from sojourn.bases.tables import Base


class TourStatus(str, Enum):
    draft = "draft"
    published = "published"
    closed = "closed"  # no new bookings; existing ones stand
    cancelled = "cancelled"  # departure cancelled; its bookings are refunded in full


class Tour(Table, tablename="tour"):
    """A tour at a base.

    Fixed-date tours (vacation, interactive) run from ``starts_on`` (arrival) to
    ``ends_on`` (departure) and sell ``seats`` at ``package_price_fen`` each.
    Migratory tours are a season window: travellers choose arrival and
    departure inside [starts_on, ends_on], stay at least ``min_nights`` and pay
    ``monthly_price_fen`` turned into nights.
    """

    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)
    organiser = ForeignKey(Member, on_delete=OnDelete.restrict, null=False)
    partner = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None)
    mode = Varchar(length=12, choices=TripMode)
    status = Varchar(length=12, choices=TourStatus, default=TourStatus.draft)
    title_zh = Varchar(length=120)
    title_en = Varchar(length=160)
    summary_zh = Text(default="")
    summary_en = Text(default="")
    includes_zh = Text(default="")
    includes_en = Text(default="")
    starts_on = Date()
    ends_on = Date()
    min_nights = SmallInt(null=True, default=None)
    max_nights = SmallInt(null=True, default=None)
    monthly_price_fen = Integer(null=True, default=None)
    package_price_fen = Integer(null=True, default=None)
    seats = Integer(null=True, default=None)
    seats_taken = Integer(default=0)
    # [{"days_before": 30, "refund_percent": 100}, {"days_before": 7, "refund_percent": 50}]
    cancellation_policy = JSONB(default=[])
    health_requirements = Array(Varchar(length=30), default=list)
    declaration_due_days = SmallInt(default=7)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    tour_dates_in_order = Check("ends_on > starts_on")
    tour_seats_within_limit = Check("seats_taken >= 0 AND (seats IS NULL OR seats_taken <= seats)")
    tour_prices_not_negative = Check("coalesce(monthly_price_fen, 0) >= 0 AND coalesce(package_price_fen, 0) >= 0")
    tour_priced_for_its_mode = Check(
        "(mode = 'migratory' AND monthly_price_fen IS NOT NULL AND min_nights IS NOT NULL)"
        " OR (mode <> 'migratory' AND package_price_fen IS NOT NULL AND seats IS NOT NULL)"
    )
    tour_partner_only_for_exchanges = Check(
        "(mode = 'interactive') = (partner IS NOT NULL) AND partner IS DISTINCT FROM organiser"
    )
    tour_nights_in_order = Check(
        "min_nights IS NULL OR (min_nights > 0 AND (max_nights IS NULL OR max_nights >= min_nights))"
    )


class TourQuota(Table, tablename="tour_quota"):
    """Seats of an interactive tour reserved for the travellers of one member."""

    tour = ForeignKey(Tour, on_delete=OnDelete.cascade, null=False)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False)
    seats = Integer()
    taken = Integer(default=0)

    tour_quota_one_quota_per_member = Unique(["tour", "member"])
    tour_quota_taken_within_quota = Check("taken >= 0 AND taken <= seats")
