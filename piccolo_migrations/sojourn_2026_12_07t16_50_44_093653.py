"""Identity numbers keep no masked copy in clear (issue 15, finding 2).

The old mask kept digits 1-4 and 15-18; with the birth date (digits 7-14) and the home
province stored in plain text, only two digits were unknown and the check digit left about
nine candidates: a database dump gave the numbers back without any key. Dropping the column
removes every existing mask; pages now mask what they decrypt.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T16:50:44:093653"
VERSION = "1.38.0"
DESCRIPTION = "identity numbers: no plaintext mask"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    manager.drop_column(
        table_class_name="Traveller",
        tablename="traveller",
        column_name="id_number_masked",
        db_column_name="id_number_masked",
        schema=None,
    )

    return manager
