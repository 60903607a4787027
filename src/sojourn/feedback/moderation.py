"""Operators answer feedback on their bases and flag abuse; admins hide and unhide.

Every change is audited on the same connection. Repeating a change that is already in
place (flagging twice, hiding twice) changes nothing and records nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.db import rows
from sojourn.errors import InvalidInput, NotFound
from sojourn.feedback.entries import FEEDBACK_SELECT, clean_comment, fetch_feedback, ratings_of
from sojourn.feedback.masking import public_name
from sojourn.feedback.rows import FeedbackRow
from sojourn.feedback.schemas import OperatorFeedbackOut
from sojourn.i18n import lazy_gettext as _l
from sojourn.notifications import outbox


def operator_feedback_out(row: FeedbackRow) -> OperatorFeedbackOut:
    return OperatorFeedbackOut(
        id=row.id,
        base_id=row.base,
        booking_id=row.booking,
        booking_reference=row.reference,
        arrival=row.arrival,
        departure=row.departure,
        author=public_name(row.traveller_name),
        ratings=ratings_of(row),
        nps=row.nps,
        comment=row.comment,
        created_at=row.created_at,
        updated_at=row.updated_at,
        entered_on_behalf=row.entered_by != row.booking_account,
        hidden=row.hidden,
        abuse_flagged=row.abuse_flagged,
        reply=row.reply,
        replied_at=row.replied_at,
    )


def _not_found() -> NotFound:
    return NotFound(_l("There is no feedback with this number at the bases you look after."))


async def list_for_operators(
    principal: Principal,
    *,
    base_id: int | None = None,
    flagged: bool | None = None,
    hidden: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[OperatorFeedbackOut], int]:
    """Feedback on the caller's bases (admins: all), newest first, hidden ones included."""
    if base_id is not None and not policy.operates_base(principal, base_id):
        raise NotFound(_l("There is no base with this number among the bases you operate."))
    args: list[Any] = []
    conditions = [policy.feedback_moderated(principal, "f", args)]
    if base_id is not None:
        args.append(base_id)
        conditions.append(f"f.base = ${len(args)}")
    if flagged is not None:
        args.append(flagged)
        conditions.append(f"f.abuse_flagged = ${len(args)}")
    if hidden is not None:
        args.append(hidden)
        conditions.append(f"f.hidden = ${len(args)}")
    sql = (
        FEEDBACK_SELECT.replace("SELECT f.*", "SELECT count(*) OVER () AS total_count, f.*", 1)
        + f" WHERE {' AND '.join(conditions)} ORDER BY f.created_at DESC, f.id DESC"
        + f" LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    async with db.connection() as conn:
        found = rows.rows(FeedbackRow, await conn.fetch(sql, *args))
    return [operator_feedback_out(row) for row in found], (found[0].total_count if found else 0)


async def _locked_row(conn: asyncpg.Connection, principal: Principal, feedback_id: int) -> FeedbackRow:
    args: list[Any] = [feedback_id]
    condition = policy.feedback_moderated(principal, "f", args)
    row = rows.row_or_none(
        FeedbackRow, await conn.fetchrow(f"{FEEDBACK_SELECT} WHERE f.id = $1 AND {condition} FOR UPDATE OF f", *args)
    )
    if row is None:
        raise _not_found()
    return row


async def _update(conn: asyncpg.Connection, feedback_id: int, changes: dict[str, Any]) -> FeedbackRow:
    assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(changes, start=2))
    await conn.execute(f"UPDATE feedback SET {assignments} WHERE id = $1", feedback_id, *changes.values())
    return await fetch_feedback(conn, feedback_id)


async def _audit(
    conn: asyncpg.Connection,
    action: str,
    principal: Principal,
    row: FeedbackRow,
    ip: str,
    detail: dict[str, Any],
) -> None:
    await audit.record(
        action,
        actor=principal,
        object_type="feedback",
        object_id=row.id,
        ip=ip,
        detail={"base_id": row.base, "booking_id": row.booking, **detail},
        conn=conn,
    )


async def reply_to_feedback(
    principal: Principal, feedback_id: int, reply: str, *, now: dt.datetime, ip: str = ""
) -> OperatorFeedbackOut:
    """Publish (or correct) the base's public answer under a comment. The author hears of
    the first answer; corrections do not notify again."""
    text = clean_comment(reply)
    if not text:
        message = _l("Write a reply before sending it.")
        raise InvalidInput(message, field_errors={"reply": message})
    async with db.connection() as conn, conn.transaction():
        row = await _locked_row(conn, principal, feedback_id)
        if row.reply == text:
            return operator_feedback_out(row)
        updated = await _update(
            conn,
            feedback_id,
            {"reply": text, "replied_at": now, "replied_by": principal.account_id},
        )
        await _audit(
            conn,
            "feedback_replied",
            principal,
            row,
            ip,
            {"reply": text, "previous_reply": row.reply or None},
        )
        await outbox.enqueue(
            conn,
            "feedback_replied",
            row.booking_account,
            {
                "feedback_id": feedback_id,
                "booking_id": row.booking,
                "reference": row.reference,
                "base_id": row.base,
            },
            dedupe_key=f"feedback_replied:{feedback_id}",
            deliver_after=now,
        )
        return operator_feedback_out(updated)


async def remove_reply(principal: Principal, feedback_id: int, *, ip: str = "") -> OperatorFeedbackOut:
    async with db.connection() as conn, conn.transaction():
        row = await _locked_row(conn, principal, feedback_id)
        if not row.reply:
            return operator_feedback_out(row)
        updated = await _update(conn, feedback_id, {"reply": "", "replied_at": None, "replied_by": None})
        await _audit(conn, "feedback_reply_removed", principal, row, ip, {"previous_reply": row.reply})
        return operator_feedback_out(updated)


async def flag_feedback(principal: Principal, feedback_id: int, reason: str, *, ip: str = "") -> OperatorFeedbackOut:
    """Ask an admin to look at feedback that seems abusive; it stays public until they decide."""
    async with db.connection() as conn, conn.transaction():
        row = await _locked_row(conn, principal, feedback_id)
        if row.abuse_flagged:
            return operator_feedback_out(row)
        updated = await _update(conn, feedback_id, {"abuse_flagged": True})
        await _audit(conn, "feedback_flagged", principal, row, ip, {"reason": clean_comment(reason)})
        return operator_feedback_out(updated)


async def hide_feedback(principal: Principal, feedback_id: int, reason: str, *, ip: str = "") -> OperatorFeedbackOut:
    """Take feedback off the public page and out of the scores; settles any open flag."""
    why = clean_comment(reason)
    if not why:
        message = _l("Say why this feedback is hidden.")
        raise InvalidInput(message, field_errors={"reason": message})
    async with db.connection() as conn, conn.transaction():
        row = await _locked_row(conn, principal, feedback_id)
        if row.hidden:
            return operator_feedback_out(row)
        updated = await _update(
            conn,
            feedback_id,
            {"hidden": True, "hidden_by": principal.account_id, "abuse_flagged": False},
        )
        await _audit(
            conn,
            "feedback_hidden",
            principal,
            row,
            ip,
            {"reason": why, "was_flagged": row.abuse_flagged},
        )
        return operator_feedback_out(updated)


async def unhide_feedback(principal: Principal, feedback_id: int, reason: str, *, ip: str = "") -> OperatorFeedbackOut:
    async with db.connection() as conn, conn.transaction():
        row = await _locked_row(conn, principal, feedback_id)
        if not row.hidden:
            return operator_feedback_out(row)
        updated = await _update(conn, feedback_id, {"hidden": False, "hidden_by": None})
        await _audit(
            conn,
            "feedback_unhidden",
            principal,
            row,
            ip,
            {"reason": clean_comment(reason), "hidden_by": row.hidden_by},
        )
        return operator_feedback_out(updated)


async def dismiss_flag(principal: Principal, feedback_id: int, reason: str, *, ip: str = "") -> OperatorFeedbackOut:
    """The admin looked and found nothing to hide: the flag is cleared, the feedback stays."""
    async with db.connection() as conn, conn.transaction():
        row = await _locked_row(conn, principal, feedback_id)
        if not row.abuse_flagged:
            return operator_feedback_out(row)
        updated = await _update(conn, feedback_id, {"abuse_flagged": False})
        await _audit(conn, "feedback_flag_dismissed", principal, row, ip, {"reason": clean_comment(reason)})
        return operator_feedback_out(updated)
