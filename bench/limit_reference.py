"""The physical-limit reference for a hold: the bare PostgreSQL work of the operation.

One transaction per request: a conditional ``UPDATE`` that takes a bed on every night of the stay
(``WHERE booked + n <= capacity``; fewer rows than nights rolls it back) plus one ``INSERT`` of the
booking, on raw asyncpg. It is the transaction of the alliance's reference script
(``shared/bench/limit_booking.py``), asked for exactly the stays that ``bench/booking.py`` asks
Sojourn for (same bases, same nights, same dates), so Sojourn's rate divided by this one says how
close the design comes to what the database can do, rather than how much the framework costs.
"""

from __future__ import annotations

import datetime as dt
import time

SETUP_SQL = """
DROP TABLE IF EXISTS lim_booking; DROP TABLE IF EXISTS lim_calendar;
CREATE TABLE lim_calendar (base_id int, day date, capacity int NOT NULL, booked int NOT NULL DEFAULT 0,
    PRIMARY KEY (base_id, day), CHECK (booked <= capacity));
CREATE TABLE lim_booking (id bigserial PRIMARY KEY, base_id int, start_day date, nights int, beds int,
    created_at timestamptz DEFAULT now());
"""
FILL_SQL = """
INSERT INTO lim_calendar (base_id, day, capacity)
SELECT b, $1::date + d, $2 FROM generate_series(0, $3 - 1) b, generate_series(0, $4 - 1) d
"""
TAKE_SQL = """
UPDATE lim_calendar SET booked = booked + $4
WHERE base_id = $1 AND day >= $2 AND day < $2 + $3::int AND booked + $4 <= capacity RETURNING day
"""
INSERT_SQL = "INSERT INTO lim_booking (base_id, start_day, nights, beds) VALUES ($1, $2, $3, $4)"


class Full(Exception):
    """A night had no bed left: the transaction rolls back."""


async def set_up(conn, start: dt.date, bases: int, nights: int, beds: int) -> None:
    await conn.execute(SETUP_SQL)
    await conn.execute(FILL_SQL, start, beds, bases, nights)
    await conn.execute("ANALYZE lim_calendar")


async def limit_worker(pool, stay_for, load, start, deadline, sample, rng) -> None:
    """Book the stays ``stay_for`` chooses until ``deadline``, each in one bare transaction."""
    while time.monotonic() < deadline:
        base, arrival, departure = stay_for(load, start, rng)
        nights = (departure - arrival).days
        began = time.perf_counter()
        try:
            async with pool.acquire() as conn, conn.transaction():
                if len(await conn.fetch(TAKE_SQL, base, arrival, nights, 1)) != nights:
                    raise Full
                await conn.execute(INSERT_SQL, base, arrival, nights, 1)
        except Full:
            sample.failed += 1
            continue
        sample.latencies.append(time.perf_counter() - began)
        sample.ok += 1
