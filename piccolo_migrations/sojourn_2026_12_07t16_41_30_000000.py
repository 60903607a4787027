"""Indexes for photos: a base's gallery in order, and serving a processed size by its hash."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T16:41:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "photo indexes"

INDEXES = {
    "photo_gallery": "photo (base, room_type_id, position, id)",
    "photo_rendition_digest": "photo_rendition (digest)",
    "photo_rendition_photo": "photo_rendition (photo)",
}


class RawSQL(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create_indexes():
        for name, target in INDEXES.items():
            await RawSQL.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        for name in INDEXES:
            await RawSQL.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
