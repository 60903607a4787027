"""Booking references derived from booking ids: short, unique without retries, not sequential.

``sojourn_booking_reference(id)`` maps id to (id * A + B) mod 29^6, a bijection because A
is prime to 29, and writes it with the 29-letter alphabet of bookings/references.py. Ids up
to 594,823,320 get distinct references.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-23T11:48:00:894470"
VERSION = "1.38.0"
DESCRIPTION = "booking references from ids"

CREATE = """
CREATE OR REPLACE FUNCTION sojourn_booking_reference(booking_id bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT 'SJ-' || string_agg(
        substr('3456789ABCDEFGHJKMNPQRSTUVWXY',
               ((((booking_id * 387420489 + 20261123) % 594823321) / power(29, k)::bigint) % 29)::int + 1, 1),
        '' ORDER BY k DESC)
    FROM generate_series(0, 5) AS k
$$
"""


class RawSQL(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create_function():
        await RawSQL.raw(CREATE)

    async def drop_function():
        await RawSQL.raw("DROP FUNCTION IF EXISTS sojourn_booking_reference(bigint)")

    manager.add_raw(create_function)
    manager.add_raw_backwards(drop_function)
    return manager
