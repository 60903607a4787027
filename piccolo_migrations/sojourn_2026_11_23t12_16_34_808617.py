"""Outbox delivery with a lease: status ``sending`` while a delivery run holds a message
(``deliver_after`` is then the lease's end), and an index that finds both messages due and
messages whose lease ran out. Old idempotency records are purged by age: index it."""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.table import Table

ID = "2026-11-23T12:16:34:808617"
VERSION = "1.38.0"
DESCRIPTION = "outbox: sending status with a lease, claimable index"


class RawSQL(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="OutboxMessage",
        tablename="outbox_message",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "OutboxStatus",
                {
                    "pending": "pending",
                    "sending": "sending",
                    "sent": "sent",
                    "failed": "failed",
                },
            )
        },
        old_params={
            "choices": Enum(
                "OutboxStatus",
                {"pending": "pending", "sent": "sent", "failed": "failed"},
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    async def create_indexes():
        await RawSQL.raw(
            "CREATE INDEX IF NOT EXISTS outbox_message_claimable ON outbox_message (deliver_after) "
            "WHERE status IN ('pending', 'sending')"
        )
        await RawSQL.raw("DROP INDEX IF EXISTS outbox_message_due")
        await RawSQL.raw("CREATE INDEX IF NOT EXISTS idempotency_record_created ON idempotency_record (created_at)")

    async def drop_indexes():
        await RawSQL.raw("DROP INDEX IF EXISTS idempotency_record_created")
        await RawSQL.raw("DROP INDEX IF EXISTS outbox_message_claimable")
        await RawSQL.raw(
            "CREATE INDEX IF NOT EXISTS outbox_message_due ON outbox_message (deliver_after) WHERE status = 'pending'"
        )

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
