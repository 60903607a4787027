"""Who opened a health declaration and who decided on it: its entries in the audit log.

Reads of single declarations are logged as ``declaration_read``; arrival lists log the
declarations whose care notes they showed (``care_notes_read``); decisions are
``declaration_reviewed``. The caller has already been shown the declaration (it is in scope).
"""

from __future__ import annotations

from sojourn import db
from sojourn.operator.schemas import TrailEntry

TRAIL_SQL = """
SELECT e.at, e.action, e.actor_id, e.actor_role, coalesce(a.display_name, '') AS actor_name
FROM audit_event e LEFT JOIN account a ON a.id = e.actor_id
WHERE (e.object_type = 'health_declaration' AND e.object_id = $1
       AND e.action IN ('declaration_read', 'declaration_reviewed', 'declaration_submitted'))
   OR (e.action = 'care_notes_read' AND e.detail -> 'declaration_ids' @> to_jsonb($1::int))
ORDER BY e.at DESC, e.id DESC
LIMIT 200
"""


async def reading_trail(declaration_id: int) -> list[TrailEntry]:
    async with db.connection() as conn:
        rows = await conn.fetch(TRAIL_SQL, declaration_id)
    return [
        TrailEntry(
            at=row["at"],
            action=row["action"],
            actor_id=row["actor_id"],
            actor_name=row["actor_name"],
            actor_role=row["actor_role"],
        )
        for row in rows
    ]
