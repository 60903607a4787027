"""Sojourn bases, their room types and capacity calendars (rooms per type and night, beds per night)."""

from enum import Enum

from piccolo.columns import (
    Array,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Real,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.column_types import Serial
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from sojourn.alliance.tables import Member


class MedicalLevel(str, Enum):
    hospital_on_site = "hospital_on_site"  # 院内医院
    clinic_on_site = "clinic_on_site"  # 院内诊所 / 医务室
    nurse_on_call = "nurse_on_call"  # 护士值守
    partner_hospital = "partner_hospital"  # 签约医院


class BaseStatus(str, Enum):
    pending = "pending"  # applied, not yet admitted by the alliance
    admitted = "admitted"
    suspended = "suspended"  # takes no new bookings; existing ones stand


class Base(Table, tablename="base"):
    """A sojourn base (旅居基地): an elder-care institution or health resort that hosts seniors."""

    id: Serial  # Piccolo adds the primary key itself; declared so type checkers know it

    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False)
    name_zh = Varchar(length=80)
    name_en = Varchar(length=120)
    province_code = Varchar(length=6)
    city_code = Varchar(length=6)
    city_zh = Varchar(length=40, default="")
    city_en = Varchar(length=60, default="")
    address_zh = Varchar(length=200, default="")
    address_en = Varchar(length=240, default="")
    summary_zh = Text(default="")
    summary_en = Text(default="")
    season_start_month = SmallInt(null=True, default=None)
    season_end_month = SmallInt(null=True, default=None)
    medical_level = Varchar(length=20, choices=MedicalLevel, default=MedicalLevel.clinic_on_site)
    nearest_hospital_zh = Varchar(length=120, default="")
    nearest_hospital_en = Varchar(length=160, default="")
    hospital_distance_km = Real(default=0.0)
    altitude_m = Integer(default=0)
    accessibility = Array(Varchar(length=30), default=list)
    time_zone = Varchar(length=40, default="Asia/Shanghai")
    total_beds = Integer(default=0)
    contact_phone = Varchar(length=20, default="")
    status = Varchar(length=12, choices=BaseStatus, default=BaseStatus.admitted)
    created_at = Timestamptz(default=TimestamptzNow())

    base_codes_are_gb2260 = Check("province_code ~ '^[1-9][0-9]0000$' AND city_code ~ '^[0-9]{6}$'")
    base_season_months = Check(
        "(season_start_month IS NULL AND season_end_month IS NULL) OR "
        "(season_start_month BETWEEN 1 AND 12 AND season_end_month BETWEEN 1 AND 12)"
    )
    base_beds_not_negative = Check("total_beds >= 0 AND hospital_distance_km >= 0")


class CapacityNight(Table, tablename="capacity_night"):
    """Beds offered and taken (held or booked) at a base on one night.

    ``taken`` is maintained by the booking engine under the base's lock; the
    CHECK is the last line of defence against overbooking.
    """

    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)
    night = Date()
    beds = Integer()
    taken = Integer(default=0)

    capacity_night_one_row_per_night = Unique(["base", "night"])
    capacity_night_taken_within_beds = Check("taken >= 0 AND taken <= beds")


class PricePer(str, Enum):
    person = "person"
    room = "room"


class PricePeriod(str, Enum):
    night = "night"
    month = "month"  # migratory stays: turned into nights at 1/30 of the month (tours.pricing)


class RoomType(Table, tablename="room_type"):
    """A kind of room a base sells (单人间, 大床房, 双床房, 无障碍房, 套间 ...).

    ``price_fen`` NULL: the tour's own price per traveller (the default ``bed`` type every base had
    before room types, migration "room types"); otherwise the room's price replaces it for the
    travellers in these rooms, per room or per person, per night or per month.
    """

    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)
    code = Varchar(length=20)
    name_zh = Varchar(length=40)
    name_en = Varchar(length=60)
    beds_per_room = SmallInt(default=1)
    accessible = Boolean(default=False)
    price_fen = Integer(null=True, default=None)
    price_per = Varchar(length=8, choices=PricePer, default=PricePer.person)
    price_period = Varchar(length=8, choices=PricePeriod, default=PricePeriod.night)
    sort_order = SmallInt(default=0)

    room_type_code_once_per_base = Unique(["base", "code"])
    room_type_beds_per_room = Check("beds_per_room BETWEEN 1 AND 8")
    room_type_price_not_negative = Check("price_fen IS NULL OR price_fen >= 0")


class RoomNight(Table, tablename="room_night"):
    """Rooms of one type offered and taken (held or booked) on one night: what is sold.

    ``capacity_night`` stays the base's bed figure (beds = sum of rooms x beds per room, taken
    likewise), kept by a trigger in the statement that changes this table.
    """

    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)
    room_type = ForeignKey(RoomType, on_delete=OnDelete.restrict, null=False)
    night = Date()
    rooms = Integer()
    taken_rooms = Integer(default=0)

    room_night_one_row_per_type_and_night = Unique(["room_type", "night"])
    room_night_taken_within_rooms = Check("taken_rooms >= 0 AND taken_rooms <= rooms")


class FreeRun(Table, tablename="free_run"):
    """A maximal run of nights [starts, ends) on which a base has at least ``k`` beds free
    (``beds - taken >= k``), for k = 1..10 (the largest party a search asks for).

    Kept exactly by the trigger on ``capacity_night`` (migration "free runs"), in the same
    statement that changes the calendar, so searching by dates asks "which bases have k beds
    free on every night of [arrival, departure)" with one index probe instead of reading each
    night. Derived data: never written by the application, rebuilt by ``free_runs_rebuild()``.
    """

    base = ForeignKey(Base, on_delete=OnDelete.cascade, null=False)
    k = SmallInt()
    starts = Date()
    ends = Date()  # exclusive: the first night that is not free (or has no calendar row)

    free_run_is_a_run = Check("k BETWEEN 1 AND 10 AND starts < ends")
