"""Fapiao requests: one *open* request per booking at a time (was: one per booking, ever).

A booking paid in instalments may need a second fapiao for money paid after the first was
issued; what a request covers is what was paid and not refunded less what issued fapiao
already cover (payments/invoices.py). A fapiao number is recorded once.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T22:26:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "fapiao: one open request per booking, fapiao numbers once"

FORWARDS = [
    "DROP INDEX IF EXISTS invoice_request_one_open",
    "CREATE UNIQUE INDEX invoice_request_one_open ON invoice_request (booking) WHERE status = 'requested'",
    "CREATE UNIQUE INDEX invoice_request_number_once ON invoice_request (invoice_number) WHERE status = 'issued'",
    "CREATE INDEX invoice_request_queue ON invoice_request (status, requested_at)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS invoice_request_queue",
    "DROP INDEX IF EXISTS invoice_request_number_once",
    "DROP INDEX IF EXISTS invoice_request_one_open",
    "CREATE UNIQUE INDEX invoice_request_one_open ON invoice_request (booking) WHERE status <> 'cancelled'",
]


class RawSQL(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def run_forwards():
        for sql in FORWARDS:
            await RawSQL.raw(sql)

    async def run_backwards():
        for sql in BACKWARDS:
            await RawSQL.raw(sql)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
