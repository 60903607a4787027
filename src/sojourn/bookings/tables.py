"""Bookings (holds and confirmed stays), their travellers, waiting lists and idempotency records."""

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

from sojourn.accounts.tables import Account
from sojourn.alliance.tables import Member
from sojourn.bases.tables import Base, RoomType
from sojourn.bookings.states import BookingStatus
from sojourn.tours.tables import Tour
from sojourn.travellers.tables import Traveller


class Booking(Table, tablename="booking"):
    """A stay of ``party_size`` travellers for the nights [arrival, departure)."""

    reference = Varchar(length=12, unique=True)
    tour = ForeignKey(Tour, on_delete=OnDelete.restrict, null=False)
    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)
    account = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)  # whose trip this is
    booked_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)  # who acted (self or an agent)
    origin_member = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None)
    status = Varchar(length=12, choices=BookingStatus, default=BookingStatus.held)
    arrival = Date()
    departure = Date()
    nights = SmallInt()
    party_size = SmallInt()
    total_fen = Integer()
    refund_fen = Integer(null=True, default=None)
    hold_expires_at = Timestamptz(null=True, default=None)
    hold_extensions = SmallInt(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancelled_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)
    cancel_reason = Text(default="")
    checked_in_at = Timestamptz(null=True, default=None)
    checked_out_at = Timestamptz(null=True, default=None)

    booking_stay_in_order = Check("departure > arrival AND nights = departure - arrival")
    booking_party_not_empty = Check("party_size > 0")
    booking_money_not_negative = Check("total_fen >= 0 AND (refund_fen IS NULL OR refund_fen BETWEEN 0 AND total_fen)")
    booking_held_has_expiry = Check("status <> 'held' OR hold_expires_at IS NOT NULL")


class BookingRoom(Table, tablename="booking_room"):
    """Rooms of one type a booking takes on each of its nights (a line per type)."""

    booking = ForeignKey(Booking, on_delete=OnDelete.cascade, null=False)
    room_type = ForeignKey(RoomType, on_delete=OnDelete.restrict, null=False)
    rooms = SmallInt()

    booking_room_once_per_type = Unique(["booking", "room_type"])
    booking_room_rooms_positive = Check("rooms > 0")


class Attendance(str, Enum):
    expected = "expected"
    checked_in = "checked_in"
    checked_out = "checked_out"
    no_show = "no_show"


class BookingTraveller(Table, tablename="booking_traveller"):
    """A traveller on a booking, with what mattered at booking time, and whether they came
    (the front desk checks each traveller in and out; the booking's status follows, see
    ``bookings.states.status_from_attendance``)."""

    booking = ForeignKey(Booking, on_delete=OnDelete.cascade, null=False)
    traveller = ForeignKey(Traveller, on_delete=OnDelete.restrict, null=False)
    home_province_code = Varchar(length=6)
    age_at_arrival = SmallInt()
    attendance = Varchar(length=12, choices=Attendance, default=Attendance.expected)
    checked_in_at = Timestamptz(null=True, default=None)
    checked_out_at = Timestamptz(null=True, default=None)
    no_show_at = Timestamptz(null=True, default=None)

    booking_traveller_once_per_booking = Unique(["booking", "traveller"])


class WaitlistStatus(str, Enum):
    waiting = "waiting"
    offered = "offered"  # an offer (a hold) is open
    booked = "booked"  # the offer was confirmed
    lapsed = "lapsed"  # the offer expired unused
    withdrawn = "withdrawn"


class WaitlistEntry(Table, tablename="waitlist_entry"):
    """A request to be offered beds on a sold-out stay, served first come, first served."""

    tour = ForeignKey(Tour, on_delete=OnDelete.restrict, null=False)
    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)
    account = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    booked_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    traveller_ids = Array(Integer())
    party_size = SmallInt()
    arrival = Date()
    departure = Date()
    status = Varchar(length=12, choices=WaitlistStatus, default=WaitlistStatus.waiting)
    offered_booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    offered_at = Timestamptz(null=True, default=None)
    # The rooms asked for, [{"room_type_id", "count"}]; empty: the cheapest arrangement that fits.
    rooms = JSONB(default=list)

    waitlist_entry_stay_in_order = Check("departure > arrival AND party_size = cardinality(traveller_ids)")


class IdempotencyRecord(Table, tablename="idempotency_record"):
    """The first response to a request made with an ``Idempotency-Key``."""

    account = ForeignKey(Account, on_delete=OnDelete.cascade, null=False)
    scope = Varchar(length=40)
    key = Varchar(length=255)
    request_hash = Varchar(length=64)
    status_code = SmallInt()
    response = JSONB()
    created_at = Timestamptz(default=TimestamptzNow())

    idempotency_record_once_per_key = Unique(["account", "scope", "key"])
