"""The audit log is append-only in PostgreSQL itself: any UPDATE, DELETE or TRUNCATE of
``audit_event`` raises, whoever asks (the application, the admin console, a console session).

A trigger, not a REVOKE: it holds for every role, the table's owner included, and needs no
dedicated database role to be set up on each deployment. Only a superuser who disables the
trigger (or sets ``session_replication_role``) can get round it, and that is outside the
application's reach.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T16:50:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "audit_event is append-only (triggers)"

CREATE = (
    """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
)

DROP = (
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
)


class RawSQL(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def create():
        for statement in CREATE:
            await RawSQL.raw(statement)

    async def drop():
        for statement in DROP:
            await RawSQL.raw(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
