"""Arrivals at the base: check-in, check-out and no-show, with the days counted at the base.

- check-in: a confirmed booking, from its arrival day (in the base's time zone) until the
  day before departure;
- check-out: a booking that is checked in;
- no-show: a confirmed booking once its arrival day is over.

Anything else is a 409 that says why. Beds are not given back by any of these: a stay that
happened, or was kept for someone who did not come, keeps its nights (see
``bookings.states.STATUSES_HOLDING_BEDS``). Each change is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import states
from sojourn.bookings.stays import today_at
from sojourn.errors import Conflict, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.operator.labels import BOOKING_STATUS, label
from sojourn.operator.schemas import AttendanceOut

SELECT_SQL = """
SELECT k.id, k.reference, k.status, k.base, k.tour, k.account, k.arrival, k.departure,
       k.checked_in_at, k.checked_out_at, bs.time_zone
FROM booking k JOIN base bs ON bs.id = k.base
"""


def attendance_out(row: Any) -> AttendanceOut:
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


def _can_check_in(row: Any, today: dt.date) -> None:
    if not states.may_become(row["status"], states.CHECKED_IN):
        raise _wrong_state(row)
    if today < row["arrival"]:
        raise Conflict(
            _l("Check-in opens on the arrival day, %(day)s.", day=row["arrival"].isoformat()), code="too_early"
        )
    if today >= row["departure"]:
        raise Conflict(_l("This stay is already over: mark the booking as a no-show instead."), code="stay_over")


def _can_check_out(row: Any, today: dt.date) -> None:
    if not states.may_become(row["status"], states.CHECKED_OUT):
        raise Conflict(_l("Only a traveller who is checked in can check out."), code="not_checked_in")


def _can_mark_no_show(row: Any, today: dt.date) -> None:
    if not states.may_become(row["status"], states.NO_SHOW):
        raise _wrong_state(row)
    if today <= row["arrival"]:
        raise Conflict(
            _l("Travellers can still come until the end of the arrival day, %(day)s.", day=row["arrival"].isoformat()),
            code="too_early",
        )


STEPS: dict[str, tuple[Callable[[Any, dt.date], None], str, str]] = {
    "check_in": (_can_check_in, states.CHECKED_IN, "checked_in_at"),
    "check_out": (_can_check_out, states.CHECKED_OUT, "checked_out_at"),
    "no_show": (_can_mark_no_show, states.NO_SHOW, ""),
}


async def record_attendance(
    principal: Principal, booking_id: int, step: str, *, now: dt.datetime, ip: str = ""
) -> AttendanceOut:
    """Apply ``step`` (check_in, check_out, no_show) to a booking at one of the principal's bases."""
    check, status, stamp = STEPS[step]
    async with db.connection() as conn, conn.transaction():
        args: list[Any] = [booking_id]
        condition = policy.bookings_operated(principal, "k", args)
        row = await conn.fetchrow(f"{SELECT_SQL} WHERE k.id = $1 AND {condition} FOR UPDATE OF k", *args)
        if row is None:
            raise NotFound(_l("There is no booking with this number at the bases you operate."))
        check(row, today_at(row["time_zone"], now))
        stamp_sql = f", {stamp} = $3" if stamp else ""
        await conn.execute(
            f"UPDATE booking SET status = $2{stamp_sql} WHERE id = $1",
            *([booking_id, status, now] if stamp else [booking_id, status]),
        )
        await audit.record(
            f"booking_{status}",
            actor=principal,
            object_type="booking",
            object_id=booking_id,
            ip=ip,
            detail={"previous_status": row["status"], "base_id": row["base"]},
            conn=conn,
            at=now,
        )
        return attendance_out(await conn.fetchrow(f"{SELECT_SQL} WHERE k.id = $1", booking_id))
