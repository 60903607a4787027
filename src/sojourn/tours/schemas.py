"""Tours as the API shows them."""

import datetime as dt

import msgspec


class RefundTier(msgspec.Struct):
    days_before: int  # at least this many days before arrival (in the base's time zone)
    refund_percent: int


class QuotaOut(msgspec.Struct):
    member_id: int
    seats: int
    seats_left: int
    province_code: str = ""  # the member's province: its travellers book these seats
    province: str = ""  # its name, in the reader's language
    member_name: str = ""


class TourOut(msgspec.Struct):
    id: int
    mode: str
    status: str
    base_id: int
    base_name: str
    province_code: str
    city_code: str
    city: str
    title: str
    title_zh: str
    title_en: str
    summary: str
    includes: str
    starts_on: dt.date
    ends_on: dt.date
    min_nights: int | None
    max_nights: int | None
    price_per_night_fen: int | None
    monthly_price_fen: int | None
    package_price_fen: int | None
    seats: int | None
    seats_left: int | None
    organiser_member_id: int
    partner_member_id: int | None
    quotas: list[QuotaOut]
    cancellation_policy: list[RefundTier]
    health_requirements: list[str]
    declaration_due_days: int
    medical_level: str
    accessibility: list[str]
    time_zone: str  # the base's: its dates (arrival days, "today") count there


class StayOut(TourOut):
    """A tour as a search by dates finds it: the stay it offers for those dates and its price.

    ``arrival``/``departure`` are the stay's own (a fixed-date tour's dates lie inside the ones
    searched for); ``total_fen`` is for the whole party. All null when the search had no dates.
    """

    arrival: dt.date | None = None
    departure: dt.date | None = None
    nights: int | None = None
    party: int | None = None
    total_fen: int | None = None
    rating: float | None = None  # smoothed overall score (1–5) when sorted by rating
    distance_km: int | None = None  # from the home province's seat, great-circle


class StayPage(msgspec.Struct):
    items: list[StayOut]
    total: int
    total_is_lower_bound: bool = False  # "more than total": a dated search counts up to a limit
