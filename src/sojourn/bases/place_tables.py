"""What a traveller wants to know about a base before going: where it is and how to get there,
the climate month by month, check-in times and what to bring, and its photos.

Kept beside ``base`` (one row per base) rather than in it: the base row is the alliance's
record (admission, member, beds); this is the base's own description, edited by its operators.
"""

from piccolo.columns import (
    Boolean,
    Bytea,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Real,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.time import TimeCustom
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from sojourn.accounts.tables import Account
from sojourn.bases.tables import Base


class BasePlace(Table, tablename="base_place"):
    """Location, travel and practical information of one base.

    Coordinates are GCJ-02 (国测局坐标), the datum of 高德 and of Apple Maps in mainland China;
    links to 百度地图 convert them to BD-09 (``bases.geo``).
    """

    base = ForeignKey(Base, on_delete=OnDelete.cascade, null=False, unique=True)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    airport_zh = Varchar(length=80, default="")
    airport_en = Varchar(length=120, default="")
    airport_km = Real(null=True, default=None)
    station_zh = Varchar(length=80, default="")
    station_en = Varchar(length=120, default="")
    station_km = Real(null=True, default=None)
    getting_there_zh = Text(default="")
    getting_there_en = Text(default="")
    pickup_offered = Boolean(default=False)
    pickup_price_fen = Integer(null=True, default=None)  # None with pickup: free of charge
    pickup_how_zh = Text(default="")
    pickup_how_en = Text(default="")
    check_in_time = Time(default=TimeCustom(hour=14, minute=0, second=0))
    check_out_time = Time(default=TimeCustom(hour=12, minute=0, second=0))
    bring_zh = Text(default="")  # the base's own list, one item per line
    bring_en = Text(default="")
    climate_source = Varchar(length=200, default="")
    updated_at = Timestamptz(default=TimestamptzNow())

    base_place_coordinates = Check(
        "(latitude IS NULL) = (longitude IS NULL) AND (latitude IS NULL OR "
        "(latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180))"
    )
    base_place_distances = Check(
        "coalesce(airport_km, 0) >= 0 AND coalesce(station_km, 0) >= 0 AND coalesce(pickup_price_fen, 0) >= 0"
    )


class BaseClimateMonth(Table, tablename="base_climate_month"):
    """Average daily high and low (°C) and rainfall of one calendar month at a base."""

    base = ForeignKey(Base, on_delete=OnDelete.cascade, null=False)
    month = SmallInt()
    high_c = Real()
    low_c = Real()
    rain_mm = Integer(null=True, default=None)
    rainy = Boolean(default=False)

    base_climate_month_once = Unique(["base", "month"])
    base_climate_month_sane = Check(
        "month BETWEEN 1 AND 12 AND low_c <= high_c AND low_c >= -60 AND high_c <= 60 AND coalesce(rain_mm, 0) >= 0"
    )


class Photo(Table, tablename="photo"):
    """A photo of a base or, once rooms exist, of one of its room types.

    ``room_type_id`` stays NULL for photos of the base itself; the rooms migration adds its
    foreign key. The uploaded file is not kept: only the processed sizes (``PhotoRendition``).
    """

    base = ForeignKey(Base, on_delete=OnDelete.cascade, null=False)
    room_type_id = Integer(null=True, default=None)
    position = SmallInt(default=0)
    alt_zh = Varchar(length=200)
    alt_en = Varchar(length=240)
    width = Integer()
    height = Integer()
    source_sha256 = Varchar(length=64)
    uploaded_by = ForeignKey(Account, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    photo_alt_text_given = Check("length(btrim(alt_zh)) > 0 AND length(btrim(alt_en)) > 0")


class PhotoRendition(Table, tablename="photo_rendition"):
    """One processed size of a photo in one format; served by the hash of its bytes."""

    photo = ForeignKey(Photo, on_delete=OnDelete.cascade, null=False)
    width = Integer()
    height = Integer()
    format = Varchar(length=4)  # "webp" or "jpeg"
    digest = Varchar(length=32)  # the first 128 bits of the SHA-256 of ``content``, in hex
    content = Bytea()

    photo_rendition_once = Unique(["photo", "width", "format"])
    photo_rendition_format = Check("format IN ('webp', 'jpeg')")
