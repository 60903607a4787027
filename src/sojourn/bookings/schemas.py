"""Bookings and waiting-list entries as the API reads and writes them."""

import datetime as dt
from typing import Annotated

import msgspec

from sojourn.dates import BoundedDates
from sojourn.ids import RowId

TravellerIds = Annotated[list[RowId], msgspec.Meta(min_length=1, max_length=10)]
Reason = Annotated[str, msgspec.Meta(max_length=500)]


class RoomsIn(msgspec.Struct, forbid_unknown_fields=True):
    room_type_id: RowId
    count: Annotated[int, msgspec.Meta(ge=1, le=10)]


class BookingIn(BoundedDates, forbid_unknown_fields=True):
    tour_id: RowId
    traveller_ids: TravellerIds
    arrival: dt.date | None = None  # migratory stays only; fixed-date tours use the tour's dates
    departure: dt.date | None = None
    # Rooms chosen; without them one room type is booked as before, several: the cheapest that fits.
    rooms: Annotated[list[RoomsIn], msgspec.Meta(min_length=1, max_length=10)] | None = None

    def rooms_wanted(self) -> list[tuple[int, int]] | None:
        return None if self.rooms is None else [(room.room_type_id, room.count) for room in self.rooms]


class BookingRoomOut(msgspec.Struct):
    room_type_id: int
    code: str
    name: str
    beds_per_room: int
    count: int


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""


class BookingTravellerOut(msgspec.Struct):
    id: int
    name: str
    age_at_arrival: int


class PaymentStepOut(msgspec.Struct):
    """One amount of a booking's payment schedule (``payments.instalments``)."""

    kind: str  # deposit | balance | full
    amount_fen: int
    due_at: dt.datetime
    status: str  # due | pending | paid | overdue | waived


class BookingOut(msgspec.Struct):
    id: int
    reference: str
    status: str
    tour_id: int
    tour_title: str
    mode: str
    base_id: int
    base_name: str
    arrival: dt.date
    departure: dt.date
    nights: int
    party_size: int
    total_fen: int
    refund_fen: int | None
    hold_expires_at: dt.datetime | None
    hold_extensions_left: int
    travellers: list[BookingTravellerOut]
    booked_by_account_id: int
    on_behalf: bool  # booked by a hotline agent for this account
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    # What cancelling now would refund, so nobody has to guess before clicking.
    refund_if_cancelled_now_fen: int | None = None
    waitlist_entry_id: int | None = None  # set when this hold is an offer from the waiting list
    # Dates count at the base: its time zone, whether the booker may cancel now, and until when
    # (a hold until it runs out, a stay until its departure day begins there). The defaults only
    # serve answers stored before these fields existed (idempotent replays).
    time_zone: str = "Asia/Shanghai"
    can_cancel: bool = False
    cancel_deadline: dt.datetime | None = None
    # The money (docs/payments.md): what is owed and when, what was paid, refunded, and how a refund goes.
    payment_schedule: list[PaymentStepOut] = msgspec.field(default_factory=list)
    paid_fen: int = 0
    refunded_fen: int = 0
    refund_status: str = "none"  # none | scheduled | processing | paid | failed
    rooms: list[BookingRoomOut] = msgspec.field(default_factory=list)  # the rooms held, a line per type


class WaitlistOut(msgspec.Struct):
    id: int
    status: str
    tour_id: int
    arrival: dt.date
    departure: dt.date
    party_size: int
    traveller_ids: list[int]
    position: int | None  # 1 = next in line; None once offered or closed
    offered_booking_id: int | None
    created_at: dt.datetime
