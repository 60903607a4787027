"""Indexes for searching by dates from the free runs (tours.search).

- one SP-GiST index per party size k over the runs of level k: "the bases with k beds free on
  every night of [arrival, departure)" is a containment search over them (``@>``), answered from
  the index alone (the base is included). SP-GiST's quad tree of (start, end) keeps the search
  to the runs near the asked-for dates; one index per k because the query names k as a constant.
- fixed-date tours by their first day, for "tours whose own dates lie inside the asked-for ones";
- seasonal stays by their minimum nights, so a search shorter than any of them skips the runs.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T19:55:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for searching by dates from the free runs"

LEVELS = 10  # tours.search.MAX_PARTY, as in the free runs migration

INDEXES = {
    **{
        f"free_run_level_{k}": f"free_run USING spgist (daterange(starts, ends)) INCLUDE (base, starts, ends) WHERE k = {k}"
        for k in range(1, LEVELS + 1)
    },
    "tour_fixed_dates": "tour (starts_on, ends_on) WHERE mode <> 'migratory'",
    # The shortest stay any seasonal tour allows: a shorter search does not read the runs.
    "tour_seasonal_nights": "tour ((coalesce(min_nights, 1))) WHERE mode = 'migratory'",
}


async def execute(sql: str) -> None:
    await engine_finder().current_transaction.get().connection.execute(sql)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create():
        for name, target in INDEXES.items():
            await execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop():
        for name in INDEXES:
            await execute(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
