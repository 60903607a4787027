"""The booking engine's rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class TourToBook(msgspec.Struct, frozen=True):
    """A tour with what booking it needs from its base (``taking.TOUR_SQL``)."""

    id: int
    base: int
    mode: str
    status: str
    base_status: str
    time_zone: str
    title_zh: str
    title_en: str
    base_name_zh: str
    base_name_en: str
    starts_on: dt.date
    ends_on: dt.date
    min_nights: int | None
    max_nights: int | None
    monthly_price_fen: int | None
    package_price_fen: int | None
    seats: int | None
    seats_taken: int
    has_expired_holds: bool = False


class TravellerToBook(msgspec.Struct, frozen=True):
    """A traveller, locked for booking (``taking.TRAVELLERS_SQL``)."""

    id: int
    account: int
    name: str
    birth_date: dt.date
    home_province_code: str
    already_away: bool


class BookingRow(msgspec.Struct, frozen=True):
    """A booking with its tour's and base's words (``queries.BOOKING_SELECT``)."""

    id: int
    reference: str
    tour: int
    base: int
    account: int
    booked_by: int
    origin_member: int | None
    status: str
    arrival: dt.date
    departure: dt.date
    nights: int
    party_size: int
    total_fen: int
    refund_fen: int | None
    hold_expires_at: dt.datetime | None
    hold_extensions: int
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    title_zh: str
    title_en: str
    mode: str
    cancellation_policy: Any  # JSON text or list of tiers
    base_name_zh: str
    base_name_en: str
    time_zone: str
    traveller_list: Any  # JSON text or list of {id, name, age_at_arrival}
    waitlist_entry_id: int | None
    room_list: Any = None  # JSON text or list of {room_type_id, code, name_zh, name_en, beds_per_room, count}


class WaitlistEntryRow(msgspec.Struct, frozen=True):
    """A waiting-list entry (``waitlist_entry``), with its place in line when it is waiting."""

    id: int
    tour: int
    base: int
    account: int
    booked_by: int
    traveller_ids: list[int]
    party_size: int
    arrival: dt.date
    departure: dt.date
    status: str
    offered_booking: int | None
    created_at: dt.datetime
    position: int | None = None
    rooms: Any = None  # JSON text or list of {room_type_id, count}: the rooms asked for (empty: any)
