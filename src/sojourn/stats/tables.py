"""Rollups behind the coordinators' statistics: small tables whose size follows bases × months.

They are kept up to date by database triggers (see the migration "stats rollups: functions and
triggers" and ``stats/rollups.py`` for the definitions) in the same transaction as the change
they count, and can be rebuilt from the raw rows at any time (``rollups.rebuild``). Health
counts are the exception: their source is encrypted, so ``stats/health_counts.py`` maintains
them when a declaration is submitted, changed or its consent withdrawn.

Ids are plain integers, not foreign keys: a rollup row says nothing the raw rows do not.
``month`` is always the first day of a month.
"""

from piccolo.columns import BigInt, Date, Integer, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table


class StatsStayMonth(Table, tablename="stats_stay_month"):
    """Sold stays per base, month, trip mode and the travellers' home province.

    ``bed_nights``: traveller-nights falling in the month; ``travellers``: travellers whose
    stay starts (arrives) in the month, so a long stay counts once however many months it spans.
    ``origin_member`` is the member that sent an exchange traveller (0 when none).
    """

    base_id = Integer()
    month = Date()
    mode = Varchar(length=12)
    origin_code = Varchar(length=6)
    origin_member = Integer(default=0)
    travellers = Integer(default=0)
    bed_nights = Integer(default=0)

    stats_stay_month_once = Unique(["base_id", "month", "mode", "origin_code", "origin_member"])


class StatsBookingMonth(Table, tablename="stats_booking_month"):
    """Bookings per base, arrival month, mode, origin province and outcome
    (``confirmed``: confirmed, checked in or out; ``no_show``; ``cancelled`` after confirming).

    A booking whose travellers come from several provinces counts under the first in code order.
    """

    base_id = Integer()
    month = Date()
    mode = Varchar(length=12)
    origin_code = Varchar(length=6)
    outcome = Varchar(length=10)
    bookings = Integer(default=0)
    travellers = Integer(default=0)

    stats_booking_month_once = Unique(["base_id", "month", "mode", "origin_code", "outcome"])


class StatsCapacityMonth(Table, tablename="stats_capacity_month"):
    """Beds offered per base and month: the sum of ``capacity_night.beds`` over its nights."""

    base_id = Integer()
    month = Date()
    beds = Integer(default=0)

    stats_capacity_month_once = Unique(["base_id", "month"])


class StatsFeedbackMonth(Table, tablename="stats_feedback_month"):
    """Sums of visible feedback per base, the stay's arrival month and mode (for feedback.scores)."""

    base_id = Integer()
    month = Date()
    mode = Varchar(length=12)
    reviews = Integer(default=0)
    accommodation = Integer(default=0)
    food = Integer(default=0)
    medical = Integer(default=0)
    activities = Integer(default=0)
    staff = Integer(default=0)
    transport = Integer(default=0)
    value = Integer(default=0)
    safety = Integer(default=0)
    promoters = Integer(default=0)
    detractors = Integer(default=0)

    stats_feedback_month_once = Unique(["base_id", "month", "mode"])


class StatsHealthMonth(Table, tablename="stats_health_month"):
    """How many submitted health declarations per base, arrival month and mode have a trait:
    ``facet`` / ``value`` such as risk/high, age_band/75-79, condition/diabetes; the facet
    ``all`` counts the declarations themselves."""

    base_id = Integer()
    month = Date()
    mode = Varchar(length=12)
    facet = Varchar(length=16)
    value = Varchar(length=24)
    declarations = Integer(default=0)

    stats_health_month_once = Unique(["base_id", "month", "mode", "facet", "value"])


class StatsVersion(Table, tablename="stats_version"):
    """A counter per base (0: alliance-wide changes), set from a sequence whenever something
    the statistics count changes; cached answers are keyed by the sum and the maximum."""

    base_id = Integer(unique=True)
    version = BigInt(default=0)


# Coarser rollups for the questions asked most (the whole alliance, no base picked): their size
# follows bases × months (or provinces × months) and stops growing early, so the dashboards cost
# the same at a hundred thousand bookings and at ten million. The same triggers keep them.


class StatsBaseStayMonth(Table, tablename="stats_base_stay_month"):
    """``stats_stay_month`` without the origin: sold stays per base, month and mode (occupancy)."""

    base_id = Integer()
    month = Date()
    mode = Varchar(length=12)
    travellers = Integer(default=0)
    bed_nights = Integer(default=0)

    stats_base_stay_month_once = Unique(["base_id", "month", "mode"])


class OutcomeColumns:
    """Bookings by outcome side by side (a row per outcome would leave the rare ones, no-shows,
    sparse for a long time, and the table growing with them). Piccolo copies mixin columns."""

    confirmed_bookings = Integer(default=0)
    confirmed_travellers = Integer(default=0)
    no_show_bookings = Integer(default=0)
    no_show_travellers = Integer(default=0)
    cancelled_bookings = Integer(default=0)


class StatsBaseBookingMonth(OutcomeColumns, Table, tablename="stats_base_booking_month"):
    """``stats_booking_month`` without the origin: one row per base, arrival month and mode."""

    base_id = Integer()
    month = Date()
    mode = Varchar(length=12)

    stats_base_booking_month_once = Unique(["base_id", "month", "mode"])


class FlowColumns:
    """Sold stays per month, mode, origin (province and sending member) and destination (the
    base's province and owning member)."""

    month = Date()
    mode = Varchar(length=12)
    origin_code = Varchar(length=6)
    origin_member = Integer(default=0)
    destination_code = Varchar(length=6)
    destination_member = Integer(default=0)
    travellers = Integer(default=0)
    bed_nights = Integer(default=0)


class StatsFlowMonth(FlowColumns, Table, tablename="stats_flow_month"):
    """``stats_stay_month`` without the base, for flows and exchange balances across the alliance.

    Many bases add to one row, so booking changes do not update it directly (two busy bases would
    queue behind each other's row locks): they append to ``stats_flow_change``, readers add the
    two, and a periodic job folds the changes in (``stats_fold_flows()``)."""

    stats_flow_month_once = Unique(
        ["month", "mode", "origin_code", "origin_member", "destination_code", "destination_member"]
    )


class StatsFlowChange(FlowColumns, Table, tablename="stats_flow_change"):
    """Changes to ``stats_flow_month`` not folded in yet (signed amounts)."""


class OriginBookingColumns(OutcomeColumns):
    """Bookings per arrival month, mode, origin province and the member that owns the base."""

    month = Date()
    mode = Varchar(length=12)
    origin_code = Varchar(length=6)
    destination_member = Integer(default=0)


class StatsOriginBookingMonth(OriginBookingColumns, Table, tablename="stats_origin_booking_month"):
    """``stats_booking_month`` without the base (the bookings of a member: at its bases or from
    its province). Kept like ``stats_flow_month``: changes go to ``stats_origin_booking_change``,
    readers add the two, ``stats_fold_flows()`` folds."""

    stats_origin_booking_month_once = Unique(["month", "mode", "origin_code", "destination_member"])


class StatsOriginBookingChange(OriginBookingColumns, Table, tablename="stats_origin_booking_change"):
    """Changes to ``stats_origin_booking_month`` not folded in yet (signed amounts)."""
