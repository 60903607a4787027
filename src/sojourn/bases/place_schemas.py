"""The place as the API shows and takes it: location and travel, climate, photos."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

Km = Annotated[float, msgspec.Meta(ge=0, le=5000)]
ShortText = Annotated[str, msgspec.Meta(max_length=80)]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, local time")]


class PhotoSource(msgspec.Struct):
    format: str  # webp or jpeg
    width: int
    height: int
    url: str


class PhotoOut(msgspec.Struct):
    id: int
    base_id: int
    room_type_id: int | None
    position: int
    alt: str
    alt_zh: str
    alt_en: str
    width: int
    height: int
    sources: list[PhotoSource]


class PhotoPatch(msgspec.Struct, forbid_unknown_fields=True):
    alt_zh: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    alt_en: Annotated[str, msgspec.Meta(max_length=240)] | None = None
    position: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None


class ClimateMonth(msgspec.Struct):
    month: Annotated[int, msgspec.Meta(ge=1, le=12)]
    high_c: Annotated[float, msgspec.Meta(ge=-60, le=60)]
    low_c: Annotated[float, msgspec.Meta(ge=-60, le=60)]
    rain_mm: Annotated[int, msgspec.Meta(ge=0, le=3000)] | None = None
    rainy: bool = False


class ClimateIn(msgspec.Struct, forbid_unknown_fields=True):
    months: Annotated[list[ClimateMonth], msgspec.Meta(max_length=12)]
    source: Annotated[str, msgspec.Meta(max_length=200)] = ""


class MapLinksOut(msgspec.Struct):
    amap: str
    baidu: str
    apple: str


class PlaceIn(msgspec.Struct, forbid_unknown_fields=True):
    """What an operator sets about getting there and staying. A field left out stays as it is;
    ``null`` clears it. Coordinates come in ``datum`` and are kept as GCJ-02."""

    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None | UnsetType = UNSET
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None | UnsetType = UNSET
    datum: Literal["gcj02", "wgs84", "bd09"] = "gcj02"
    phone: Annotated[str, msgspec.Meta(max_length=20, pattern=r"^(|[0-9+\-() ]{5,20})$")] | UnsetType = UNSET
    airport_zh: ShortText | UnsetType = UNSET
    airport_en: Annotated[str, msgspec.Meta(max_length=120)] | UnsetType = UNSET
    airport_km: Km | None | UnsetType = UNSET
    station_zh: ShortText | UnsetType = UNSET
    station_en: Annotated[str, msgspec.Meta(max_length=120)] | UnsetType = UNSET
    station_km: Km | None | UnsetType = UNSET
    getting_there_zh: LongText | UnsetType = UNSET
    getting_there_en: LongText | UnsetType = UNSET
    pickup_offered: bool | UnsetType = UNSET
    pickup_price_fen: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] | None | UnsetType = UNSET
    pickup_how_zh: LongText | UnsetType = UNSET
    pickup_how_en: LongText | UnsetType = UNSET
    check_in_time: ClockTime | UnsetType = UNSET
    check_out_time: ClockTime | UnsetType = UNSET
    bring_zh: LongText | UnsetType = UNSET
    bring_en: LongText | UnsetType = UNSET


class PlaceOut(msgspec.Struct):
    base_id: int
    address: str
    phone: str
    latitude: float | None  # GCJ-02
    longitude: float | None
    map_links: MapLinksOut | None
    airport: str
    airport_km: float | None
    station: str
    station_km: float | None
    getting_there: str
    pickup_offered: bool
    pickup_price_fen: int | None
    pickup_how: str
    nearest_hospital: str
    hospital_distance_km: float
    check_in_time: str  # HH:MM at the base
    check_out_time: str
    time_zone: str
    bring: list[str]  # the base's own list (the standard list is on every trip page)
    climate: list[ClimateMonth]
    climate_source: str
    photos: list[PhotoOut]
