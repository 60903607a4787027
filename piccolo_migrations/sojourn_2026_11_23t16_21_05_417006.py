"""Coarse stats rollups, kept by the same triggers as the fine ones.

The fine rollups carry the travellers' home province for every base, so at a young history they
keep growing with the bookings (165,000 rows at a million bookings and still filling). The
whole-alliance dashboards read coarser ones whose size stops growing early:

- ``stats_base_stay_month`` (base x month x mode) for occupancy;
- ``stats_base_booking_month`` (base x month x mode x outcome) for bookings over time;
- ``stats_flow_month`` (month x mode x origin province and member x destination province and
  member) for flows and exchange balances;
- ``stats_origin_booking_month`` (month x mode x outcome x origin province x destination
  member) for the bookings of a member (at its bases or from its province).

The first two are per base, so the base's ``stats_bump`` row lock already orders their writers.
Many bases share a row of the last two, so booking changes append signed changes to
``stats_flow_change`` and ``stats_origin_booking_change`` instead of updating them (no queue
behind a busy row, no deadlock between two bases); ``stats_fold_flows()`` moves them in, from a
periodic job. Readers add both tables, so an answer never depends on whether the fold has run.

A base moved to another member or province (rare, by an administrator) moves its rows with it:
the trigger on ``base`` takes them out under the old destination and puts them in under the new.
"""

import importlib.util
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T16:21:05:417006"
VERSION = "1.38.0"
DESCRIPTION = "coarse stats rollups: functions and triggers"

SOLD = "'confirmed', 'checked_in', 'checked_out', 'no_show'"
ASPECTS = ("accommodation", "food", "medical", "activities", "staff", "transport", "value", "safety")
FLOW_KEYS = "month, mode, origin_code, origin_member, destination_code, destination_member"
ORIGIN_KEYS = "month, mode, origin_code, destination_member"
# Outcomes side by side in the coarse booking rollups: (column, outcome, what it counts).
OUTCOME_COLUMNS = (
    ("confirmed_bookings", "confirmed", "bookings"),
    ("confirmed_travellers", "confirmed", "travellers"),
    ("no_show_bookings", "no_show", "bookings"),
    ("no_show_travellers", "no_show", "travellers"),
    ("cancelled_bookings", "cancelled", "bookings"),
)
WIDE = ", ".join(column for column, _, _ in OUTCOME_COLUMNS)
WIDE_UPDATE = ", ".join(f"{column} = s.{column} + EXCLUDED.{column}" for column, _, _ in OUTCOME_COLUMNS)


def wide_from(outcome: str, bookings: str, travellers: str) -> str:
    """The outcome columns for rows of the fine rollup (``outcome``, ``bookings``, ``travellers``
    as SQL), for use inside ``sum()`` or as they are."""
    amounts = {"bookings": bookings, "travellers": travellers}
    return ", ".join(
        f"CASE WHEN {outcome} = '{name}' THEN {amounts[kind]} ELSE 0 END" for _, name, kind in OUTCOME_COLUMNS
    )


def wide_sums(outcome: str, bookings: str, travellers: str) -> str:
    amounts = {"bookings": bookings, "travellers": travellers}
    return ", ".join(
        f"coalesce(sum({amounts[kind]}) FILTER (WHERE {outcome} = '{name}'), 0)" for _, name, kind in OUTCOME_COLUMNS
    )


def fold(table: str, changes: str, keys: str, amounts: tuple[str, ...]) -> str:
    """One statement moving ``changes`` into ``table`` (summed per key, in key order)."""
    return f"""
    WITH moved AS (DELETE FROM {changes} RETURNING *)
    INSERT INTO {table} AS s ({keys}, {", ".join(amounts)})
    SELECT {keys}, {", ".join(f"sum({a})" for a in amounts)} FROM moved
    GROUP BY {keys} ORDER BY {keys}
    ON CONFLICT ({keys}) DO UPDATE SET {", ".join(f"{a} = s.{a} + EXCLUDED.{a}" for a in amounts)};
    """


FOLD_LOCK = "21332, 1"  # 0x5354 "ST": one fold at a time; a second concurrent fold does nothing

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION stats_apply_stay(
    p_booking integer, p_base integer, p_tour integer, p_arrival date, p_departure date,
    p_origin_member integer, p_sign integer
) RETURNS void LANGUAGE sql AS $$
    WITH stay AS (
        SELECT sm.month, t.mode, bt.home_province_code AS origin_code,
               p_sign * count(*) FILTER (WHERE sm.arrives) AS travellers, p_sign * sum(sm.nights) AS bed_nights
        FROM booking_traveller bt
        CROSS JOIN stats_stay_months(p_arrival, p_departure) sm
        JOIN tour t ON t.id = p_tour
        WHERE bt.booking = p_booking
        GROUP BY 1, 2, 3
    ), fine AS (
        INSERT INTO stats_stay_month AS s (base_id, month, mode, origin_code, origin_member, travellers, bed_nights)
        SELECT p_base, month, mode, origin_code, coalesce(p_origin_member, 0), travellers, bed_nights
        FROM stay ORDER BY month, origin_code
        ON CONFLICT (base_id, month, mode, origin_code, origin_member) DO UPDATE
        SET travellers = s.travellers + EXCLUDED.travellers, bed_nights = s.bed_nights + EXCLUDED.bed_nights
    ), per_base AS (
        INSERT INTO stats_base_stay_month AS s (base_id, month, mode, travellers, bed_nights)
        SELECT p_base, month, mode, sum(travellers), sum(bed_nights) FROM stay GROUP BY 2, 3 ORDER BY 2
        ON CONFLICT (base_id, month, mode) DO UPDATE
        SET travellers = s.travellers + EXCLUDED.travellers, bed_nights = s.bed_nights + EXCLUDED.bed_nights
    )
    INSERT INTO stats_flow_change ({FLOW_KEYS}, travellers, bed_nights)
    SELECT stay.month, stay.mode, stay.origin_code, coalesce(p_origin_member, 0), b.province_code, b.member,
           stay.travellers, stay.bed_nights
    FROM stay JOIN base b ON b.id = p_base;
$$;

CREATE OR REPLACE FUNCTION stats_apply_booking(
    p_booking integer, p_base integer, p_tour integer, p_arrival date, p_party integer,
    p_outcome text, p_sign integer
) RETURNS void LANGUAGE sql AS $$
    WITH booking AS (
        SELECT date_trunc('month', p_arrival::timestamp)::date AS month, t.mode,
               coalesce((SELECT min(bt.home_province_code) FROM booking_traveller bt WHERE bt.booking = p_booking),
                        '000000') AS origin_code
        FROM tour t WHERE t.id = p_tour
    ), fine AS (
        INSERT INTO stats_booking_month AS s (base_id, month, mode, origin_code, outcome, bookings, travellers)
        SELECT p_base, month, mode, origin_code, p_outcome, p_sign, p_sign * p_party FROM booking
        ON CONFLICT (base_id, month, mode, origin_code, outcome) DO UPDATE
        SET bookings = s.bookings + EXCLUDED.bookings, travellers = s.travellers + EXCLUDED.travellers
    ), per_base AS (
        INSERT INTO stats_base_booking_month AS s (base_id, month, mode, {WIDE})
        SELECT p_base, month, mode, {wide_from("p_outcome", "p_sign", "p_sign * p_party")} FROM booking
        ON CONFLICT (base_id, month, mode) DO UPDATE SET {WIDE_UPDATE}
    )
    INSERT INTO stats_origin_booking_change ({ORIGIN_KEYS}, {WIDE})
    SELECT booking.month, booking.mode, booking.origin_code, b.member,
           {wide_from("p_outcome", "p_sign", "p_sign * p_party")}
    FROM booking JOIN base b ON b.id = p_base;
$$;

CREATE OR REPLACE FUNCTION stats_fold_flows() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n_flows integer := 0;
    n_bookings integer := 0;
BEGIN
    IF NOT pg_try_advisory_xact_lock({FOLD_LOCK}) THEN
        RETURN 0;
    END IF;
    {fold("stats_flow_month", "stats_flow_change", FLOW_KEYS, ("travellers", "bed_nights"))}
    GET DIAGNOSTICS n_flows = ROW_COUNT;
    {fold("stats_origin_booking_month", "stats_origin_booking_change", ORIGIN_KEYS, tuple(WIDE.split(", ")))}
    GET DIAGNOSTICS n_bookings = ROW_COUNT;
    RETURN n_flows + n_bookings;
END
$$;

CREATE OR REPLACE FUNCTION stats_base_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_bump(NEW.id);
    INSERT INTO stats_flow_change ({FLOW_KEYS}, travellers, bed_nights)
    SELECT s.month, s.mode, s.origin_code, s.origin_member, v.code, v.member,
           v.sign * sum(s.travellers), v.sign * sum(s.bed_nights)
    FROM stats_stay_month s
    CROSS JOIN (VALUES (OLD.province_code, OLD.member, -1), (NEW.province_code, NEW.member, 1))
        AS v(code, member, sign)
    WHERE s.base_id = NEW.id
    GROUP BY s.month, s.mode, s.origin_code, s.origin_member, v.code, v.member, v.sign;
    INSERT INTO stats_origin_booking_change ({ORIGIN_KEYS}, {WIDE})
    SELECT s.month, s.mode, s.origin_code, v.member,
           {wide_sums("s.outcome", "v.sign * s.bookings", "v.sign * s.travellers")}
    FROM stats_booking_month s
    CROSS JOIN (VALUES (OLD.member, -1), (NEW.member, 1)) AS v(member, sign)
    WHERE s.base_id = NEW.id AND OLD.member <> NEW.member
    GROUP BY s.month, s.mode, s.origin_code, v.member, v.sign;
    RETURN NULL;
END
$$;

-- Everything but the health counts (their source is encrypted), recomputed from the raw rows.
CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE stats_stay_month, stats_booking_month, stats_capacity_month, stats_feedback_month,
               stats_base_stay_month, stats_base_booking_month, stats_flow_month, stats_flow_change,
               stats_origin_booking_month, stats_origin_booking_change
        IN EXCLUSIVE MODE;
    DELETE FROM stats_stay_month;
    INSERT INTO stats_stay_month (base_id, month, mode, origin_code, origin_member, travellers, bed_nights)
    SELECT b.base, sm.month, t.mode, bt.home_province_code, coalesce(b.origin_member, 0),
           count(*) FILTER (WHERE sm.arrives), sum(sm.nights)
    FROM booking b
    JOIN tour t ON t.id = b.tour
    JOIN booking_traveller bt ON bt.booking = b.id
    CROSS JOIN LATERAL stats_stay_months(b.arrival, b.departure) sm
    WHERE b.status IN ({SOLD})
    GROUP BY 1, 2, 3, 4, 5;

    DELETE FROM stats_booking_month;
    INSERT INTO stats_booking_month (base_id, month, mode, origin_code, outcome, bookings, travellers)
    SELECT b.base, date_trunc('month', b.arrival::timestamp)::date, t.mode, coalesce(o.code, '000000'),
           stats_outcome(b.status, b.confirmed_at), count(*), sum(b.party_size)
    FROM booking b
    JOIN tour t ON t.id = b.tour
    LEFT JOIN (SELECT booking, min(home_province_code) AS code FROM booking_traveller GROUP BY booking) o
        ON o.booking = b.id
    WHERE stats_outcome(b.status, b.confirmed_at) IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5;

    DELETE FROM stats_capacity_month;
    INSERT INTO stats_capacity_month (base_id, month, beds)
    SELECT base, date_trunc('month', night::timestamp)::date, sum(beds) FROM capacity_night GROUP BY 1, 2;

    DELETE FROM stats_feedback_month;
    INSERT INTO stats_feedback_month (base_id, month, mode, reviews, {", ".join(ASPECTS)}, promoters, detractors)
    SELECT f.base, date_trunc('month', b.arrival::timestamp)::date, t.mode, count(*),
           {", ".join(f"sum(f.{a})" for a in ASPECTS)},
           count(*) FILTER (WHERE f.nps >= 9), count(*) FILTER (WHERE f.nps <= 6)
    FROM feedback f JOIN booking b ON b.id = f.booking JOIN tour t ON t.id = b.tour
    WHERE NOT f.hidden
    GROUP BY 1, 2, 3;

    -- The coarse rollups, from the fine ones just counted.
    DELETE FROM stats_base_stay_month;
    INSERT INTO stats_base_stay_month (base_id, month, mode, travellers, bed_nights)
    SELECT base_id, month, mode, sum(travellers), sum(bed_nights) FROM stats_stay_month GROUP BY 1, 2, 3;

    DELETE FROM stats_base_booking_month;
    INSERT INTO stats_base_booking_month (base_id, month, mode, {WIDE})
    SELECT base_id, month, mode, {wide_sums("outcome", "bookings", "travellers")} FROM stats_booking_month
    GROUP BY 1, 2, 3;

    DELETE FROM stats_flow_change;
    DELETE FROM stats_flow_month;
    INSERT INTO stats_flow_month ({FLOW_KEYS}, travellers, bed_nights)
    SELECT s.month, s.mode, s.origin_code, s.origin_member, b.province_code, b.member,
           sum(s.travellers), sum(s.bed_nights)
    FROM stats_stay_month s JOIN base b ON b.id = s.base_id
    GROUP BY 1, 2, 3, 4, 5, 6;

    DELETE FROM stats_origin_booking_change;
    DELETE FROM stats_origin_booking_month;
    INSERT INTO stats_origin_booking_month ({ORIGIN_KEYS}, {WIDE})
    SELECT s.month, s.mode, s.origin_code, b.member, {wide_sums("s.outcome", "s.bookings", "s.travellers")}
    FROM stats_booking_month s JOIN base b ON b.id = s.base_id
    GROUP BY 1, 2, 3, 4;

    PERFORM stats_bump(0);
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER base_stats AFTER UPDATE OF member, province_code ON base
FOR EACH ROW WHEN ((OLD.member, OLD.province_code) IS DISTINCT FROM (NEW.member, NEW.province_code))
EXECUTE FUNCTION stats_base_moved();
"""

INDEXES = {
    # Dashboards read whole periods across bases.
    "stats_base_stay_month_period": "stats_base_stay_month (month, mode)",
    "stats_base_booking_month_period": "stats_base_booking_month (month, mode)",
    # One base's flows (where its guests come from) read from the index alone.
    "stats_stay_month_base": "stats_stay_month (base_id, month, mode, origin_code) INCLUDE (travellers, bed_nights)",
    # Bookings of a member: at its bases, or of travellers from its province.
    "stats_origin_booking_month_destination": "stats_origin_booking_month (destination_member, month)",
    "stats_origin_booking_month_origin": "stats_origin_booking_month (origin_code, month)",
}

DROP = """
DROP TRIGGER IF EXISTS base_stats ON base;
DROP FUNCTION IF EXISTS stats_base_moved();
DROP FUNCTION IF EXISTS stats_fold_flows();
"""


async def execute(sql: str) -> None:
    """Several statements at once, on the migration's own transaction (simple query protocol)."""
    await engine_finder().current_transaction.get().connection.execute(sql)


def previous_functions() -> str:
    """The functions as the migration before this one made them (to go back to)."""
    path = Path(__file__).with_name("sojourn_2026_11_23t12_30_51_956554.py")
    spec = importlib.util.spec_from_file_location("sojourn_stats_rollups_previous", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FUNCTIONS


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create():
        await execute(FUNCTIONS)
        await execute(TRIGGERS)
        for name, target in INDEXES.items():
            await execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        # Whatever is already in the database is counted once, here.
        await execute("SELECT stats_rebuild()")

    async def drop():
        for name in INDEXES:
            await execute(f"DROP INDEX IF EXISTS {name}")
        await execute(DROP)
        await execute(previous_functions())

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
