"""Where the health declarations of some bookings stand, for the booker's pages (my trips, the
booking steps): per traveller, the status and the day it is due. No health content is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.db import rows
from sojourn.health.rows import ProgressRow

# Sent for review (or already reviewed): nothing more is asked of the traveller.
SENT = ("submitted", "accepted", "declined")

PROGRESS_SQL = """
SELECT bt.booking, bt.traveller, tr.name AS traveller_name, coalesce(hd.status, 'new') AS status,
       coalesce(hd.due_on, b.arrival - t.declaration_due_days) AS due_on
FROM booking_traveller bt
JOIN booking b ON b.id = bt.booking
JOIN tour t ON t.id = b.tour
JOIN traveller tr ON tr.id = bt.traveller
LEFT JOIN health_declaration hd ON hd.booking = bt.booking AND hd.traveller = bt.traveller
WHERE bt.booking = ANY($1::int[]) AND {scope}
ORDER BY bt.booking, tr.id
"""


class DeclarationProgress(msgspec.Struct):
    booking_id: int
    traveller_id: int
    traveller_name: str
    status: str  # new, draft, submitted, info_requested, accepted, declined, shredded
    due_on: dt.date

    @property
    def sent(self) -> bool:
        return self.status in SENT


async def declaration_progress(
    principal: Principal, booking_ids: Sequence[int]
) -> dict[int, list[DeclarationProgress]]:
    """Per booking the principal may declare for (``policy.declarations_writable``), its travellers' progress."""
    if not booking_ids:
        return {}
    args: list[Any] = [list(booking_ids)]
    condition = policy.declarations_writable(principal, "bt", args)
    async with db.connection() as conn:
        found = rows.rows(ProgressRow, await conn.fetch(PROGRESS_SQL.format(scope=condition), *args))
    progress: dict[int, list[DeclarationProgress]] = {}
    for row in found:
        progress.setdefault(row.booking, []).append(
            DeclarationProgress(
                booking_id=row.booking,
                traveller_id=row.traveller,
                traveller_name=row.traveller_name,
                status=row.status,
                due_on=row.due_on,
            )
        )
    return progress
