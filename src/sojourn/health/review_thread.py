"""The conversation about one declaration: the base asks (a request for more information, or
the note that comes with a decision), the booker answers when sending the form again.

Each turn is a row of ``review_message``, its text encrypted with the declaration's note key
(it may speak of health). Times are shown in the base's time zone, where the staff reading
them are; the booker reads the same thread on the health form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.health import sealing
from sojourn.health.rows import OpenQuestionRow, ReviewMessageRow
from sojourn.health.schemas import ReviewMessageOut

BASE = "base"
BOOKER = "booker"

ADD_SQL = """
INSERT INTO review_message (declaration, author, side, text_cipher, created_at) VALUES ($1, $2, $3, $4, $5)
"""

THREAD_SQL = """
SELECT m.side, m.text_cipher, m.created_at, a.display_name
FROM review_message m JOIN account a ON a.id = m.author
WHERE m.declaration = $1 AND m.text_cipher IS NOT NULL
ORDER BY m.created_at, m.id
"""


async def add_message(
    conn: asyncpg.Connection,
    keyring: KeyRing,
    *,
    declaration_id: int,
    booking_id: int,
    traveller_id: int,
    author_id: int,
    side: str,
    text: str,
    now: dt.datetime,
) -> None:
    sealed = sealing.seal_note(keyring, booking_id, traveller_id, text.strip())
    if sealed is not None:
        await conn.execute(ADD_SQL, declaration_id, author_id, side, sealed, now)


async def thread(
    conn: asyncpg.Connection,
    keyring: KeyRing,
    *,
    declaration_id: int | None,
    booking_id: int,
    traveller_id: int,
    time_zone: str,
) -> list[ReviewMessageOut]:
    """Every turn, oldest first, with its time in ``time_zone`` (the base's)."""
    if declaration_id is None:
        return []
    zone = ZoneInfo(time_zone)
    messages = rows.rows(ReviewMessageRow, await conn.fetch(THREAD_SQL, declaration_id))
    return [
        ReviewMessageOut(
            side=row.side,
            text=sealing.open_note(keyring, booking_id, traveller_id, row.text_cipher) or "",
            at=row.created_at.astimezone(zone),
            author_name=row.display_name if row.side == BOOKER else None,
        )
        for row in messages
    ]


def open_question(messages: list[ReviewMessageOut], status: str | None) -> ReviewMessageOut | None:
    """The base's last question, while the declaration waits for the booker's answer."""
    if status != "info_requested":
        return None
    return next((m for m in reversed(messages) if m.side == BASE), None)


OPEN_QUESTIONS_SQL = """
SELECT hd.id, hd.booking, hd.traveller, bs.time_zone
FROM health_declaration hd
JOIN booking_traveller bt ON bt.booking = hd.booking AND bt.traveller = hd.traveller
JOIN booking b ON b.id = hd.booking
JOIN base bs ON bs.id = b.base
WHERE hd.booking = $1 AND hd.status = 'info_requested' AND {condition}
"""


async def open_questions(principal: Principal, booking_id: int, keyring: KeyRing) -> dict[int, ReviewMessageOut]:
    """Per traveller of the booking, the base's question still waiting for the booker's answer
    (for the trip's pages; only on the booker's side)."""
    args: list[Any] = [booking_id]
    condition = policy.declarations_writable(principal, "bt", args)
    questions: dict[int, ReviewMessageOut] = {}
    async with db.connection() as conn:
        waiting = rows.rows(OpenQuestionRow, await conn.fetch(OPEN_QUESTIONS_SQL.format(condition=condition), *args))
        for row in waiting:
            messages = await thread(
                conn,
                keyring,
                declaration_id=row.id,
                booking_id=row.booking,
                traveller_id=row.traveller,
                time_zone=row.time_zone,
            )
            question = open_question(messages, "info_requested")
            if question is not None:
                questions[row.traveller] = question
    return questions
