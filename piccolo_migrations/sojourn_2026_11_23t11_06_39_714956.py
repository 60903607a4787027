"""Indexes Piccolo's auto-migrations do not track: foreign keys that are queried,
composite and partial indexes for the booking engine's hot queries."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-23T11:06:39:714956"
VERSION = "1.38.0"
DESCRIPTION = "indexes for foreign keys and hot queries"

INDEXES = {
    "booking_base_status": "booking (base, status)",
    "booking_account_created": "booking (account, created_at DESC)",
    "booking_tour_status": "booking (tour, status)",
    "booking_booked_by": "booking (booked_by)",
    # Expired holds of one base (released under its lock before every decision), and the sweep.
    "booking_held_expiry": "booking (base, hold_expires_at) WHERE status = 'held'",
    "booking_traveller_traveller": "booking_traveller (traveller)",
    "waitlist_entry_queue": "waitlist_entry (base, status, created_at, id)",
    "waitlist_entry_account": "waitlist_entry (account)",
    "traveller_account": "traveller (account)",
    "tour_base_status": "tour (base, status)",
    "tour_status_mode": "tour (status, mode, starts_on)",
    "tour_quota_member": "tour_quota (member)",
    "health_declaration_traveller": "health_declaration (traveller)",
    "health_declaration_status": "health_declaration (status, risk)",
    "consent_traveller": "consent (traveller, purpose)",
    "consent_booking": "consent (booking)",
    "feedback_base": "feedback (base, created_at DESC)",
    "feedback_traveller": "feedback (traveller)",
    "agent_mandate_traveller": "agent_mandate (traveller)",
    "api_token_account": "api_token (account)",
    "account_base_base": "account_base (base)",
    "outbox_message_due": "outbox_message (deliver_after) WHERE status = 'pending'",
    "outbox_message_account": "outbox_message (account)",
    "base_member": "base (member)",
    "agreement_member_b": "agreement (member_b)",
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
