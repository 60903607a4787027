"""Free runs of the capacity calendar, kept by a trigger, for searching by dates.

``free_run (base, k, starts, ends)`` holds, for every base and every k = 1..10 (the largest
party a search asks for), the maximal runs of nights [starts, ends) with ``beds - taken >= k``.
"Does base B have k beds free on every night of [arrival, departure)?" is then one index probe:
the first run of (B, k) that ends on or after the departure must start on or before the arrival.
Before, the search read every night of every candidate stay (bench/search.py, docs/benchmarks.md).

Kept exactly, in the statement that changes ``capacity_night`` (statement triggers with
transition tables, so a hold over 60 nights is one trigger call):

- a night matters to level k only when its free beds cross k: a change from f_old to f_new free
  beds touches the levels (min, max], and only those up to 10. Most holds at a base with more
  than 10 + party beds free change no run at all; the trigger then only compares the old and new
  rows;
- for each touched (base, k), the runs touching the changed nights [lo, hi) (overlapping or
  adjacent) are deleted, and put back as (their parts outside [lo, hi)) + (the nights inside
  [lo, hi) with k beds free now), merged by ``range_agg``: nothing outside [lo, hi) changed, so
  that is the exact new set of runs;
- the trigger takes the base's advisory lock (the booking engine's own key, ``bookings.locking``;
  the application already holds it, so this costs nothing there) so that writers that do not
  follow the lock rule (bulk loads, consoles) cannot interleave two recomputations of one base.

Holds that ran out but are not released yet still sit in ``taken``: runs under-count free beds
then, never over-count, and the search looks at those few bases the slow way
(``tours.search``).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T19:55:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "free runs of the capacity calendar: trigger, indexes, build"

LEVELS = 10  # tours.search.MAX_PARTY; tests/tours/test_free_runs.py checks they agree
BASE_LOCK_NAMESPACE = 0x534A  # bookings.locking.BASE_LOCK_NAMESPACE

FUNCTIONS = f"""
-- The runs of the given bases, from capacity_night alone: gaps and islands per level.
CREATE OR REPLACE FUNCTION free_runs_from_nights(p_bases integer[])
RETURNS TABLE (base integer, k smallint, starts date, ends date) LANGUAGE sql STABLE AS $$
    SELECT x.base, x.k::smallint, min(x.night), max(x.night) + 1
    FROM (SELECT c.base, l.k, c.night,
                 c.night - (row_number() OVER (PARTITION BY c.base, l.k ORDER BY c.night))::int AS island
          FROM capacity_night c
          CROSS JOIN LATERAL generate_series(1, least(c.beds - c.taken, {LEVELS})) AS l(k)
          WHERE p_bases IS NULL OR c.base = ANY(p_bases)) x
    GROUP BY x.base, x.k, x.island
$$;

-- Everything from scratch (the migration, bulk loads that turned the trigger off).
CREATE OR REPLACE FUNCTION free_runs_rebuild() RETURNS void LANGUAGE sql AS $$
    DELETE FROM free_run;
    INSERT INTO free_run (base, k, starts, ends) SELECT * FROM free_runs_from_nights(NULL);
$$;
"""

# The (base, k) a change touches (``change``: base, night, free beds before and after), each with
# the span [lo, hi) of its nights that crossed level k.
LEVELS_TOUCHED = f"""
SELECT ch.base, l.k, min(ch.night) AS lo, max(ch.night) + 1 AS hi
FROM change ch
CROSS JOIN LATERAL generate_series(greatest(least(ch.before, ch.after) + 1, 1),
                                   least(greatest(ch.before, ch.after), {LEVELS})) AS l(k)
WHERE ch.before <> ch.after
GROUP BY ch.base, l.k
ORDER BY ch.base, l.k
"""

# Per (base, k): delete the runs touching [lo, hi) (overlapping or adjacent) and insert their
# parts outside [lo, hi) plus the nights inside with k beds free now, merged. One statement per
# level, with the level as parameters: its plan probes free_run (base, k, ends) and
# capacity_night (base, night) by index whatever the planner guesses about the transition
# tables (one statement for all levels at once was planned as a scan of all of free_run).
APPLY = """
WITH gone AS (
    DELETE FROM free_run r
    WHERE r.base = lvl.base AND r.k = lvl.k AND r.ends >= lvl.lo AND r.starts <= lvl.hi
    RETURNING daterange(r.starts, r.ends) AS run
)
INSERT INTO free_run (base, k, starts, ends)
SELECT lvl.base, lvl.k, lower(x.run), upper(x.run)
FROM unnest(
    (coalesce((SELECT range_agg(g.run) FROM gone g), '{}'::datemultirange) - datemultirange(daterange(lvl.lo, lvl.hi)))
    + coalesce((SELECT range_agg(daterange(n.night, n.night + 1)) FROM capacity_night n
                WHERE n.base = lvl.base AND n.night >= lvl.lo AND n.night < lvl.hi AND n.beds - n.taken >= lvl.k),
               '{}'::datemultirange)
) AS x(run)
"""

# What each kind of statement changed, as (base, night, before, after) free beds; a night without
# a row has none.
CHANGES = {
    "INSERT": "SELECT n.base, n.night, 0 AS before, n.beds - n.taken AS after FROM free_run_new n",
    "DELETE": "SELECT o.base, o.night, o.beds - o.taken AS before, 0 AS after FROM free_run_old o",
    "UPDATE": (
        "SELECT coalesce(n.base, o.base) AS base, coalesce(n.night, o.night) AS night,"
        " coalesce(o.beds - o.taken, 0) AS before, coalesce(n.beds - n.taken, 0) AS after"
        " FROM free_run_old o FULL JOIN free_run_new n ON n.base = o.base AND n.night = o.night"
    ),
}
TRANSITIONS = {
    "INSERT": "NEW TABLE AS free_run_new",
    "DELETE": "OLD TABLE AS free_run_old",
    "UPDATE": "OLD TABLE AS free_run_old NEW TABLE AS free_run_new",
}


def trigger_function(op: str) -> str:
    # The locks come in a statement of their own: the one after them reads the calendar with a
    # snapshot taken under them (READ COMMITTED takes one per statement). A change at one base
    # (every path of the application, which already holds that base's lock) serialises with
    # that base only; a change across bases (bulk loads) with every other writer of free_run.
    # No JIT: the planner cannot size transition tables and generate_series, its estimates cross
    # the JIT threshold, and compiling took ~60 ms for a statement that runs in well under one.
    return f"""
CREATE OR REPLACE FUNCTION free_runs_after_{op.lower()}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $fn$
DECLARE
    bases integer[];
    lvl record;
BEGIN
    SELECT array_agg(DISTINCT ch.base) INTO bases FROM ({CHANGES[op]}) ch
    WHERE ch.before <> ch.after AND least(ch.before, ch.after) < {LEVELS};
    IF bases IS NULL THEN
        RETURN NULL;  -- no night crossed a level: no run changes
    ELSIF cardinality(bases) = 1 THEN
        LOCK TABLE free_run IN ROW EXCLUSIVE MODE;
        PERFORM pg_advisory_xact_lock({BASE_LOCK_NAMESPACE}, bases[1]);
    ELSE
        LOCK TABLE free_run IN SHARE ROW EXCLUSIVE MODE;
    END IF;
    FOR lvl IN WITH change AS ({CHANGES[op]}) {LEVELS_TOUCHED.strip()} LOOP
        {APPLY.strip()};
    END LOOP;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER free_runs_after_{op.lower()} AFTER {op} ON capacity_night
REFERENCING {TRANSITIONS[op]} FOR EACH STATEMENT EXECUTE FUNCTION free_runs_after_{op.lower()}();
"""


INDEXES = {
    # The search's probe: the first run of (base, k) ending on or after the departure.
    "free_run_probe": "free_run (base, k, ends) INCLUDE (starts)",
}

DROP = """
DROP TRIGGER IF EXISTS free_runs_after_insert ON capacity_night;
DROP TRIGGER IF EXISTS free_runs_after_update ON capacity_night;
DROP TRIGGER IF EXISTS free_runs_after_delete ON capacity_night;
DROP FUNCTION IF EXISTS free_runs_after_insert();
DROP FUNCTION IF EXISTS free_runs_after_update();
DROP FUNCTION IF EXISTS free_runs_after_delete();
DROP FUNCTION IF EXISTS free_runs_rebuild();
DROP FUNCTION IF EXISTS free_runs_from_nights(integer[]);
"""


async def execute(sql: str) -> None:
    """Several statements at once, on the migration's own transaction (simple query protocol)."""
    await engine_finder().current_transaction.get().connection.execute(sql)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create():
        await execute(FUNCTIONS)
        for op in CHANGES:
            await execute(trigger_function(op))
        for name, target in INDEXES.items():
            await execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        # The calendars already in the database, once.
        await execute("SELECT free_runs_rebuild()")

    async def drop():
        for name in INDEXES:
            await execute(f"DROP INDEX IF EXISTS {name}")
        await execute(DROP)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
