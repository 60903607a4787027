"""Arrivals at the base, traveller by traveller: check-in, check-out, no-show and a same-day
undo, with the days counted at the base.

- check-in: a traveller who is expected, from the arrival day (in the base's time zone) until
  the day before departure; a missing or not yet approved health form is a warning, never a
  refusal (the traveller is at the door);
- check-out: a traveller who is checked in;
- no-show: a traveller who is expected, once the arrival day is over;
- undo: a traveller's last step, on the day it was taken at the base (a check-in goes back to
  expected, a check-out to checked in, a no-show to expected).

A step for the whole booking applies to every traveller it fits. The booking's status follows
its travellers' (``bookings.states.status_from_attendance``). Anything else is a 409 that says
why. Beds are not given back by any of these: a stay that happened, or was kept for someone who
did not come, keeps its nights (``bookings.states.STATUSES_HOLDING_BEDS``), so no base lock is
taken; the booking row is locked, then its travellers in a fixed order. Each change is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import arrow
import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import states
from sojourn.bookings.stays import today_at
from sojourn.errors import Conflict, NotFound
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.operator.labels import ATTENDANCE, BOOKING_STATUS, label
from sojourn.operator.schemas import AttendanceOut, TravellerAttendance

SELECT_SQL = """
SELECT k.id, k.reference, k.status, k.base, k.tour, k.account, k.arrival, k.departure,
       k.checked_in_at, k.checked_out_at, bs.time_zone
FROM booking k JOIN base bs ON bs.id = k.base
"""

TRAVELLERS_SQL = """
SELECT bt.traveller AS traveller_id, tr.name, bt.attendance, bt.checked_in_at, bt.checked_out_at, bt.no_show_at,
       coalesce(hd.status, 'none') AS declaration_status
FROM booking_traveller bt
JOIN traveller tr ON tr.id = bt.traveller
LEFT JOIN health_declaration hd ON hd.booking = bt.booking AND hd.traveller = bt.traveller
WHERE bt.booking = $1
ORDER BY bt.traveller
"""

UPDATE_TRAVELLER_SQL = """
UPDATE booking_traveller SET attendance = $3::varchar,
       checked_in_at = CASE WHEN $3::varchar = 'checked_in' AND attendance = 'expected' THEN $4::timestamptz
                            WHEN $3::varchar = 'expected' THEN NULL ELSE checked_in_at END,
       checked_out_at = CASE WHEN $3::varchar = 'checked_out' THEN $4::timestamptz
                             WHEN $3::varchar IN ('checked_in', 'expected') THEN NULL ELSE checked_out_at END,
       no_show_at = CASE WHEN $3::varchar = 'no_show' THEN $4::timestamptz ELSE NULL END
WHERE booking = $1 AND traveller = $2
"""

PEOPLE_SQL = TRAVELLERS_SQL.replace("bt.traveller AS traveller_id", "bt.booking, bt.traveller AS traveller_id").replace(
    "WHERE bt.booking = $1", "WHERE bt.booking = ANY($1::int[])"
)

# Declarations the base has approved; anything else at check-in is worth a word to the desk.
APPROVED = "accepted"


def _day_at(instant: dt.datetime | None, time_zone: str) -> dt.date | None:
    return arrow.get(instant).to(time_zone).date() if instant else None


def last_step_at(person: Any) -> dt.datetime | None:
    """When the traveller's current attendance began (what an undo would take back)."""
    return {
        states.CHECKED_IN: person["checked_in_at"],
        states.CHECKED_OUT: person["checked_out_at"],
        states.NO_SHOW: person["no_show_at"],
    }.get(person["attendance"])


def traveller_attendance(person: Any, time_zone: str, today: dt.date) -> TravellerAttendance:
    return TravellerAttendance(
        traveller_id=person["traveller_id"],
        name=person["name"],
        attendance=person["attendance"],
        declaration_status=person["declaration_status"],
        checked_in_at=person["checked_in_at"],
        checked_out_at=person["checked_out_at"],
        no_show_at=person["no_show_at"],
        can_undo=_day_at(last_step_at(person), time_zone) == today,
    )


async def people_of(
    conn: asyncpg.Connection, booking_ids: list[int], time_zone: str, today: dt.date
) -> dict[int, list[TravellerAttendance]]:
    """Each booking's travellers at the front desk, by booking id."""
    found: dict[int, list[TravellerAttendance]] = {booking_id: [] for booking_id in booking_ids}
    for person in await conn.fetch(PEOPLE_SQL, booking_ids):
        found[person["booking"]].append(traveller_attendance(person, time_zone, today))
    return found


async def _out(conn: asyncpg.Connection, booking_id: int, now: dt.datetime, warnings: list[str]) -> AttendanceOut:
    row: Any = await conn.fetchrow(f"{SELECT_SQL} WHERE k.id = $1", booking_id)
    today = today_at(row["time_zone"], now)
    people = await conn.fetch(TRAVELLERS_SQL, booking_id)
    return AttendanceOut(
        id=row["id"],
        reference=row["reference"],
        status=row["status"],
        base_id=row["base"],
        tour_id=row["tour"],
        arrival=row["arrival"],
        departure=row["departure"],
        checked_in_at=row["checked_in_at"],
        checked_out_at=row["checked_out_at"],
        travellers=[traveller_attendance(person, row["time_zone"], today) for person in people],
        warnings=warnings,
    )


def _wrong_state(row: Any) -> Conflict:
    return Conflict(
        _l(
            "This cannot be done for a booking whose status is: %(status)s.",
            status=label(BOOKING_STATUS, row["status"]),
        ),
        code="wrong_status",
        status=row["status"],
    )


def _check_day(step: str, row: Any, today: dt.date) -> None:
    if step == "check_in":
        if today < row["arrival"]:
            raise Conflict(
                _l("Check-in opens on the arrival day, %(day)s.", day=row["arrival"].isoformat()), code="too_early"
            )
        if today >= row["departure"]:
            raise Conflict(_l("This stay is already over: mark the booking as a no-show instead."), code="stay_over")
    if step == "no_show" and today <= row["arrival"]:
        raise Conflict(
            _l("Travellers can still come until the end of the arrival day, %(day)s.", day=row["arrival"].isoformat()),
            code="too_early",
        )


def _nobody_fits(step: str, row: Any) -> Conflict:
    if step == "check_out":
        return Conflict(_l("Only a traveller who is checked in can check out."), code="not_checked_in")
    return _wrong_state(row)


def _health_warning(person: Any) -> str | None:
    if person["declaration_status"] == APPROVED:
        return None
    if person["declaration_status"] in ("none", "draft"):
        return _("%(name)s has not sent the health form.", name=person["name"])
    return _("The health form of %(name)s is not approved yet.", name=person["name"])


async def _locked(conn: asyncpg.Connection, principal: Principal, booking_id: int) -> tuple[Any, list[Any]]:
    """The booking (locked) if it is at one of the principal's bases, then its travellers (locked, by id)."""
    args: list[Any] = [booking_id]
    condition = policy.bookings_operated(principal, "k", args)
    row = await conn.fetchrow(f"{SELECT_SQL} WHERE k.id = $1 AND {condition} FOR UPDATE OF k", *args)
    if row is None:
        raise NotFound(_l("There is no booking with this number at the bases you operate."))
    await conn.execute("SELECT 1 FROM booking_traveller WHERE booking = $1 ORDER BY traveller FOR UPDATE", booking_id)
    return row, list(await conn.fetch(TRAVELLERS_SQL, booking_id))


async def _settle_booking(conn: asyncpg.Connection, row: Any, now: dt.datetime) -> str:
    """Set the booking's status (and its first check-in, last check-out) from its travellers'."""
    people = await conn.fetch(
        "SELECT attendance, checked_in_at, checked_out_at FROM booking_traveller WHERE booking = $1", row["id"]
    )
    status = states.status_from_attendance(person["attendance"] for person in people)
    checked_in = [person["checked_in_at"] for person in people if person["checked_in_at"]]
    checked_out = [person["checked_out_at"] for person in people if person["checked_out_at"]]
    await conn.execute(
        "UPDATE booking SET status = $2, checked_in_at = $3, checked_out_at = $4 WHERE id = $1",
        row["id"],
        status,
        min(checked_in) if checked_in else None,
        max(checked_out) if status == states.CHECKED_OUT and checked_out else None,
    )
    return status


async def booking_at_the_desk(principal: Principal, booking_id: int, *, now: dt.datetime) -> AttendanceOut:
    """A booking at one of the principal's bases with its travellers, changing nothing."""
    async with db.connection() as conn:
        args: list[Any] = [booking_id]
        condition = policy.bookings_operated(principal, "k", args)
        if await conn.fetchval(f"SELECT k.id FROM booking k WHERE k.id = $1 AND {condition}", *args) is None:
            raise NotFound(_l("There is no booking with this number at the bases you operate."))
        return await _out(conn, booking_id, now, [])


async def record_attendance(
    principal: Principal,
    booking_id: int,
    step: str,
    *,
    now: dt.datetime,
    traveller_id: int | None = None,
    ip: str = "",
) -> AttendanceOut:
    """Apply ``step`` (check_in, check_out, no_show) to one traveller of a booking at one of the
    principal's bases, or (``traveller_id`` None) to every traveller of it the step fits."""
    start, end = states.ATTENDANCE_STEPS[step]
    async with db.connection() as conn, conn.transaction():
        row, people = await _locked(conn, principal, booking_id)
        if row["status"] not in states.SOLD:
            raise _wrong_state(row)
        if traveller_id is not None:
            people = [person for person in people if person["traveller_id"] == traveller_id]
            if not people:
                raise NotFound(_l("This traveller is not on this booking."))
            if people[0]["attendance"] != start:
                raise Conflict(
                    _l(
                        "%(name)s is already marked: %(status)s.",
                        name=people[0]["name"],
                        status=label(ATTENDANCE, people[0]["attendance"]),
                    ),
                    code="not_checked_in" if step == "check_out" else "wrong_status",
                )
        fitting = [person for person in people if person["attendance"] == start]
        if not fitting:
            raise _nobody_fits(step, row)
        _check_day(step, row, today_at(row["time_zone"], now))
        for person in fitting:
            await conn.execute(UPDATE_TRAVELLER_SQL, booking_id, person["traveller_id"], end, now)
        status = await _settle_booking(conn, row, now)
        await audit.record(
            f"booking_{end}" if traveller_id is None else f"traveller_{end}",
            actor=principal,
            object_type="booking",
            object_id=booking_id,
            ip=ip,
            detail={
                "previous_status": row["status"],
                "status": status,
                "base_id": row["base"],
                "traveller_ids": [person["traveller_id"] for person in fitting],
            },
            conn=conn,
            at=now,
        )
        warnings = [w for person in fitting if (w := _health_warning(person))] if step == "check_in" else []
        return await _out(conn, booking_id, now, warnings)


async def undo_attendance(
    principal: Principal, booking_id: int, traveller_id: int, *, now: dt.datetime, ip: str = ""
) -> AttendanceOut:
    """Take back a traveller's last front-desk step, on the day it was taken at the base."""
    async with db.connection() as conn, conn.transaction():
        row, people = await _locked(conn, principal, booking_id)
        person = next((person for person in people if person["traveller_id"] == traveller_id), None)
        if person is None:
            raise NotFound(_l("This traveller is not on this booking."))
        back_to = states.UNDO_ATTENDANCE.get(person["attendance"])
        if back_to is None:
            raise Conflict(_l("%(name)s has nothing to undo.", name=person["name"]), code="nothing_to_undo")
        if _day_at(last_step_at(person), row["time_zone"]) != today_at(row["time_zone"], now):
            raise Conflict(
                _l("Only a step taken today can be undone. Ask an administrator to correct older ones."),
                code="undo_too_late",
            )
        await conn.execute(UPDATE_TRAVELLER_SQL, booking_id, traveller_id, back_to, now)
        status = await _settle_booking(conn, row, now)
        await audit.record(
            "traveller_attendance_undone",
            actor=principal,
            object_type="booking",
            object_id=booking_id,
            ip=ip,
            detail={
                "traveller_id": traveller_id,
                "undone": person["attendance"],
                "back_to": back_to,
                "previous_status": row["status"],
                "status": status,
                "base_id": row["base"],
            },
            conn=conn,
            at=now,
        )
        return await _out(conn, booking_id, now, [])
