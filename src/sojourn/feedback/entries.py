"""Giving and correcting feedback on a stay: only once it has ended, once per traveller and
booking, and changeable for 14 days. Hotline agents may enter it for a senior who gave them
a mandate; ``entered_by`` keeps who did, and the audit log who acted for whom."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role
from sojourn.audit import services as audit
from sojourn.bookings import states
from sojourn.bookings.queries import fetch_booking
from sojourn.bookings.rows import BookingRow
from sojourn.bookings.stays import today_at
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.feedback.rows import FeedbackRow
from sojourn.feedback.schemas import (
    BookingFeedbackOut,
    FeedbackEdit,
    FeedbackIn,
    FeedbackOut,
    Ratings,
    TravellerRef,
)
from sojourn.feedback.tables import RATING_ASPECTS
from sojourn.i18n import lazy_gettext as _l

EDIT_WINDOW = dt.timedelta(days=14)
# Feedback is taken until a year after the stay (as on the large review sites): older
# impressions say little about the base as it is now, and would skew its scores.
SUBMIT_WINDOW = dt.timedelta(days=365)

# Control characters other than tab and newline never belong in a comment.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

FEEDBACK_SELECT = """
SELECT f.*, b.reference, b.account AS booking_account, b.arrival, b.departure, tr.name AS traveller_name
FROM feedback f JOIN booking b ON b.id = f.booking JOIN traveller tr ON tr.id = f.traveller
"""

_ASPECT_COLUMNS = ", ".join(RATING_ASPECTS)
_ASPECT_PLACEHOLDERS = ", ".join(f"${i}" for i in range(5, 5 + len(RATING_ASPECTS)))
_N = 5 + len(RATING_ASPECTS)
INSERT_SQL = f"""
INSERT INTO feedback (booking, traveller, base, entered_by, {_ASPECT_COLUMNS}, nps, comment,
                      created_at, updated_at, editable_until)
VALUES ($1, $2, $3, $4, {_ASPECT_PLACEHOLDERS}, ${_N}, ${_N + 1}, ${_N + 2}, ${_N + 2}, ${_N + 3})
RETURNING id
"""
_M = 2 + len(RATING_ASPECTS)
UPDATE_SQL = (
    "UPDATE feedback SET "
    + ", ".join(f"{aspect} = ${i}" for i, aspect in enumerate(RATING_ASPECTS, start=2))
    + f", nps = ${_M}, comment = ${_M + 1}, updated_at = ${_M + 2} WHERE id = $1"
)


def clean_comment(text: str) -> str:
    """Trimmed, with Windows line ends unified and stray control characters dropped."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _stay_not_taken() -> Conflict:
    return Conflict(
        _l("Feedback can only be given on a stay that took place. This booking was cancelled or did not go ahead."),
        code="stay_not_taken",
    )


def feedback_refusal(status: str, departure: dt.date, today: dt.date) -> Conflict | None:
    """Why feedback cannot be given on this booking today (``today`` at the base), or None."""
    if status in states.DID_NOT_HAPPEN:
        return _stay_not_taken()
    if status != states.CHECKED_OUT and departure > today:  # checking out early ends the stay early
        return Conflict(
            _l(
                "You can give feedback once your stay has ended, from %(date)s.",
                date=departure.isoformat(),
            ),
            code="stay_not_over",
        )
    if status not in states.GOING_AHEAD:  # a hold never confirmed
        return _stay_not_taken()
    if today - departure > SUBMIT_WINDOW:
        return Conflict(
            _l("Feedback can be given until one year after a stay. This stay ended too long ago."),
            code="feedback_closed",
        )
    return None


def ratings_of(row: FeedbackRow) -> Ratings:
    return Ratings(**{aspect: getattr(row, aspect) for aspect in RATING_ASPECTS})


def feedback_out(row: FeedbackRow, now: dt.datetime) -> FeedbackOut:
    return FeedbackOut(
        id=row.id,
        booking_id=row.booking,
        booking_reference=row.reference,
        base_id=row.base,
        traveller_id=row.traveller,
        traveller_name=row.traveller_name,
        ratings=ratings_of(row),
        nps=row.nps,
        comment=row.comment,
        created_at=row.created_at,
        updated_at=row.updated_at,
        editable_until=row.editable_until,
        editable=now < row.editable_until and not row.hidden,
        entered_by_account_id=row.entered_by,
        entered_on_behalf=row.entered_by != row.booking_account,
        hidden=row.hidden,
        reply=row.reply,
        replied_at=row.replied_at,
    )


def _travellers(booking: BookingRow) -> list[dict[str, Any]]:
    travellers = booking.traveller_list
    return json.loads(travellers) if isinstance(travellers, str) else list(travellers)


def _chosen_traveller(booking: BookingRow, requested: int | None) -> int:
    on_booking = [traveller["id"] for traveller in _travellers(booking)]
    if requested is None:
        if len(on_booking) == 1:
            return on_booking[0]
        message = _l("Several people travelled on this booking. Choose whose feedback this is.")
        raise InvalidInput(message, field_errors={"traveller_id": message})
    if requested not in on_booking:
        message = _l("This traveller is not on this booking.")
        raise InvalidInput(message, field_errors={"traveller_id": message})
    return requested


async def _may_act_for(conn: asyncpg.Connection, principal: Principal, traveller_id: int) -> bool:
    """An agent needs the traveller's own mandate, not just one for someone on the booking."""
    args: list[Any] = [traveller_id]
    condition = policy.travellers_visible(principal, "t", args)
    return bool(await conn.fetchval(f"SELECT 1 FROM traveller t WHERE t.id = $1 AND {condition}", *args))


async def fetch_feedback(conn: asyncpg.Connection, feedback_id: int) -> FeedbackRow:
    """One feedback, known to exist (just written or locked)."""
    return rows.row(FeedbackRow, await conn.fetchrow(f"{FEEDBACK_SELECT} WHERE f.id = $1", feedback_id))


def _values(data: FeedbackIn | FeedbackEdit) -> list[Any]:
    ratings = msgspec.structs.asdict(data.ratings)
    return [ratings[aspect] for aspect in RATING_ASPECTS] + [data.nps, clean_comment(data.comment)]


def _already_given(existing_id: int | None) -> Conflict:
    return Conflict(
        _l("This traveller has already given feedback on this stay. It can be changed for 14 days after it was given."),
        code="feedback_exists",
        feedback_id=existing_id,
    )


async def give_feedback(
    principal: Principal, booking_id: int, data: FeedbackIn, *, now: dt.datetime, ip: str = ""
) -> FeedbackOut:
    """One traveller's feedback on an ended stay. A second one for the same traveller and
    booking is refused by the unique constraint, so two at once cannot both get in."""
    traveller_id: int | None = None
    async with db.connection() as conn:
        try:
            async with conn.transaction():
                booking = await fetch_booking(conn, principal, booking_id, policy.bookings_changeable)
                refusal = feedback_refusal(booking.status, booking.departure, today_at(booking.time_zone, now))
                if refusal is not None:
                    raise refusal
                traveller_id = _chosen_traveller(booking, data.traveller_id)
                if not await _may_act_for(conn, principal, traveller_id):
                    raise NotFound(_l("You may give feedback only for travellers you look after."))
                feedback_id = await conn.fetchval(
                    INSERT_SQL,
                    booking_id,
                    traveller_id,
                    booking.base,
                    principal.account_id,
                    *_values(data),
                    now,
                    now + EDIT_WINDOW,
                )
                if principal.account_id != booking.account:
                    await audit.record(
                        "feedback_given_on_behalf",
                        actor=principal,
                        object_type="feedback",
                        object_id=feedback_id,
                        on_behalf_of=booking.account,
                        ip=ip,
                        detail={"booking_id": booking_id, "traveller_id": traveller_id},
                        conn=conn,
                    )
                return feedback_out(await fetch_feedback(conn, feedback_id), now)
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name != "feedback_once_per_traveller":
                raise
            existing = await conn.fetchval(
                "SELECT id FROM feedback WHERE booking = $1 AND traveller = $2",
                booking_id,
                traveller_id,
            )
            raise _already_given(existing) from None


async def _writable_row(conn: asyncpg.Connection, principal: Principal, feedback_id: int, *, lock: bool) -> FeedbackRow:
    args: list[Any] = [feedback_id]
    condition = policy.feedback_writable(principal, "f", args)
    suffix = " FOR UPDATE OF f" if lock else ""
    row = rows.row_or_none(
        FeedbackRow, await conn.fetchrow(f"{FEEDBACK_SELECT} WHERE f.id = $1 AND {condition}{suffix}", *args)
    )
    if row is None:
        raise NotFound(_l("There is no feedback with this number in your account."))
    return row


async def correct_feedback(
    principal: Principal, feedback_id: int, data: FeedbackEdit, *, now: dt.datetime, ip: str = ""
) -> FeedbackOut:
    """Replace ratings, answer and comment within 14 days of giving them."""
    async with db.connection() as conn, conn.transaction():
        row = await _writable_row(conn, principal, feedback_id, lock=True)
        if row.hidden:
            raise Conflict(
                _l("This feedback was taken off the public page and can no longer be changed. Call 96111 for help."),
                code="feedback_hidden",
            )
        if now >= row.editable_until:
            raise Conflict(
                _l("Feedback can be changed for 14 days after it was given. That time has passed."),
                code="feedback_locked",
            )
        await conn.execute(UPDATE_SQL, feedback_id, *_values(data), now)
        if principal.account_id != row.booking_account:
            await audit.record(
                "feedback_changed_on_behalf",
                actor=principal,
                object_type="feedback",
                object_id=feedback_id,
                on_behalf_of=row.booking_account,
                ip=ip,
                detail={"booking_id": row.booking, "traveller_id": row.traveller},
                conn=conn,
            )
        return feedback_out(await fetch_feedback(conn, feedback_id), now)


async def get_feedback(principal: Principal, feedback_id: int, *, now: dt.datetime) -> FeedbackOut:
    args: list[Any] = [feedback_id]
    condition = policy.feedback_visible(principal, "f", args)
    async with db.connection() as conn:
        row = rows.row_or_none(
            FeedbackRow, await conn.fetchrow(f"{FEEDBACK_SELECT} WHERE f.id = $1 AND {condition}", *args)
        )
    if row is None:
        raise NotFound(_l("There is no feedback with this number in your account."))
    return feedback_out(row, now)


async def booking_feedback(principal: Principal, booking_id: int, *, now: dt.datetime) -> BookingFeedbackOut:
    """The feedback on a booking the caller may see, and who can still give some."""
    async with db.connection() as conn:
        booking = await fetch_booking(conn, principal, booking_id)
        args: list[Any] = [booking_id]
        condition = policy.feedback_visible(principal, "f", args)
        found = rows.rows(
            FeedbackRow,
            await conn.fetch(f"{FEEDBACK_SELECT} WHERE f.booking = $1 AND {condition} ORDER BY f.id", *args),
        )
        given = {
            traveller_id
            for (traveller_id,) in await conn.fetch("SELECT traveller FROM feedback WHERE booking = $1", booking_id)
        }
    refusal = feedback_refusal(booking.status, booking.departure, today_at(booking.time_zone, now))
    missing = [TravellerRef(id=t["id"], name=t["name"]) for t in _travellers(booking) if t["id"] not in given]
    may_write = principal.role in (Role.traveller, Role.agent, Role.admin)
    return BookingFeedbackOut(
        items=[feedback_out(row, now) for row in found],
        total=len(found),
        can_give_feedback=refusal is None and may_write and bool(missing),
        travellers_without_feedback=missing,
        why_not=str(refusal.message) if refusal is not None else None,
        why_not_code=refusal.code if refusal is not None else None,
    )
