"""Keeping health data only as long as needed (PIPL art. 19): destroying declaration content.

``settings.declaration_retention_days`` after the trip's end the content, the screening and
the reviewer's note are set to NULL; the row stays (status ``shredded``, ``shredded_at``) so
that counts and the consent history still add up, but nothing about the person's health is
left, and the risk level goes too. Deleting the ciphertext is irreversible: no key brings it back.

The end of the trip is its departure day. A booking that did not happen ends earlier: a
cancelled one on the day it was cancelled (the purpose ended then; the retention period
still leaves time for questions about a declined declaration and its refund), a hold that
ran out on the day it ran out. Days are counted in the base's time zone.
"""

from __future__ import annotations

import datetime as dt

from sojourn import db
from sojourn.audit import services as audit
from sojourn.bookings import states
from sojourn.config import Settings

SHRED_SQL = f"""
WITH ended AS (
    SELECT b.id AS booking,
           ($1::timestamptz AT TIME ZONE bs.time_zone)::date AS today,
           CASE
               WHEN b.status = '{states.CANCELLED}'
                   THEN least((b.cancelled_at AT TIME ZONE bs.time_zone)::date, b.departure)
               WHEN {states.has_run_out_sql("b", "$1")}
                   THEN least((b.hold_expires_at AT TIME ZONE bs.time_zone)::date, b.departure)
               ELSE b.departure
           END AS ended_on
    FROM booking b JOIN base bs ON bs.id = b.base
    WHERE EXISTS (SELECT 1 FROM health_declaration x WHERE x.booking = b.id AND x.status <> 'shredded')
)
UPDATE health_declaration hd
SET content_cipher = NULL, review_note_cipher = NULL, risk = NULL, status = 'shredded',
    shredded_at = $1, updated_at = $1
FROM ended
WHERE hd.booking = ended.booking AND hd.status <> 'shredded'
  AND ended.today >= ended.ended_on + $2::int
RETURNING hd.id
"""


async def shred_expired_declarations(now: dt.datetime, settings: Settings) -> int:
    """Destroy the content of every declaration past its retention; returns how many."""
    async with db.connection() as conn, conn.transaction():
        shredded = await conn.fetch(SHRED_SQL, now, settings.declaration_retention_days)
        if shredded:
            # The questions and answers about them go with them.
            await conn.execute(
                "UPDATE review_message SET text_cipher = NULL WHERE declaration = ANY($1::int[])",
                [declaration_id for (declaration_id,) in shredded],
            )
            await audit.record(
                "declarations_shredded",
                object_type="health_declaration",
                detail={
                    "ids": sorted(declaration_id for (declaration_id,) in shredded),
                    "retention_days": settings.declaration_retention_days,
                },
                conn=conn,
                at=now,
            )
    return len(shredded)
