"""Bookings already at the front desk pass their status on to their travellers, so booking and
traveller attendance agree from the start; attendance takes known values only.

Its own migration: Piccolo runs a migration's raw steps before its added columns."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class RawSQL(Table):
    pass


BACKFILL = [
    """UPDATE booking_traveller bt SET attendance = k.status,
           checked_in_at = CASE WHEN k.status IN ('checked_in', 'checked_out') THEN k.checked_in_at END,
           checked_out_at = CASE WHEN k.status = 'checked_out' THEN k.checked_out_at END
       FROM booking k WHERE k.id = bt.booking AND k.status IN ('checked_in', 'checked_out', 'no_show')""",
    """ALTER TABLE booking_traveller ADD CONSTRAINT booking_traveller_attendance_known
       CHECK (attendance IN ('expected', 'checked_in', 'checked_out', 'no_show'))""",
]
UNDO_BACKFILL = ["ALTER TABLE booking_traveller DROP CONSTRAINT IF EXISTS booking_traveller_attendance_known"]

ID = "2026-12-07T19:58:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "attendance per traveller: backfill and check"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def backfill():
        for statement in BACKFILL:
            await RawSQL.raw(statement)

    async def undo_backfill():
        for statement in UNDO_BACKFILL:
            await RawSQL.raw(statement)

    manager.add_raw(backfill)
    manager.add_raw_backwards(undo_backfill)
    return manager
