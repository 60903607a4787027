"""The statistics as the API returns them: flat rows, one table each, so every one is also a CSV."""

from __future__ import annotations

import msgspec

from sojourn.feedback.schemas import AspectScores, NpsOut, ScoreOut


class FlowOut(msgspec.Struct):
    """Travellers from one province staying in another (sold stays only)."""

    origin_code: str  # GB/T 2260 code of the travellers' home province
    origin_name: str
    destination_code: str  # province of the base
    destination_name: str
    travellers: int  # arriving in the period
    bed_nights: int  # nights in the period × travellers


class OccupancyOut(msgspec.Struct):
    base_id: int
    base_name: str
    member_id: int
    month: str  # YYYY-MM
    sold: int  # bed-nights sold
    available: int  # bed-nights offered in the capacity calendar
    rate: float | None  # sold ÷ available, None without beds


class ExchangeOut(msgspec.Struct):
    """Interactive exchanges between two members, seen from ``member``'s side."""

    member_id: int
    member_code: str
    member_name: str
    partner_id: int
    partner_code: str
    partner_name: str
    sent_travellers: int
    received_travellers: int
    sent_bed_nights: int
    received_bed_nights: int
    balance_bed_nights: int  # sent − received: positive means the member sent more than it hosted


class SatisfactionOut(msgspec.Struct):
    group: str  # "base" or "member"
    id: int
    name: str
    member_id: int
    review_count: int
    overall: ScoreOut
    aspects: AspectScores
    nps: NpsOut
    nps_reliable: bool
    prior_weight: int


class HealthMixOut(msgspec.Struct):
    """One cell of a base's health mix. ``count`` and ``share`` are None when suppressed."""

    base_id: int
    base_name: str
    period: str  # the calendar quarter of arrival, e.g. 2027-Q1: the only period counts are given for
    facet: str  # all, risk, age_band, companion, condition, mobility
    value: str
    label: str
    count: int | None
    share: float | None  # count ÷ declarations
    declarations: int | None  # the base's submitted declarations in the period (None if under 5)
    suppressed: bool


class BookingsOut(msgspec.Struct):
    """Bookings per month of arrival and mode."""

    month: str
    mode: str
    sold_bookings: int  # confirmed, checked in or out, no-show
    sold_travellers: int
    no_show_bookings: int
    cancelled_bookings: int  # cancelled after being confirmed
