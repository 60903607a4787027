"""Payments: the indexes the payment paths read by, and at most one open payment per instalment.

The partial unique index is what makes "reuse the open payment, never create a twin" hold
under concurrent requests: a second open payment for the same instalment cannot be written.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T16:39:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "payments: indexes, one open payment per instalment"

INDEXES = {
    "payment_one_open_per_instalment": (
        "CREATE UNIQUE INDEX payment_one_open_per_instalment ON payment (instalment) "
        "WHERE status IN ('creating', 'pending')"
    ),
    "payment_booking": "CREATE INDEX payment_booking ON payment (booking)",
    "payment_open_expiry": "CREATE INDEX payment_open_expiry ON payment (expires_at) WHERE status IN ('creating', 'pending')",
    "payment_instalment_booking": "CREATE INDEX payment_instalment_booking ON payment_instalment (booking)",
    "payment_refund_booking": "CREATE INDEX payment_refund_booking ON payment_refund (booking)",
    "payment_refund_due": (
        "CREATE INDEX payment_refund_due ON payment_refund (next_attempt_at) WHERE status IN ('scheduled', 'processing')"
    ),
    "ledger_entry_booking": "CREATE INDEX ledger_entry_booking ON ledger_entry (booking)",
    "ledger_entry_member_time": "CREATE INDEX ledger_entry_member_time ON ledger_entry (member, occurred_at)",
    "invoice_request_one_open": (
        "CREATE UNIQUE INDEX invoice_request_one_open ON invoice_request (booking) WHERE status <> 'cancelled'"
    ),
    "payment_notification_open": (
        "CREATE INDEX payment_notification_open ON payment_notification (received_at) "
        "WHERE outcome = 'quarantined' AND resolved_at IS NULL"
    ),
}


class RawSQL(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create_indexes():
        for sql in INDEXES.values():
            await RawSQL.raw(sql)

    async def drop_indexes():
        for name in INDEXES:
            await RawSQL.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
