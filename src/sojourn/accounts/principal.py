"""Who is asking: the signed-in account with its role and scopes, loaded in one query."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sojourn import db
from sojourn.accounts.rows import AccountScopes, TokenAccount
from sojourn.accounts.tables import Role
from sojourn.db import rows


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: int
    role: Role
    display_name: str
    locale: str
    elder_mode: bool
    password_changed_at: dt.datetime
    base_ids: frozenset[int] = frozenset()  # operators: the bases they work for
    member_ids: frozenset[int] = frozenset()  # coordinators: their members (empty: all)
    token_id: int | None = None  # set when authenticated by an API token


_ACCOUNT_COLUMNS = """
    a.id, a.role, a.display_name, a.locale, a.elder_mode, a.password_changed_at,
    coalesce((SELECT array_agg(ab.base) FROM account_base ab WHERE ab.account = a.id), '{}') AS base_ids,
    coalesce((SELECT array_agg(am.member) FROM account_member am WHERE am.account = a.id), '{}') AS member_ids
"""

ACCOUNT_SQL = f"SELECT {_ACCOUNT_COLUMNS} FROM account a WHERE a.id = $1 AND a.status = 'active'"

TOKEN_SQL = f"""
SELECT {_ACCOUNT_COLUMNS}, t.id AS token_id, t.last_used_at, t.expires_at
FROM api_token t JOIN account a ON a.id = t.account
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND a.status = 'active'
"""


def _principal(row: AccountScopes, token_id: int | None = None) -> Principal:
    return Principal(
        account_id=row.id,
        role=Role(row.role),
        display_name=row.display_name,
        locale=row.locale,
        elder_mode=row.elder_mode,
        password_changed_at=row.password_changed_at,
        base_ids=frozenset(row.base_ids),
        member_ids=frozenset(row.member_ids),
        token_id=token_id,
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def principal_for_account(account_id: int) -> Principal | None:
    async with db.connection() as conn:
        row = rows.row_or_none(AccountScopes, await conn.fetchrow(ACCOUNT_SQL, account_id))
    return _principal(row) if row else None


# last_used_at is refreshed at most this often, to keep token checks read-only on the hot path.
LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


# Who holds a bearer token, kept in this process for a few seconds: most API requests then need no
# query to say who is asking. Any change made here to a token or its account (revoking, signing out
# everywhere, a new password, closing the account, a base granted or taken, preferences) forgets the
# account's tokens at once (``forget_account``); another serving process, or a change made in
# /admin, is seen within TOKEN_CACHE_TTL. A short TTL rather than a message through Redis: it needs no
# Redis, no listener that could fall behind, and bounds every kind of change the same way.
TOKEN_CACHE_TTL = dt.timedelta(seconds=5)
_TOKEN_CACHE_LIMIT = 50_000
_TOKENS: dict[str, tuple[Principal, dt.datetime, dt.datetime]] = {}  # digest -> (principal, from, until)


def forget_account(account_id: int) -> None:
    """Forget the cached tokens of this account (call after the change is committed)."""
    for digest, (principal, _, _) in list(_TOKENS.items()):
        if principal.account_id == account_id:
            _TOKENS.pop(digest, None)


async def principal_for_token(token: str, now: dt.datetime) -> Principal | None:
    digest = hash_token(token)
    cached = _TOKENS.get(digest)
    if cached is not None and cached[1] <= now < cached[2]:
        return cached[0]
    async with db.connection() as conn:
        row = rows.row_or_none(TokenAccount, await conn.fetchrow(TOKEN_SQL, digest, now))
        if row is None:
            _TOKENS.pop(digest, None)
            return None
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
            await conn.execute("UPDATE api_token SET last_used_at = $2 WHERE id = $1", row.token_id, now)
    principal = _principal(row, token_id=row.token_id)
    if len(_TOKENS) >= _TOKEN_CACHE_LIMIT:
        _TOKENS.clear()
    _TOKENS[digest] = (principal, now, min(now + TOKEN_CACHE_TTL, row.expires_at))
    return principal
