"""What the base's arrival list needs from the declarations, and nothing medical.

Meals, mobility aid, companion and emergency contact, only for travellers whose consent to
share with the base stands and whose declaration was sent. The operator console calls this
with the bookings of one arrival day.
"""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.health import sealing
from sojourn.health.consents import share_stands_sql
from sojourn.health.rows import SharedContent
from sojourn.health.schemas import CareNotes

CARE_SQL = f"""
SELECT hd.id, hd.booking, hd.traveller, hd.content_cipher
FROM health_declaration hd
WHERE hd.booking = ANY($1::int[]) AND hd.content_cipher IS NOT NULL
  AND hd.status IN ('submitted', 'info_requested', 'accepted')
  AND {share_stands_sql("hd.traveller", "hd.booking")}
"""


async def arrival_care_notes(
    conn: asyncpg.Connection,
    booking_ids: Iterable[int],
    *,
    keyring: KeyRing,
    actor: Principal | None = None,
) -> dict[tuple[int, int], CareNotes]:
    """Care notes per (booking id, traveller id). Travellers without shared, sent declarations
    are simply absent. Pass ``actor`` to leave an audit entry for the read."""
    shared = rows.rows(SharedContent, await conn.fetch(CARE_SQL, sorted(set(booking_ids))))
    notes: dict[tuple[int, int], CareNotes] = {}
    for row in shared:
        answers = sealing.open_content(keyring, row.booking, row.traveller, row.content_cipher).answers
        notes[(row.booking, row.traveller)] = CareNotes(
            diet=[need.value for need in answers.diet if need.value != "none"],
            mobility_aid=answers.mobility_aid.value,
            travels_alone=answers.travels_alone,
            companion=answers.companion,
            emergency_contact=answers.emergency_contact,
        )
    if actor is not None and notes:
        await audit.record(
            "care_notes_read",
            actor=actor,
            object_type="health_declaration",
            detail={"declaration_ids": sorted(row.id for row in shared)},
            conn=conn,
        )
    return notes
