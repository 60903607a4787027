"""``sojourn keys rotate``: re-encrypt sensitive columns with the first configured key.

Covers travellers' identity numbers, health declarations (content and reviewer's note) and Alipay
merchants' authorisation tokens.
Works in batches of short transactions that lock only the rows they rewrite, so it can run
while Sojourn serves; rows already under the first key are never selected, so running it
again is harmless and a second run reports nothing to do. A value whose key is no longer
configured (or that does not decrypt in its row's context) is left as it is and counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
from cryptography.exceptions import InvalidTag

from sojourn import db
from sojourn.crypto import KeyRing, UnknownKey

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class EncryptedColumn:
    label: str
    table: str
    column: str
    # The encryption context of a row, from the columns selected with it.
    context: Callable[[asyncpg.Record], str]
    context_columns: tuple[str, ...]


COLUMNS = (
    EncryptedColumn(
        "traveller identity numbers",
        "traveller",
        "id_number_cipher",
        lambda row: f"traveller-id:{row['account']}",
        ("account",),
    ),
    EncryptedColumn(
        "health declaration contents",
        "health_declaration",
        "content_cipher",
        lambda row: f"declaration:{row['booking']}:{row['traveller']}",
        ("booking", "traveller"),
    ),
    EncryptedColumn(
        "Alipay merchants' authorisation tokens",
        "payee",
        "alipay_app_auth_token_cipher",
        lambda row: f"alipay-app-auth:{row['alipay_merchant_pid']}",
        ("alipay_merchant_pid",),
    ),
    EncryptedColumn(
        "health declaration review notes",
        "health_declaration",
        "review_note_cipher",
        lambda row: f"declaration-note:{row['booking']}:{row['traveller']}",
        ("booking", "traveller"),
    ),
)


@dataclass
class RotationReport:
    reencrypted: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.reencrypted.values())


def _select_sql(column: EncryptedColumn) -> str:
    # Bytes 2..5 of a ciphertext are its key id (crypto.py); NULLs and shredded rows are skipped.
    extra = ", ".join(column.context_columns)
    return (
        f"SELECT id, {column.column} AS blob, {extra} FROM {column.table} "
        f"WHERE {column.column} IS NOT NULL AND substring({column.column} FROM 2 FOR 4) <> $1 AND id > $2 "
        f"ORDER BY id LIMIT $3 FOR UPDATE"
    )


async def rotate_column(keyring: KeyRing, column: EncryptedColumn, report: RotationReport, batch: int = BATCH) -> None:
    select_sql = _select_sql(column)
    update_sql = f"UPDATE {column.table} SET {column.column} = $2 WHERE id = $1"
    last_id = 0
    done = 0
    while True:
        async with db.connection() as conn, conn.transaction():
            rows = await conn.fetch(select_sql, keyring.current_key_id, last_id, batch)
            updates = []
            for row in rows:
                context = column.context(row).encode()
                try:
                    plaintext = keyring.decrypt(bytes(row["blob"]), context)
                except (UnknownKey, InvalidTag, ValueError):
                    report.unreadable.setdefault(column.label, []).append(row["id"])
                    continue
                updates.append((row["id"], keyring.encrypt(plaintext, context)))
            if updates:
                await conn.executemany(update_sql, updates)
        done += len(updates)
        if len(rows) < batch:
            break
        last_id = rows[-1]["id"]
    report.reencrypted[column.label] = done


async def rotate_keys(keyring: KeyRing, batch: int = BATCH) -> RotationReport:
    """Re-encrypt every value not under the first key; returns what was done and what could not be."""
    report = RotationReport()
    for column in COLUMNS:
        await rotate_column(keyring, column, report, batch)
        log.info("keys rotate: %s re-encrypted: %s", column.label, report.reencrypted[column.label])
    return report
