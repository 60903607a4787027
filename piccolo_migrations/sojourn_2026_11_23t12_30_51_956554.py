"""Statistics rollups kept in the same transaction as the change they count.

What counts (docs/statistics.md says it in words):
- sold bed-nights: bookings in status confirmed, checked_in, checked_out or no_show (a no-show
  kept and paid for the bed); holds, expired holds and cancellations never count;
- a stay's nights fall in the month of each night; its travellers count once, in the month
  they arrive;
- bookings by outcome: confirmed (confirmed, checked in or out), no_show, and cancelled after
  being confirmed (a hold let go is not a booking);
- feedback counts unless hidden, in the month the stay began.

Triggers, not application hooks, so that every path that changes a booking (confirm, cancel,
undo, check-in, no-show, provider cancellations, future ones) is counted. The booking trigger
fires on UPDATE only and its WHEN clause is false for everything the hold path does (it
inserts held bookings and turns run-out holds into 'expired'), so holds pay nothing.
Bulk loads that insert bookings already sold (demo history, benchmarks) call stats_rebuild().

Every change first bumps the base's row in stats_version: that serialises the base's rollup
updates (no deadlocks between two confirmations) and tells caches the answers changed.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T12:30:51:956554"
VERSION = "1.38.0"
DESCRIPTION = "stats rollups: functions and triggers"

SOLD = "'confirmed', 'checked_in', 'checked_out', 'no_show'"
COUNTED = "'confirmed', 'checked_in', 'checked_out', 'no_show', 'cancelled'"
ASPECTS = ("accommodation", "food", "medical", "activities", "staff", "transport", "value", "safety")

FUNCTIONS = f"""
CREATE SEQUENCE IF NOT EXISTS stats_version_seq;

CREATE OR REPLACE FUNCTION stats_bump(p_base integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO stats_version (base_id, version) VALUES (p_base, nextval('stats_version_seq'))
    ON CONFLICT (base_id) DO UPDATE SET version = EXCLUDED.version;
$$;

CREATE OR REPLACE FUNCTION stats_sold(p_status text) RETURNS boolean IMMUTABLE LANGUAGE sql AS $$
    SELECT p_status IN ({SOLD});
$$;

CREATE OR REPLACE FUNCTION stats_outcome(p_status text, p_confirmed_at timestamptz)
RETURNS text IMMUTABLE LANGUAGE sql AS $$
    SELECT CASE WHEN p_status IN ('confirmed', 'checked_in', 'checked_out') THEN 'confirmed'
                WHEN p_status = 'no_show' THEN 'no_show'
                WHEN p_status = 'cancelled' AND p_confirmed_at IS NOT NULL THEN 'cancelled' END;
$$;

-- The months a stay [arrival, departure) touches, its nights in each, and its arrival month.
CREATE OR REPLACE FUNCTION stats_stay_months(p_arrival date, p_departure date)
RETURNS TABLE (month date, nights integer, arrives boolean) IMMUTABLE LANGUAGE sql AS $$
    SELECT m::date,
           (least(p_departure, (m + interval '1 month')::date) - greatest(p_arrival, m::date))::integer,
           m::date = date_trunc('month', p_arrival::timestamp)::date
    FROM generate_series(date_trunc('month', p_arrival::timestamp), (p_departure - 1)::timestamp,
                         interval '1 month') AS m;
$$;

CREATE OR REPLACE FUNCTION stats_apply_stay(
    p_booking integer, p_base integer, p_tour integer, p_arrival date, p_departure date,
    p_origin_member integer, p_sign integer
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO stats_stay_month AS s (base_id, month, mode, origin_code, origin_member, travellers, bed_nights)
    SELECT p_base, sm.month, t.mode, bt.home_province_code, coalesce(p_origin_member, 0),
           p_sign * count(*) FILTER (WHERE sm.arrives), p_sign * sum(sm.nights)
    FROM booking_traveller bt
    CROSS JOIN stats_stay_months(p_arrival, p_departure) sm
    JOIN tour t ON t.id = p_tour
    WHERE bt.booking = p_booking
    GROUP BY sm.month, t.mode, bt.home_province_code
    ORDER BY sm.month, bt.home_province_code
    ON CONFLICT (base_id, month, mode, origin_code, origin_member) DO UPDATE
    SET travellers = s.travellers + EXCLUDED.travellers, bed_nights = s.bed_nights + EXCLUDED.bed_nights;
$$;

CREATE OR REPLACE FUNCTION stats_apply_booking(
    p_booking integer, p_base integer, p_tour integer, p_arrival date, p_party integer,
    p_outcome text, p_sign integer
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO stats_booking_month AS s (base_id, month, mode, origin_code, outcome, bookings, travellers)
    SELECT p_base, date_trunc('month', p_arrival::timestamp)::date, t.mode,
           coalesce((SELECT min(bt.home_province_code) FROM booking_traveller bt WHERE bt.booking = p_booking),
                    '000000'),
           p_outcome, p_sign, p_sign * p_party
    FROM tour t WHERE t.id = p_tour
    ON CONFLICT (base_id, month, mode, origin_code, outcome) DO UPDATE
    SET bookings = s.bookings + EXCLUDED.bookings, travellers = s.travellers + EXCLUDED.travellers;
$$;

CREATE OR REPLACE FUNCTION stats_booking_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_sold boolean := stats_sold(OLD.status);
    new_sold boolean := stats_sold(NEW.status);
    old_outcome text := stats_outcome(OLD.status, OLD.confirmed_at);
    new_outcome text := stats_outcome(NEW.status, NEW.confirmed_at);
    moved boolean := (OLD.base, OLD.tour, OLD.arrival, OLD.departure, OLD.origin_member, OLD.party_size)
                     IS DISTINCT FROM (NEW.base, NEW.tour, NEW.arrival, NEW.departure, NEW.origin_member,
                                       NEW.party_size);
    stays_change boolean := old_sold <> new_sold OR (moved AND (old_sold OR new_sold));
    outcome_changes boolean := old_outcome IS DISTINCT FROM new_outcome
                               OR (moved AND (old_outcome IS NOT NULL OR new_outcome IS NOT NULL));
BEGIN
    IF NOT (stays_change OR outcome_changes) THEN
        RETURN NULL;
    END IF;
    PERFORM stats_bump(OLD.base);
    IF NEW.base <> OLD.base THEN
        PERFORM stats_bump(NEW.base);
    END IF;
    IF stays_change THEN
        IF old_sold THEN
            PERFORM stats_apply_stay(OLD.id, OLD.base, OLD.tour, OLD.arrival, OLD.departure, OLD.origin_member, -1);
        END IF;
        IF new_sold THEN
            PERFORM stats_apply_stay(NEW.id, NEW.base, NEW.tour, NEW.arrival, NEW.departure, NEW.origin_member, 1);
        END IF;
    END IF;
    IF outcome_changes THEN
        IF old_outcome IS NOT NULL THEN
            PERFORM stats_apply_booking(OLD.id, OLD.base, OLD.tour, OLD.arrival, OLD.party_size, old_outcome, -1);
        END IF;
        IF new_outcome IS NOT NULL THEN
            PERFORM stats_apply_booking(NEW.id, NEW.base, NEW.tour, NEW.arrival, NEW.party_size, new_outcome, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION stats_capacity_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_bump(x.base) FROM (SELECT DISTINCT base FROM stats_new_nights ORDER BY base) x;
    INSERT INTO stats_capacity_month AS s (base_id, month, beds)
    SELECT base, date_trunc('month', night::timestamp)::date, sum(beds)
    FROM stats_new_nights GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (base_id, month) DO UPDATE SET beds = s.beds + EXCLUDED.beds;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION stats_capacity_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_bump(x.base) FROM (SELECT DISTINCT base FROM stats_old_nights ORDER BY base) x;
    INSERT INTO stats_capacity_month AS s (base_id, month, beds)
    SELECT base, date_trunc('month', night::timestamp)::date, -sum(beds)
    FROM stats_old_nights GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (base_id, month) DO UPDATE SET beds = s.beds + EXCLUDED.beds;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION stats_capacity_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_bump(OLD.base);
    IF NEW.base <> OLD.base THEN
        PERFORM stats_bump(NEW.base);
    END IF;
    INSERT INTO stats_capacity_month AS s (base_id, month, beds)
    SELECT v.base, v.month, sum(v.beds)
    FROM (VALUES (OLD.base, date_trunc('month', OLD.night::timestamp)::date, -OLD.beds),
                 (NEW.base, date_trunc('month', NEW.night::timestamp)::date, NEW.beds)) AS v(base, month, beds)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (base_id, month) DO UPDATE SET beds = s.beds + EXCLUDED.beds;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION stats_apply_feedback(f feedback, p_sign integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO stats_feedback_month AS s (base_id, month, mode, reviews, {", ".join(ASPECTS)}, promoters, detractors)
    SELECT (f).base, date_trunc('month', b.arrival::timestamp)::date, t.mode, p_sign,
           {", ".join(f"p_sign * (f).{a}" for a in ASPECTS)},
           p_sign * ((f).nps >= 9)::int, p_sign * ((f).nps <= 6)::int
    FROM booking b JOIN tour t ON t.id = b.tour WHERE b.id = (f).booking
    ON CONFLICT (base_id, month, mode) DO UPDATE
    SET reviews = s.reviews + EXCLUDED.reviews,
        {", ".join(f"{a} = s.{a} + EXCLUDED.{a}" for a in ASPECTS)},
        promoters = s.promoters + EXCLUDED.promoters, detractors = s.detractors + EXCLUDED.detractors;
$$;

CREATE OR REPLACE FUNCTION stats_feedback_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM stats_bump(OLD.base);
        IF NOT OLD.hidden THEN
            PERFORM stats_apply_feedback(OLD, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF TG_OP = 'INSERT' OR NEW.base <> OLD.base THEN
            PERFORM stats_bump(NEW.base);
        END IF;
        IF NOT NEW.hidden THEN
            PERFORM stats_apply_feedback(NEW, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- Everything but the health counts (their source is encrypted), recomputed from the raw rows.
CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE stats_stay_month, stats_booking_month, stats_capacity_month, stats_feedback_month
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

    PERFORM stats_bump(0);
END
$$;
"""

TRIGGERS = f"""
CREATE TRIGGER booking_stats
AFTER UPDATE OF status, confirmed_at, base, tour, arrival, departure, origin_member, party_size ON booking
FOR EACH ROW
WHEN ((OLD.status IN ({COUNTED}) OR NEW.status IN ({COUNTED}))
      AND (OLD.status, OLD.confirmed_at, OLD.base, OLD.tour, OLD.arrival, OLD.departure, OLD.origin_member,
           OLD.party_size)
          IS DISTINCT FROM (NEW.status, NEW.confirmed_at, NEW.base, NEW.tour, NEW.arrival, NEW.departure,
                            NEW.origin_member, NEW.party_size))
EXECUTE FUNCTION stats_booking_changed();

CREATE TRIGGER capacity_night_stats_insert AFTER INSERT ON capacity_night
REFERENCING NEW TABLE AS stats_new_nights FOR EACH STATEMENT EXECUTE FUNCTION stats_capacity_inserted();

CREATE TRIGGER capacity_night_stats_delete AFTER DELETE ON capacity_night
REFERENCING OLD TABLE AS stats_old_nights FOR EACH STATEMENT EXECUTE FUNCTION stats_capacity_deleted();

CREATE TRIGGER capacity_night_stats_update AFTER UPDATE OF beds, night, base ON capacity_night
FOR EACH ROW WHEN ((OLD.beds, OLD.night, OLD.base) IS DISTINCT FROM (NEW.beds, NEW.night, NEW.base))
EXECUTE FUNCTION stats_capacity_updated();

CREATE TRIGGER feedback_stats
AFTER INSERT OR DELETE OR UPDATE OF base, booking, hidden, nps, {", ".join(ASPECTS)} ON feedback
FOR EACH ROW EXECUTE FUNCTION stats_feedback_changed();
"""

INDEXES = {
    # Dashboards read whole periods across bases.
    "stats_stay_month_period": "stats_stay_month (month, mode)",
    "stats_booking_month_period": "stats_booking_month (month, mode)",
    "stats_health_month_period": "stats_health_month (month, mode)",
}

DROP = """
DROP TRIGGER IF EXISTS booking_stats ON booking;
DROP TRIGGER IF EXISTS capacity_night_stats_insert ON capacity_night;
DROP TRIGGER IF EXISTS capacity_night_stats_delete ON capacity_night;
DROP TRIGGER IF EXISTS capacity_night_stats_update ON capacity_night;
DROP TRIGGER IF EXISTS feedback_stats ON feedback;
DROP FUNCTION IF EXISTS stats_rebuild();
DROP FUNCTION IF EXISTS stats_feedback_changed();
DROP FUNCTION IF EXISTS stats_apply_feedback(feedback, integer);
DROP FUNCTION IF EXISTS stats_capacity_updated();
DROP FUNCTION IF EXISTS stats_capacity_deleted();
DROP FUNCTION IF EXISTS stats_capacity_inserted();
DROP FUNCTION IF EXISTS stats_booking_changed();
DROP FUNCTION IF EXISTS stats_apply_booking(integer, integer, integer, date, integer, text, integer);
DROP FUNCTION IF EXISTS stats_apply_stay(integer, integer, integer, date, date, integer, integer);
DROP FUNCTION IF EXISTS stats_stay_months(date, date);
DROP FUNCTION IF EXISTS stats_outcome(text, timestamptz);
DROP FUNCTION IF EXISTS stats_sold(text);
DROP FUNCTION IF EXISTS stats_bump(integer);
DROP SEQUENCE IF EXISTS stats_version_seq;
"""


async def execute(sql: str) -> None:
    """Several statements at once, on the migration's own transaction (simple query protocol)."""
    await engine_finder().current_transaction.get().connection.execute(sql)


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

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
