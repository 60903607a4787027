"""``Idempotency-Key``: the same key with the same request replays the first response;
the same key with another request is a 409. Records are per account and per endpoint.

The record is written in the same transaction as the booking it describes. Two
concurrent requests with one key: the second waits on the unique index, fails
when the first commits, rolls back everything it did, and replays the first's answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import msgspec

from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.i18n import lazy_gettext as _l

KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as in the IETF draft


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not KEY_SHAPE.match(key):
        message = _l("The Idempotency-Key header must be 1 to 255 visible ASCII characters.")
        raise InvalidInput(message, field_errors={"Idempotency-Key": message})
    return key


def fingerprint(request: Any) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def find(conn: asyncpg.Connection, account_id: int, scope: str, key: str, request_hash: str) -> Replay | None:
    row = await conn.fetchrow(
        "SELECT request_hash, status_code, response FROM idempotency_record "
        "WHERE account = $1 AND scope = $2 AND key = $3",
        account_id,
        scope,
        key,
    )
    if row is None:
        return None
    if row["request_hash"] != request_hash:
        raise Conflict(
            _l("This Idempotency-Key was already used for a different request. Use a new key."),
            code="idempotency_key_reused",
        )
    return Replay(status_code=row["status_code"], body=json.loads(row["response"]))


async def remember(
    conn: asyncpg.Connection, account_id: int, scope: str, key: str, request_hash: str, status_code: int, body: Any
) -> None:
    await conn.execute(
        "INSERT INTO idempotency_record (account, scope, key, request_hash, status_code, response) "
        "VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        account_id,
        scope,
        key,
        request_hash,
        status_code,
        json.dumps(body, default=str),
    )


def is_key_collision(error: asyncpg.UniqueViolationError) -> bool:
    return error.constraint_name == "idempotency_record_once_per_key"


T = TypeVar("T")


async def run_once(
    conn: asyncpg.Connection,
    *,
    account_id: int,
    scope: str,
    key: str | None,
    request: Any,
    result_type: type[T],
    operation: Callable[[], Awaitable[T]],
    still_visible: Callable[[asyncpg.Connection, T], Awaitable[bool]],
) -> tuple[T, bool]:
    """Run ``operation`` in a transaction unless this key already has an answer.

    Returns the result and whether it was replayed. The record is written inside
    the same transaction, so either both the effect and its record exist or neither.
    A replay is answered only while the caller may still see what it describes
    (``still_visible``): an agent whose mandate was withdrawn gets a 404, not the
    stored booking with the senior's names.
    """
    if not key:
        async with conn.transaction():
            return await operation(), False
    request_hash = fingerprint(request)
    replay = await find(conn, account_id, scope, key, request_hash)
    if replay:
        return await _replayed(conn, replay, result_type, still_visible), True
    try:
        async with conn.transaction():
            result = await operation()
            await remember(conn, account_id, scope, key, request_hash, 201, msgspec.to_builtins(result))
        return result, False
    except asyncpg.UniqueViolationError as error:
        if not is_key_collision(error):
            raise
    # A twin request with this key committed first: answer as it did.
    replay = await find(conn, account_id, scope, key, request_hash)
    assert replay is not None
    return await _replayed(conn, replay, result_type, still_visible), True


async def _replayed(
    conn: asyncpg.Connection,
    replay: Replay,
    result_type: type[T],
    still_visible: Callable[[asyncpg.Connection, T], Awaitable[bool]],
) -> T:
    result = msgspec.convert(replay.body, result_type)
    if not await still_visible(conn, result):
        raise NotFound(_l("There is nothing here. Check the address."))
    return result
