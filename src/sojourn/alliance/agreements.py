"""Whether an alliance agreement lets two members run a trip of a mode on given dates: the rule an
exchange tour must meet before it is offered (tours.publishing) and the demo must keep."""

from __future__ import annotations

import datetime as dt

import asyncpg

# The pair is stored once, lowest member id first; an agreement without an end date runs on.
IN_FORCE_SQL = """
SELECT EXISTS (
    SELECT 1 FROM agreement
    WHERE member_a = least($1::int, $2::int) AND member_b = greatest($1::int, $2::int)
      AND $3::varchar = ANY(modes) AND signed_on <= $4::date AND (expires_on IS NULL OR expires_on >= $5::date)
)
"""


async def agreement_in_force(
    conn: asyncpg.Connection, member_one: int, member_two: int, mode: str, first_day: dt.date, last_day: dt.date
) -> bool:
    """An agreement between the two members that covers ``mode`` from ``first_day`` to ``last_day``."""
    return bool(await conn.fetchval(IN_FORCE_SQL, member_one, member_two, mode, first_day, last_day))
