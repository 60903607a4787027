"""Room types: today's bed calendars and bookings move over, and the two calendars are kept in step.

How existing data moves (nothing is lost, no total changes):

- every base gets one room type ``bed`` (床位 / Bed, one bed per room, no price of its own: the
  tour's price per traveller applies, as before);
- every ``capacity_night`` row becomes a ``room_night`` row of that type with rooms = beds and
  taken_rooms = taken;
- every booking gets one ``booking_room`` line: that type, rooms = party_size.

So for a base with only its ``bed`` type every figure is exactly what it was
(tests/bookings/test_room_types_migration.py checks this on a copy of the demo database).

From then on ``room_night`` is what is sold and ``capacity_night`` stays the base's bed figure
that search (free runs), occupancy statistics and calendars read: beds = sum of rooms x beds per
room, taken likewise. Statement triggers keep it in the statement that changes ``room_night``.
Writers that still speak beds (bulk loads, consoles, the benchmarks, older tests) may write
``capacity_night`` of a base that sells beds only (no type yet, or its one type of one bed per
room): a trigger mirrors the change into that type's ``room_night``, creating the ``bed`` type
when the base has none. For a base that sells other rooms such a write is refused. A trigger
reacting to a write made by the other trigger does nothing (``pg_trigger_depth() > 1``), so the
two never chase each other.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T22:26:26:000000"
VERSION = "1.38.0"
DESCRIPTION = "room types: existing beds move over, capacity_night kept from room_night"

DEFAULT_TYPE = "('bed', '床位', 'Bed')"

CONSTRAINTS = """
ALTER TABLE room_type ADD CONSTRAINT room_type_id_base UNIQUE (id, base);
ALTER TABLE room_night ADD CONSTRAINT room_night_type_of_its_base
    FOREIGN KEY (room_type, base) REFERENCES room_type (id, base) ON DELETE RESTRICT;
ALTER TABLE room_type ADD CONSTRAINT room_type_price_per_known CHECK (price_per IN ('person', 'room'));
ALTER TABLE room_type ADD CONSTRAINT room_type_price_period_known CHECK (price_period IN ('night', 'month'));
CREATE INDEX IF NOT EXISTS room_night_base_night ON room_night (base, night);
CREATE INDEX IF NOT EXISTS booking_room_type ON booking_room (room_type);
"""

MOVE_OVER = """
INSERT INTO room_type (base, code, name_zh, name_en, beds_per_room, accessible, price_fen, price_per,
                       price_period, sort_order)
SELECT b.id, 'bed', '床位', 'Bed', 1, false, NULL, 'person', 'night', 0 FROM base b;

INSERT INTO room_night (base, room_type, night, rooms, taken_rooms)
SELECT c.base, t.id, c.night, c.beds, c.taken
FROM capacity_night c JOIN room_type t ON t.base = c.base AND t.code = 'bed';

INSERT INTO booking_room (booking, room_type, rooms)
SELECT k.id, t.id, k.party_size FROM booking k JOIN room_type t ON t.base = k.base AND t.code = 'bed';
"""

# room_night -> capacity_night: add what the statement changed, in beds, per base and night.
ROOMS_TO_BEDS_DELTA = {
    "INSERT": "SELECT n.base, n.night, n.rooms * t.beds_per_room AS beds, n.taken_rooms * t.beds_per_room AS taken"
    " FROM rooms_new n JOIN room_type t ON t.id = n.room_type",
    "DELETE": "SELECT o.base, o.night, -o.rooms * t.beds_per_room, -o.taken_rooms * t.beds_per_room"
    " FROM rooms_old o JOIN room_type t ON t.id = o.room_type",
}
ROOMS_TO_BEDS_DELTA["UPDATE"] = f"{ROOMS_TO_BEDS_DELTA['INSERT']} UNION ALL {ROOMS_TO_BEDS_DELTA['DELETE']}"

ROOMS_TRANSITIONS = {
    "INSERT": "NEW TABLE AS rooms_new",
    "DELETE": "OLD TABLE AS rooms_old",
    "UPDATE": "OLD TABLE AS rooms_old NEW TABLE AS rooms_new",
}


def rooms_to_beds(op: str) -> str:
    delta = f"SELECT d.base, d.night, sum(d.beds)::int AS beds, sum(d.taken)::int AS taken FROM ({ROOMS_TO_BEDS_DELTA[op]}) d(base, night, beds, taken) GROUP BY 1, 2"
    if op == "INSERT":  # a night may be new to the base
        apply = f"""
    INSERT INTO capacity_night AS c (base, night, beds, taken) {delta}
    ON CONFLICT (base, night) DO UPDATE SET beds = c.beds + EXCLUDED.beds, taken = c.taken + EXCLUDED.taken;"""
    else:  # the hot path (holds, releases): a plain UPDATE fires no INSERT triggers downstream
        apply = f"""
    UPDATE capacity_night c SET beds = c.beds + d.beds, taken = c.taken + d.taken
    FROM ({delta}) d WHERE c.base = d.base AND c.night = d.night AND (d.beds <> 0 OR d.taken <> 0);"""
    if op == "DELETE":  # a night left with no room of any type has no calendar row either
        apply += """
    DELETE FROM capacity_night c USING (SELECT DISTINCT base, night FROM rooms_old) o
    WHERE c.base = o.base AND c.night = o.night
      AND NOT EXISTS (SELECT 1 FROM room_night r WHERE r.base = o.base AND r.night = o.night);"""
    return f"""
CREATE OR REPLACE FUNCTION rooms_to_beds_after_{op.lower()}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $fn$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;  -- written by the mirror of a bed-speaking write: capacity_night is already right
    END IF;{apply}
    RETURN NULL;
END
$fn$;
CREATE TRIGGER rooms_to_beds_after_{op.lower()} AFTER {op} ON room_night
REFERENCING {ROOMS_TRANSITIONS[op]} FOR EACH STATEMENT EXECUTE FUNCTION rooms_to_beds_after_{op.lower()}();
"""


BEDS_ONLY = f"""
-- The one room type of each of these bases, for writers that speak beds: made ('bed') where a base
-- has none; an error where a base sells other rooms (its bed figure is kept from its room types).
CREATE OR REPLACE FUNCTION room_types_selling_beds_only(p_bases integer[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    other integer;
BEGIN
    INSERT INTO room_type (base, code, name_zh, name_en)
    SELECT b, d.code, d.name_zh, d.name_en FROM unnest(p_bases) AS b, (VALUES {DEFAULT_TYPE}) AS d(code, name_zh, name_en)
    WHERE NOT EXISTS (SELECT 1 FROM room_type t WHERE t.base = b)
    ON CONFLICT (base, code) DO NOTHING;
    SELECT t.base INTO other FROM room_type t WHERE t.base = ANY(p_bases)
    GROUP BY t.base HAVING count(*) > 1 OR max(t.beds_per_room) > 1 LIMIT 1;
    IF other IS NOT NULL THEN
        RAISE EXCEPTION 'base % sells rooms of several kinds: change room_night, not capacity_night', other
            USING ERRCODE = 'check_violation', CONSTRAINT = 'capacity_night_kept_from_rooms';
    END IF;
END
$fn$;
"""

BEDS_TO_ROOMS_UPSERT = """
    INSERT INTO room_night AS r (base, room_type, night, rooms, taken_rooms)
    SELECT n.base, t.id, n.night, n.beds, n.taken FROM beds_new n JOIN room_type t ON t.base = n.base
    ON CONFLICT (room_type, night) DO UPDATE SET rooms = EXCLUDED.rooms, taken_rooms = EXCLUDED.taken_rooms;"""

BEDS_TO_ROOMS = {
    "INSERT": ("beds_new", BEDS_TO_ROOMS_UPSERT),
    "UPDATE": ("beds_new", BEDS_TO_ROOMS_UPSERT),
    "DELETE": (
        "beds_old",
        """
    DELETE FROM room_night r USING beds_old o WHERE r.base = o.base AND r.night = o.night;""",
    ),
}
BEDS_TRANSITIONS = {
    "INSERT": "NEW TABLE AS beds_new",
    "DELETE": "OLD TABLE AS beds_old",
    "UPDATE": "OLD TABLE AS beds_old NEW TABLE AS beds_new",
}


def beds_to_rooms(op: str) -> str:
    source, apply = BEDS_TO_ROOMS[op]
    return f"""
CREATE OR REPLACE FUNCTION beds_to_rooms_after_{op.lower()}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $fn$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;  -- written by the room calendar's own trigger
    END IF;
    PERFORM room_types_selling_beds_only(ARRAY(SELECT DISTINCT base FROM {source}));{apply}
    RETURN NULL;
END
$fn$;
CREATE TRIGGER beds_to_rooms_after_{op.lower()} AFTER {op} ON capacity_night
REFERENCING {BEDS_TRANSITIONS[op]} FOR EACH STATEMENT EXECUTE FUNCTION beds_to_rooms_after_{op.lower()}();
"""


# Beds per room cannot change under rooms already on the calendar: the bed figure would drift.
FIXED_BEDS = """
CREATE OR REPLACE FUNCTION room_type_beds_fixed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.beds_per_room <> OLD.beds_per_room
       AND (EXISTS (SELECT 1 FROM room_night r WHERE r.room_type = OLD.id AND r.rooms > 0)
            OR EXISTS (SELECT 1 FROM booking_room k WHERE k.room_type = OLD.id)) THEN
        RAISE EXCEPTION 'room type % is on the calendar or booked: its beds per room cannot change', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'room_type_beds_fixed';
    END IF;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER room_type_beds_fixed BEFORE UPDATE OF beds_per_room ON room_type
FOR EACH ROW EXECUTE FUNCTION room_type_beds_fixed();
"""

DROP = """
DROP TRIGGER IF EXISTS room_type_beds_fixed ON room_type;
DROP FUNCTION IF EXISTS room_type_beds_fixed();
""" + "".join(
    f"""
DROP TRIGGER IF EXISTS rooms_to_beds_after_{op} ON room_night;
DROP FUNCTION IF EXISTS rooms_to_beds_after_{op}();
DROP TRIGGER IF EXISTS beds_to_rooms_after_{op} ON capacity_night;
DROP FUNCTION IF EXISTS beds_to_rooms_after_{op}();"""
    for op in ("insert", "update", "delete")
) + """
DROP FUNCTION IF EXISTS room_types_selling_beds_only(integer[]);
DELETE FROM booking_room;
DELETE FROM room_night;
DELETE FROM room_type;
ALTER TABLE room_night DROP CONSTRAINT IF EXISTS room_night_type_of_its_base;
ALTER TABLE room_type DROP CONSTRAINT IF EXISTS room_type_id_base;
"""


async def execute(sql: str) -> None:
    """Several statements at once, on the migration's own transaction (simple query protocol)."""
    await engine_finder().current_transaction.get().connection.execute(sql)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create():
        await execute(CONSTRAINTS)
        await execute(MOVE_OVER)  # before the triggers: the calendars are copied, not added twice
        await execute(BEDS_ONLY)
        for op in ("INSERT", "UPDATE", "DELETE"):
            await execute(rooms_to_beds(op))
            await execute(beds_to_rooms(op))
        await execute(FIXED_BEDS)

    async def drop():
        await execute(DROP)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
