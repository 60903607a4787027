"""Health-mix counts, kept as aggregates only, maintained where declarations change.

A declaration's content is encrypted, so no query can count conditions at request time, and
no statistic ever decrypts. Instead, the declaration paths call in here, in their own
transaction, while they hold the plain answers anyway:

- ``declaration_saving`` before answers are stored: the declaration's previous contribution
  (read back from its stored content) is taken out and the new one put in. Only submitted
  declarations count (a draft answering a request for information keeps counting);
- ``declaration_shredding`` before the content is destroyed because the traveller withdrew the
  consent to keep it: the contribution is taken out, as the person asked.

Destroying content at the end of the retention period (health.retention) leaves the counts:
they are anonymous aggregates that say nothing about a person (and cells under 5 are never
shown), so the statistics of past seasons stay whole.

Counted per base, month of arrival and trip mode: the declarations themselves (facet ``all``),
risk level, age band (from the booking, in clear), companion, mobility aid, and each condition.
"""

from __future__ import annotations

from collections import Counter

import asyncpg

from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.health import sealing
from sojourn.health.schemas import CONDITION_NAMES, DeclarationAnswers
from sojourn.stats import rollups
from sojourn.stats.rows import CountedDeclaration

COUNTED_STATUSES = ("submitted", "info_requested", "accepted", "declined")

AGE_BANDS = ("under_60", "60_64", "65_69", "70_74", "75_79", "80_plus")
RISKS = ("low", "medium", "high")
COMPANION = ("alone", "with_companion", "not_said")
MOBILITY = ("none", "cane", "walker", "wheelchair")
CONDITIONS = (*CONDITION_NAMES, "cognitive_impairment", "epilepsy", "oxygen_or_cpap")

TARGET_SQL = """
SELECT hd.status, hd.content_cipher, b.base, date_trunc('month', b.arrival::timestamp)::date AS month,
       t.mode, bt.age_at_arrival
FROM health_declaration hd
JOIN booking b ON b.id = hd.booking
JOIN tour t ON t.id = b.tour
JOIN booking_traveller bt ON bt.booking = hd.booking AND bt.traveller = hd.traveller
WHERE hd.booking = $1 AND hd.traveller = $2
"""

APPLY_SQL = """
INSERT INTO stats_health_month AS s (base_id, month, mode, facet, value, declarations)
SELECT $1, $2, $3, x.facet, x.value, x.delta
FROM unnest($4::varchar[], $5::varchar[], $6::int[]) AS x(facet, value, delta)
ORDER BY x.facet, x.value
ON CONFLICT (base_id, month, mode, facet, value) DO UPDATE SET declarations = s.declarations + EXCLUDED.declarations
"""


def age_band(age: int) -> str:
    if age < 60:
        return "under_60"
    if age >= 80:
        return "80_plus"
    low = age // 5 * 5
    return f"{low}_{low + 4}"


def companion(answers: DeclarationAnswers) -> str:
    if answers.travels_alone is True:
        return "alone"
    if answers.travels_alone is False or answers.companion is not None:
        return "with_companion"
    return "not_said"


def facets(answers: DeclarationAnswers, risk: str | None, age: int) -> list[tuple[str, str]]:
    """What one declaration adds to the counts."""
    found = [
        ("all", "declarations"),
        ("risk", risk or "low"),
        ("age_band", age_band(age)),
        ("companion", companion(answers)),
        ("mobility", answers.mobility_aid.value),
    ]
    found += [("condition", name) for name in CONDITION_NAMES if getattr(answers.conditions, name).has]
    if answers.cognitive_impairment:
        found.append(("condition", "cognitive_impairment"))
    if answers.epilepsy:
        found.append(("condition", "epilepsy"))
    if answers.oxygen or answers.cpap:
        found.append(("condition", "oxygen_or_cpap"))
    return found


def _stored_facets(
    keyring: KeyRing, booking_id: int, traveller_id: int, row: CountedDeclaration
) -> list[tuple[str, str]]:
    if row.status not in COUNTED_STATUSES or row.content_cipher is None:
        return []
    content = sealing.open_content(keyring, booking_id, traveller_id, row.content_cipher)
    return facets(content.answers, content.screening.get("risk"), row.age_at_arrival)


async def _apply(conn: asyncpg.Connection, row: CountedDeclaration, before: list, after: list) -> None:
    delta = Counter(after)
    delta.subtract(Counter(before))
    changes = sorted((facet, value, n) for (facet, value), n in delta.items() if n)
    if not changes:
        return
    await rollups.bump(conn, row.base)
    await conn.execute(
        APPLY_SQL,
        row.base,
        row.month,
        row.mode,
        [c[0] for c in changes],
        [c[1] for c in changes],
        [c[2] for c in changes],
    )


async def declaration_saving(
    conn: asyncpg.Connection,
    keyring: KeyRing,
    booking_id: int,
    traveller_id: int,
    *,
    answers: DeclarationAnswers,
    risk: str | None,
    submit: bool,
) -> None:
    """Before new answers are stored (same transaction, declaration row locked)."""
    row = rows.row_or_none(CountedDeclaration, await conn.fetchrow(TARGET_SQL, booking_id, traveller_id))
    if row is None:
        return
    before = _stored_facets(keyring, booking_id, traveller_id, row)
    counts_after = submit or row.status in COUNTED_STATUSES
    after = facets(answers, risk, row.age_at_arrival) if counts_after else []
    await _apply(conn, row, before, after)


async def declaration_shredding(conn: asyncpg.Connection, keyring: KeyRing, booking_id: int, traveller_id: int) -> None:
    """Before the content is destroyed because the consent to keep it was withdrawn."""
    row = rows.row_or_none(CountedDeclaration, await conn.fetchrow(TARGET_SQL, booking_id, traveller_id))
    if row is None:
        return
    await _apply(conn, row, _stored_facets(keyring, booking_id, traveller_id, row), [])
