"""What Piccolo Admin may show and change: every Sojourn table, less its secrets.

Password hashes, API token hashes and encrypted blobs (identity numbers, health declarations)
never reach the console. Each table that has such a column is shown through a console-only
``Table`` class for the same database table without those columns, so the console's API can
neither read nor write them (and has no binary column to fail on). The audit log is read-only
here (and append-only in PostgreSQL, see the migration that made it so).
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Bytea
from piccolo.table import Table, create_table_class

# Columns that are secrets or ciphertext by name, besides every binary column.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "code_hash"})
READ_ONLY_TABLES = frozenset({"audit_event"})


def _is_secret(column: Any) -> bool:
    return isinstance(column, Bytea) or column._meta.name in SECRET_COLUMNS


def console_table(table: type[Table]) -> type[Table]:
    """``table`` itself, or a copy for the console without its secret columns."""
    columns = [column for column in table._meta.non_default_columns if not _is_secret(column)]
    if len(columns) == len(table._meta.non_default_columns):
        return table
    return create_table_class(
        f"{table.__name__}InConsole",
        class_kwargs={"tablename": table._meta.tablename},
        class_members={column._meta.name: column.copy() for column in columns},
    )


async def _read_only(piccolo_crud: Any, request: Any) -> None:
    from starlette.exceptions import HTTPException

    raise HTTPException(status_code=403, detail="This table is read-only: the audit log is never changed.")


def table_configs(tables: list[type[Table]]) -> list[Any]:
    from piccolo_admin.endpoints import TableConfig
    from piccolo_api.crud.validators import Validators

    configs = []
    for table in tables:
        validators = None
        if table._meta.tablename in READ_ONLY_TABLES:
            writes: list[Any] = [_read_only]
            validators = Validators(
                post_single=writes, put_single=writes, patch_single=writes, delete_single=writes, delete_all=writes
            )
        configs.append(TableConfig(console_table(table), validators=validators))
    return configs
