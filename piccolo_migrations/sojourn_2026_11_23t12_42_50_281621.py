"""Piccolo Admin's user and session tables (``sojourn.admin.tables``), created by hand.

They are not in the app's table list (nobody signs in to them; Sojourn's session decides who
reaches /admin), so auto-migrations never see them: this raw step is their only definition.
The columns are those of Piccolo's BaseUser and piccolo_api's SessionsBase.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-23T12:42:50:281621"
VERSION = "1.38.0"
DESCRIPTION = "Piccolo Admin user and session tables for admins at /admin"

CREATE = [
    """
    CREATE TABLE IF NOT EXISTS admin_console_user (
        id SERIAL PRIMARY KEY NOT NULL,
        username VARCHAR(100) NOT NULL DEFAULT '' CONSTRAINT admin_console_user_username_key UNIQUE,
        password VARCHAR(255) NOT NULL DEFAULT '',
        first_name VARCHAR(255) DEFAULT '',
        last_name VARCHAR(255) DEFAULT '',
        email VARCHAR(255) NOT NULL DEFAULT '' CONSTRAINT admin_console_user_email_key UNIQUE,
        active BOOLEAN NOT NULL DEFAULT false,
        admin BOOLEAN NOT NULL DEFAULT false,
        superuser BOOLEAN NOT NULL DEFAULT false,
        last_login TIMESTAMP DEFAULT null
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS admin_console_session (
        id SERIAL PRIMARY KEY NOT NULL,
        token VARCHAR(100) NOT NULL DEFAULT '',
        user_id INTEGER NOT NULL DEFAULT 0,
        expiry_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP + INTERVAL '1 hour',
        max_expiry_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP + INTERVAL '7 days'
    )
    """,
    "CREATE INDEX IF NOT EXISTS admin_console_session_token ON admin_console_session (token)",
]


class RawSQL(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create():
        for statement in CREATE:
            await RawSQL.raw(statement)

    async def drop():
        await RawSQL.raw("DROP TABLE IF EXISTS admin_console_session")
        await RawSQL.raw("DROP TABLE IF EXISTS admin_console_user")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
