"""The statistics' rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt

import msgspec


class BookingsInMonth(msgspec.Struct, frozen=True):
    """Bookings sold, not shown up and cancelled in a month, per trip mode (``bookings_over_time``)."""

    month: dt.date
    mode: str
    sold_bookings: int
    sold_travellers: int
    no_show_bookings: int
    cancelled_bookings: int


class ExchangeLeg(msgspec.Struct, frozen=True):
    """Interactive trips' travellers and bed-nights from one member to another (``exchange.LEGS_SQL``)."""

    sender: int
    receiver: int
    travellers: int
    bed_nights: int


class MemberName(msgspec.Struct, frozen=True):
    id: int
    code: str
    name_zh: str
    name_en: str


class BaseName(msgspec.Struct, frozen=True):
    id: int
    name_zh: str
    name_en: str


class BaseOfMember(msgspec.Struct, frozen=True):
    """A base with its member's names (``satisfaction.BASES_SQL``)."""

    id: int
    name_zh: str
    name_en: str
    member: int
    member_name_zh: str
    member_name_en: str


class Flow(msgspec.Struct, frozen=True):
    """Travellers and bed-nights from a home province to a destination (``flows.FLOWS_SQL``)."""

    origin_code: str
    destination_code: str
    travellers: int
    bed_nights: int


class OccupancyInMonth(msgspec.Struct, frozen=True):
    """A base's beds sold and offered in a month (``occupancy.OCCUPANCY_SQL``)."""

    base_id: int
    name_zh: str
    name_en: str
    member: int
    month: dt.date
    sold: int
    available: int


class CountedDeclaration(msgspec.Struct, frozen=True):
    """What a declaration's contribution to the health counts depends on (``health_counts.TARGET_SQL``)."""

    status: str
    content_cipher: bytes | None
    base: int
    month: dt.date
    mode: str
    age_at_arrival: int


class HealthCount(msgspec.Struct, frozen=True):
    """Declarations of one base and quarter with one facet's value (``health_mix.COUNTS_SQL``)."""

    base_id: int
    quarter: dt.date
    facet: str
    value: str
    n: int


class FeedbackTotals(msgspec.Struct, frozen=True):
    """A base's feedback sums in a period, per aspect (``satisfaction.TOTALS_SQL``)."""

    base_id: int
    n: int
    promoters: int
    detractors: int
    accommodation: int
    food: int
    medical: int
    activities: int
    staff: int
    transport: int
    value: int
    safety: int
