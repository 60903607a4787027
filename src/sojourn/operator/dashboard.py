"""The base's day at a glance: who arrives and leaves today, declarations waiting for a
decision, holds about to run out, and occupancy for the next 90 nights."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.bookings import states
from sojourn.bookings.stays import today_at
from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.operator import occupancy
from sojourn.operator.attendance import people_of
from sojourn.operator.bases import base_ref, operated_base
from sojourn.operator.schemas import DashboardOut, DayAtTheDesk, HoldItem, OccupancyOut, StayItem, WeekOut

OCCUPANCY_NIGHTS = 90
EXPIRING_WITHIN = dt.timedelta(minutes=30)
MAX_OCCUPANCY_NIGHTS = 400

STAYS_SQL = """
SELECT k.id, k.reference, k.status, k.tour, k.arrival, k.departure, k.party_size,
       k.checked_in_at, k.checked_out_at, t.title_zh, t.title_en,
       coalesce((SELECT json_agg(tr.name ORDER BY tr.name) FROM booking_traveller bt
                 JOIN traveller tr ON tr.id = bt.traveller WHERE bt.booking = k.id), '[]') AS names
FROM booking k JOIN tour t ON t.id = k.tour
WHERE k.base = $1 AND {condition}
ORDER BY k.arrival, k.reference
LIMIT 500
"""

ARRIVING = f"k.arrival = $2 AND {states.status_in_sql('k', states.DUE_TO_ARRIVE)}"
LEAVING = f"k.departure = $2 AND {states.status_in_sql('k', states.ARRIVED)}"
STAYING = f"k.status = '{states.CHECKED_IN}'"
# The front desk on a given day: who comes, who is late, who leaves, who stays on.
DESK_ARRIVING = ARRIVING
DESK_LATE = f"k.arrival < $2 AND k.departure > $2 AND k.status = '{states.CONFIRMED}'"
DESK_LEAVING = LEAVING
DESK_STAYING = f"{STAYING} AND k.departure <> $2 AND k.arrival <> $2"  # not again those arriving that day
# A week ahead: who is due to come and who is due to leave each day, whatever the desk did yet.
WEEK_ARRIVING = ARRIVING
WEEK_LEAVING = f"k.departure = $2 AND {states.status_in_sql('k', states.GOING_AHEAD)}"
WEEK_DAYS = 7

EXPIRING_SQL = f"""
SELECT k.id, k.reference, k.tour, k.arrival, k.departure, k.party_size, k.hold_expires_at, t.title_zh, t.title_en
FROM booking k JOIN tour t ON t.id = k.tour
WHERE k.base = $1 AND {states.live_hold_sql("k", "$2")} AND k.hold_expires_at <= $3
ORDER BY k.hold_expires_at
"""

# Forms of bookings that no longer go ahead wait for nobody: they are not counted.
AWAITING_SQL = f"""
SELECT count(*)::int FROM health_declaration hd JOIN booking k ON k.id = hd.booking
WHERE k.base = $1 AND hd.status = 'submitted' AND {states.active_sql("k", "$2")}
"""


def stay_item(row: Any) -> StayItem:
    names = row["names"]
    if isinstance(names, str):
        names = json.loads(names)
    return StayItem(
        booking_id=row["id"],
        reference=row["reference"],
        status=row["status"],
        tour_id=row["tour"],
        tour_title=pick(row, "title"),
        arrival=row["arrival"],
        departure=row["departure"],
        party_size=row["party_size"],
        travellers=names,
        checked_in_at=row["checked_in_at"],
        checked_out_at=row["checked_out_at"],
    )


async def stays(conn: Any, base_id: int, condition: str, day: dt.date | None = None) -> list[StayItem]:
    args: list[Any] = [base_id] + ([day] if day is not None else [])
    return [stay_item(row) for row in await conn.fetch(STAYS_SQL.format(condition=condition), *args)]


async def dashboard(principal: Principal, base_id: int, *, now: dt.datetime) -> DashboardOut:
    async with db.connection() as conn:
        base = await operated_base(conn, principal, base_id)
        today = today_at(base["time_zone"], now)
        expiring = await conn.fetch(EXPIRING_SQL, base_id, now, now + EXPIRING_WITHIN)
        staying = await stays(conn, base_id, STAYING)
        return DashboardOut(
            base_id=base_id,
            base_name=base_ref(base).name,
            today=today,
            arrivals=await stays(conn, base_id, ARRIVING, today),
            departures=await stays(conn, base_id, LEAVING, today),
            staying=sum(item.party_size for item in staying),
            declarations_awaiting=await conn.fetchval(AWAITING_SQL, base_id, now),
            holds_expiring=[
                HoldItem(
                    booking_id=row["id"],
                    reference=row["reference"],
                    tour_id=row["tour"],
                    tour_title=pick(row, "title"),
                    arrival=row["arrival"],
                    departure=row["departure"],
                    party_size=row["party_size"],
                    hold_expires_at=row["hold_expires_at"],
                    minutes_left=max(math.ceil((row["hold_expires_at"] - now).total_seconds() / 60), 0),
                )
                for row in expiring
            ],
            occupancy=await occupancy.nights(conn, base_id, today, today + dt.timedelta(days=OCCUPANCY_NIGHTS), now),
        )


async def base_occupancy(
    principal: Principal, base_id: int, start: dt.date, end: dt.date, *, now: dt.datetime
) -> OccupancyOut:
    if end <= start:
        message = _l("The end date must be after the start date.")
        raise InvalidInput(message, field_errors={"end": message})
    if (end - start).days > MAX_OCCUPANCY_NIGHTS:
        message = _l("Ask for at most 400 nights at a time.")
        raise InvalidInput(message, field_errors={"end": message})
    async with db.connection() as conn:
        await operated_base(conn, principal, base_id)
        return OccupancyOut(
            base_id=base_id, start=start, end=end, nights=await occupancy.nights(conn, base_id, start, end, now)
        )


async def _with_people(conn: Any, items: list[StayItem], time_zone: str, today: dt.date) -> list[StayItem]:
    people = await people_of(conn, [item.booking_id for item in items], time_zone, today)
    for item in items:
        item.people = people[item.booking_id]
    return items


async def front_desk(
    principal: Principal, base_id: int, day: dt.date, *, now: dt.datetime
) -> dict[str, list[StayItem]]:
    """The lists the front desk works from on ``day``, each booking with its travellers."""
    async with db.connection() as conn:
        base = await operated_base(conn, principal, base_id)
        today = today_at(base["time_zone"], now)
        return {
            name: await _with_people(conn, await stays(conn, base_id, condition, day), base["time_zone"], today)
            for name, condition in (
                ("arriving", DESK_ARRIVING),
                ("late", DESK_LATE),
                ("leaving", DESK_LEAVING),
                ("staying", DESK_STAYING),
            )
        }


async def week_at_the_desk(principal: Principal, base_id: int, start: dt.date | None, *, now: dt.datetime) -> WeekOut:
    """Arrivals and departures for the seven days from ``start`` (today at the base when None),
    each booking with its travellers."""
    async with db.connection() as conn:
        base = await operated_base(conn, principal, base_id)
        today = today_at(base["time_zone"], now)
        start = start or today
        days = []
        for offset in range(WEEK_DAYS):
            day = start + dt.timedelta(days=offset)
            arriving = await stays(conn, base_id, WEEK_ARRIVING, day)
            leaving = await stays(conn, base_id, WEEK_LEAVING, day)
            days.append(
                DayAtTheDesk(
                    day=day,
                    arriving=await _with_people(conn, arriving, base["time_zone"], today),
                    leaving=await _with_people(conn, leaving, base["time_zone"], today),
                )
            )
        return WeekOut(base_id=base_id, start=start, days=days)
