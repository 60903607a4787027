"""Where a base is and how to get there, its check-in times and what to bring: read for the
public pages, the trip page and the API; changed by the base's own operators.

Coordinates are kept in GCJ-02 (``bases.geo`` says why); operators may type them in any of
the three datums used in China and say which.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import msgspec

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.bases import geo
from sojourn.bases.climate import climate_rows, rainy_months
from sojourn.bases.operated import operated_base
from sojourn.bases.photo_store import list_photos
from sojourn.bases.place_schemas import ClimateMonth, MapLinksOut, PhotoOut, PlaceIn, PlaceOut
from sojourn.errors import InvalidInput, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick

DEFAULT_CHECK_IN = dt.time(14, 0)
DEFAULT_CHECK_OUT = dt.time(12, 0)

# What every traveller should pack, whatever the base: shown on every trip page before the
# base's own list. Plain words; nothing here is a legal requirement we could not back up.
STANDARD_BRING = (
    _l("Your identity card (身份证): the base registers every guest with it."),
    _l("Your medical insurance card (医保卡), to see a doctor or buy medicine."),
    _l("All the medicines you take, enough for the whole stay and a few days more, with the prescriptions."),
    _l("Any health certificate or doctor's letter the base asked for, and your latest check-up results."),
)

PLACE_COLUMNS = (
    "latitude",
    "longitude",
    "airport_zh",
    "airport_en",
    "airport_km",
    "station_zh",
    "station_en",
    "station_km",
    "getting_there_zh",
    "getting_there_en",
    "pickup_offered",
    "pickup_price_fen",
    "pickup_how_zh",
    "pickup_how_en",
    "check_in_time",
    "check_out_time",
    "bring_zh",
    "bring_en",
    "climate_source",
)

PLACE_SQL = f"""
SELECT b.id, b.name_zh, b.name_en, b.address_zh, b.address_en, b.city_zh, b.city_en, b.contact_phone,
       b.time_zone, b.nearest_hospital_zh, b.nearest_hospital_en, b.hospital_distance_km, b.status,
       {", ".join("p." + column for column in PLACE_COLUMNS)},
       coalesce((SELECT json_agg(json_build_object('month', c.month, 'high_c', c.high_c, 'low_c', c.low_c,
                                                   'rain_mm', c.rain_mm, 'rainy', c.rainy) ORDER BY c.month)
                 FROM base_climate_month c WHERE c.base = b.id), '[]') AS climate
FROM base b LEFT JOIN base_place p ON p.base = b.id
WHERE b.id = $1
"""


@dataclass(frozen=True)
class Place:
    """Everything the pages show about getting to and staying at one base."""

    base_id: int
    name: str
    address: str
    phone: str
    time_zone: str
    point: geo.Point | None
    links: geo.MapLinks | None
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
    check_in: dt.time
    check_out: dt.time
    bring: list[str]
    climate: list[ClimateMonth]
    climate_source: str
    photos: list[PhotoOut] = field(default_factory=list)

    @property
    def rainy_months(self) -> list[int]:
        return rainy_months(self.climate)

    @property
    def phone_uri(self) -> str:
        """``tel:`` with the digits only (and a leading +), so a tap dials it."""
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}" if digits else ""


def _lines(text: str | None) -> list[str]:
    return [line.strip(" -•·\t") for line in (text or "").splitlines() if line.strip(" -•·\t")]


def place_from_row(row: Any, photos: list[PhotoOut]) -> Place:
    point = geo.Point(row["latitude"], row["longitude"]) if row["latitude"] is not None else None
    name = pick(row, "name")
    climate = row["climate"]
    if isinstance(climate, str):
        climate = json.loads(climate)
    return Place(
        base_id=row["id"],
        name=name,
        address=pick(row, "address") or pick(row, "city"),
        phone=row["contact_phone"] or "",
        time_zone=row["time_zone"],
        point=point,
        links=geo.map_links(point, name) if point else None,
        airport=pick(row, "airport"),
        airport_km=row["airport_km"],
        station=pick(row, "station"),
        station_km=row["station_km"],
        getting_there=pick(row, "getting_there"),
        pickup_offered=bool(row["pickup_offered"]),
        pickup_price_fen=row["pickup_price_fen"],
        pickup_how=pick(row, "pickup_how"),
        nearest_hospital=pick(row, "nearest_hospital"),
        hospital_distance_km=row["hospital_distance_km"],
        check_in=row["check_in_time"] or DEFAULT_CHECK_IN,
        check_out=row["check_out_time"] or DEFAULT_CHECK_OUT,
        bring=_lines(pick(row, "bring")),
        climate=climate_rows(climate),
        climate_source=row["climate_source"] or "",
        photos=photos,
    )


async def place_of(base_id: int, *, include_pending: bool = False) -> Place:
    """The place of a base the public may see (admitted or suspended; pending ones only when
    asked for, as for its own operators)."""
    async with db.connection() as conn:
        row = await conn.fetchrow(PLACE_SQL, base_id)
    if row is None or (row["status"] == "pending" and not include_pending):
        raise NotFound(_l("There is no base with this number."))
    return place_from_row(row, await list_photos(base_id))


def place_out(place: Place) -> PlaceOut:
    return PlaceOut(
        base_id=place.base_id,
        address=place.address,
        phone=place.phone,
        latitude=place.point.latitude if place.point else None,
        longitude=place.point.longitude if place.point else None,
        map_links=MapLinksOut(**place.links.__dict__) if place.links else None,
        airport=place.airport,
        airport_km=place.airport_km,
        station=place.station,
        station_km=place.station_km,
        getting_there=place.getting_there,
        pickup_offered=place.pickup_offered,
        pickup_price_fen=place.pickup_price_fen if place.pickup_offered else None,
        pickup_how=place.pickup_how,
        nearest_hospital=place.nearest_hospital,
        hospital_distance_km=place.hospital_distance_km,
        check_in_time=place.check_in.strftime("%H:%M"),
        check_out_time=place.check_out.strftime("%H:%M"),
        time_zone=place.time_zone,
        bring=place.bring,
        climate=place.climate,
        climate_source=place.climate_source,
        photos=place.photos,
    )


def _changed_columns(change: PlaceIn) -> dict[str, Any]:
    """Column -> new value for what the change sets, checked; InvalidInput names the fields."""
    given = {name: value for name, value in msgspec.structs.asdict(change).items() if value is not msgspec.UNSET}
    given.pop("datum", None)
    given.pop("phone", None)
    columns: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    latitude, longitude = given.pop("latitude", msgspec.UNSET), given.pop("longitude", msgspec.UNSET)
    if (latitude is msgspec.UNSET) != (longitude is msgspec.UNSET) or (latitude is None) != (longitude is None):
        message = _l("Give both the latitude and the longitude, or neither.")
        errors["latitude" if latitude in (None, msgspec.UNSET) else "longitude"] = message
    elif latitude is not msgspec.UNSET:
        if latitude is None:
            columns.update(latitude=None, longitude=None)
        else:
            point = geo.to_gcj02(latitude, longitude, change.datum)
            columns.update(latitude=point.latitude, longitude=point.longitude)
    if given.get("pickup_offered") is False:
        given["pickup_price_fen"] = None
    for name in ("check_in_time", "check_out_time"):
        if name in given:
            given[name] = dt.time.fromisoformat(given[name])
    for name, value in given.items():
        columns[name] = value.strip() if isinstance(value, str) else value
    if errors:
        raise InvalidInput(_l("Please correct the fields marked below."), field_errors=errors)
    return columns


async def update_place(principal: Principal, base_id: int, change: PlaceIn, *, now: dt.datetime) -> Place:
    columns = _changed_columns(change)
    async with db.connection() as conn, conn.transaction():
        await operated_base(conn, principal, base_id, lock=True)
        if change.phone is not msgspec.UNSET:
            await conn.execute("UPDATE base SET contact_phone = $2 WHERE id = $1", base_id, change.phone.strip())
        names = list(columns) + ["updated_at"]
        values = list(columns.values()) + [now]
        placeholders = ", ".join(f"${i}" for i in range(2, len(names) + 2))
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names)
        await conn.execute(
            f"INSERT INTO base_place (base, {', '.join(names)}) VALUES ($1, {placeholders}) "
            f"ON CONFLICT (base) DO UPDATE SET {updates}",
            base_id,
            *values,
        )
    return await place_of(base_id, include_pending=True)


async def place_form_values(base_id: int) -> dict[str, str]:
    """What the operators' form shows: the stored values in both languages, as typed."""
    async with db.connection() as conn:
        row = await conn.fetchrow(
            f"SELECT b.contact_phone, {', '.join('p.' + c for c in PLACE_COLUMNS)} "
            "FROM base b LEFT JOIN base_place p ON p.base = b.id WHERE b.id = $1",
            base_id,
        )
    if row is None:
        return {}
    values = {name: "" if row[name] is None else str(row[name]) for name in PLACE_COLUMNS}
    values["phone"] = row["contact_phone"] or ""
    values["check_in_time"] = (row["check_in_time"] or DEFAULT_CHECK_IN).strftime("%H:%M")
    values["check_out_time"] = (row["check_out_time"] or DEFAULT_CHECK_OUT).strftime("%H:%M")
    price = row["pickup_price_fen"]
    values["pickup_price_yuan"] = "" if price is None else f"{price / 100:g}"
    values["pickup_offered"] = "true" if row["pickup_offered"] else ""
    for name in ("airport_km", "station_km"):
        if row[name] is not None:
            values[name] = f"{row[name]:g}"
    return values
