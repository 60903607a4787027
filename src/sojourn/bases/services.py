"""Reading bases, and what their capacity calendars have left."""

from __future__ import annotations

import datetime as dt

from sojourn import db
from sojourn.bases.schemas import BaseOut, NightAvailability
from sojourn.bases.tables import Base, BaseStatus
from sojourn.bookings import rooms, states
from sojourn.errors import NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick


def base_out(row: dict) -> BaseOut:
    return BaseOut(
        id=row["id"],
        name=pick(row, "name"),
        name_zh=row["name_zh"],
        name_en=row["name_en"],
        member_id=row["member"],
        province_code=row["province_code"],
        city_code=row["city_code"],
        city=pick(row, "city"),
        address=pick(row, "address"),
        summary=pick(row, "summary"),
        season_start_month=row["season_start_month"],
        season_end_month=row["season_end_month"],
        medical_level=row["medical_level"],
        nearest_hospital=pick(row, "nearest_hospital"),
        hospital_distance_km=row["hospital_distance_km"],
        altitude_m=row["altitude_m"],
        accessibility=list(row["accessibility"] or []),
        time_zone=row["time_zone"],
        total_beds=row["total_beds"],
        status=row["status"],
    )


async def list_bases(province: str | None = None, mode: str | None = None) -> list[BaseOut]:
    query = Base.select().where(Base.status != BaseStatus.pending).order_by(Base.province_code)
    if province:
        query = query.where((Base.province_code == province) | (Base.city_code == province))
    if mode:
        from sojourn.tours.services import base_ids_offering

        offering = await base_ids_offering(mode)
        if not offering:  # Piccolo refuses an empty IN list
            return []
        query = query.where(Base.id.is_in(offering))
    return [base_out(row) for row in await query]


async def get_base(base_id: int) -> BaseOut:
    row = await Base.select().where((Base.id == base_id) & (Base.status != BaseStatus.pending)).first()
    if row is None:
        raise NotFound(_l("There is no base with this number."))
    return base_out(row)


# Dates that belong to no one base (search by month, a traveller's age on the search page) are
# counted in Beijing time, where every member province is. A base's own dates use its time zone.
ALLIANCE_TIME_ZONE = "Asia/Shanghai"


# Beds left on a night: beds minus what is taken, giving back holds that have already
# expired but were not yet released (expiry must never block anyone, even before the sweep).
AVAILABILITY_SQL = f"""
SELECT c.night,
       c.beds - c.taken + coalesce((
           SELECT sum({rooms.beds_held_sql("b")}) FROM booking b
           WHERE b.base = c.base AND {states.releasable_hold_sql("b", "$4")}
             AND b.arrival <= c.night AND b.departure > c.night
       ), 0)::int AS beds_left
FROM capacity_night c
WHERE c.base = $1 AND c.night >= $2 AND c.night < $3
ORDER BY c.night
"""


async def availability(base_id: int, start: dt.date, end: dt.date, now: dt.datetime) -> list[NightAvailability]:
    """Beds left per night in [start, end); nights with no calendar row have none."""
    async with db.connection() as conn:
        rows = await conn.fetch(AVAILABILITY_SQL, base_id, start, end, now)
    known = {row["night"]: row["beds_left"] for row in rows}
    nights = []
    day = start
    while day < end:
        nights.append(NightAvailability(date=day, beds_left=max(known.get(day, 0), 0)))
        day += dt.timedelta(days=1)
    return nights
