"""Operators set beds per night. Never below what is taken: the answer names the nights
and the bookings in the way. More beds serve the waiting list at once."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import calendar, live, states, waitlist_offers
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.locking import lock_base
from sojourn.config import Settings
from sojourn.dates import BoundedDates
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.i18n import lazy_gettext as _l

MAX_NIGHTS = 731  # two years at a time
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]


class CapacityIn(BoundedDates, forbid_unknown_fields=True):
    start: dt.date
    end: dt.date  # exclusive: the first night not changed
    beds: Annotated[int, msgspec.Meta(ge=0, le=10_000)]
    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)] | None = None  # ISO: 1 = Monday


class CapacityOut(msgspec.Struct):
    base_id: int
    start: dt.date
    end: dt.date
    beds: int
    nights_changed: int
    offers_made: int


BLOCKING_BOOKINGS_SQL = f"""
SELECT DISTINCT b.reference, b.arrival, b.departure, b.party_size, b.status FROM booking b
WHERE b.base = $1 AND {states.status_in_sql("b", states.STATUSES_HOLDING_BEDS)}
  AND b.arrival <= $3 AND b.departure > $2
ORDER BY b.arrival LIMIT 20
"""


async def change_capacity(
    principal: Principal, base_id: int, data: CapacityIn, *, settings: Settings, now: dt.datetime, ip: str = ""
) -> CapacityOut:
    if not policy.operates_base(principal, base_id):
        raise NotFound(_l("There is no base with this number among the bases you operate."))
    if data.end <= data.start:
        message = _l("The end date must be after the start date.")
        raise InvalidInput(message, field_errors={"end": message})
    if (data.end - data.start).days > MAX_NIGHTS:
        message = _l("Change at most two years of nights at a time.")
        raise InvalidInput(message, field_errors={"end": message})
    weekdays = sorted(set(data.weekdays)) if data.weekdays else None
    async with db.connection() as conn, conn.transaction():
        with map_database_errors():
            await lock_base(conn, base_id, settings.lock_timeout_ms)
            await calendar.release_expired_holds(conn, base_id, now)
            below = await calendar.nights_below_taken(conn, base_id, data.start, data.end, data.beds, weekdays)
            if below:
                blocking = await conn.fetch(BLOCKING_BOOKINGS_SQL, base_id, below[0][0], below[-1][0])
                raise Conflict(
                    _l("Some nights already have more beds taken than that. Lower them after those stays."),
                    code="below_taken",
                    nights_below_taken=[{"date": night.isoformat(), "taken": taken} for night, taken in below],
                    bookings_in_the_way=[
                        {
                            "reference": row["reference"],
                            "arrival": row["arrival"].isoformat(),
                            "departure": row["departure"].isoformat(),
                            "party_size": row["party_size"],
                            "status": row["status"],
                        }
                        for row in blocking
                    ],
                )
            changed, grew = await calendar.set_beds(conn, base_id, data.start, data.end, data.beds, weekdays)
            offers = await waitlist_offers.offer_freed_beds(conn, base_id, settings=settings, now=now) if grew else 0
            await audit.record(
                "capacity_changed",
                actor=principal,
                object_type="base",
                object_id=base_id,
                ip=ip,
                detail={
                    "start": data.start.isoformat(),
                    "end": data.end.isoformat(),
                    "beds": data.beds,
                    "weekdays": weekdays,
                    "nights": changed,
                },
                conn=conn,
            )
    await live.capacity_changed(base_id)
    return CapacityOut(
        base_id=base_id, start=data.start, end=data.end, beds=data.beds, nights_changed=changed, offers_made=offers
    )
