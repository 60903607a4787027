"""Accounts: registration, signing in (with throttling), API tokens, password changes."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import asyncpg
from litestar.stores.base import Store

from sojourn import db
from sojourn.accounts.logins import Login, check_new_password, parse_login
from sojourn.accounts.passwords import hash_password, needs_rehash, verify_password
from sojourn.accounts.principal import Principal, forget_account, hash_token, principal_for_account
from sojourn.accounts.rows import AccountCredentials
from sojourn.accounts.tables import Role
from sojourn.audit import services as audit
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotFound, TooManyAttempts, WrongCredentials
from sojourn.i18n import lazy_gettext as _l

TOKEN_LIFETIME = dt.timedelta(hours=12)
MAX_FAILURES = 5  # wrong passwords for one login from one address ...
MAX_LOGIN_FAILURES = 20  # ... or from all addresses together ...
FAILURE_WINDOW = dt.timedelta(minutes=15)  # ... within this window lock that login (there) for the rest of it


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    token_id: int


def _display_name_ok(name: str) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= 60:
        message = _l("Enter a name of 1 to 60 characters.")
        raise InvalidInput(message, field_errors={"display_name": message})
    return name


async def create_account(
    *,
    login: str,
    password: str,
    display_name: str,
    role: Role = Role.traveller,
    locale: str = "zh_CN",
    base_ids: tuple[int, ...] = (),
    member_ids: tuple[int, ...] = (),
    check_password: bool = True,
    conn: asyncpg.Connection | None = None,
) -> int:
    """Create an account; ``login`` is its phone number or e-mail address.

    With ``conn``, the account is written in the caller's transaction (a hotline agent
    creates a senior's account, travellers and consent together, or none of them).
    """
    parsed = parse_login(login)
    if check_password:
        check_new_password(password)
    name = _display_name_ok(display_name)
    password_hash = await hash_password(password)
    if conn is not None:
        async with conn.transaction():  # a savepoint inside the caller's transaction
            return await _insert_account(conn, parsed, role, password_hash, name, locale, base_ids, member_ids)
    async with db.connection() as own, own.transaction():
        return await _insert_account(own, parsed, role, password_hash, name, locale, base_ids, member_ids)


async def _insert_account(
    conn: asyncpg.Connection,
    parsed: Login,
    role: Role,
    password_hash: str,
    name: str,
    locale: str,
    base_ids: tuple[int, ...],
    member_ids: tuple[int, ...],
) -> int:
    try:
        account_id = await conn.fetchval(
            f"INSERT INTO account (role, {parsed.kind}, password_hash, display_name, locale) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            role.value,
            parsed.value,
            password_hash,
            name,
            locale,
        )
    except asyncpg.UniqueViolationError:
        message = _l("An account with this phone number or e-mail address already exists. Try signing in.")
        raise Conflict(message, code="login_taken", field_errors={"login": message}) from None
    if base_ids:
        await conn.executemany(
            "INSERT INTO account_base (account, base) VALUES ($1, $2)", [(account_id, b) for b in base_ids]
        )
    if member_ids:
        await conn.executemany(
            "INSERT INTO account_member (account, member) VALUES ($1, $2)",
            [(account_id, m) for m in member_ids],
        )
    return account_id


async def _failures(store: Store, key: str) -> int:
    raw = await store.get(key)
    return int(raw) if raw else 0


async def authenticate(login: str, password: str, *, store: Store, ip: str, now: dt.datetime) -> Principal:
    """The principal for these credentials; wrong ones raise ``WrongCredentials`` (401).

    A login may fail ``MAX_FAILURES`` times per ``FAILURE_WINDOW`` from one address, and
    ``MAX_LOGIN_FAILURES`` times from all addresses together; past either it is refused with
    429 until the window ends, whatever the password. Someone who knows a phone number can
    thus no longer lock its owner out from one address; a spread-out attack still locks the
    login, and then a reset code (``recovery``) lifts the lock. The per-address request limit
    is separate, in the rate-limit middleware.
    """
    try:
        parsed = parse_login(login)
    except InvalidInput:
        await verify_password(None, password)  # same time as a real attempt
        raise WrongCredentials(_l("The phone number, e-mail address or password is not right.")) from None
    key = f"{parsed.kind}:{parsed.value}"  # the reset code deletes this one (recovery.reset_password)
    here = f"{key}@{ip}"
    locked = [k for k, limit in ((here, MAX_FAILURES), (key, MAX_LOGIN_FAILURES)) if await _failures(store, k) >= limit]
    if locked:
        retry_after = await store.expires_in(locked[0]) or int(FAILURE_WINDOW.total_seconds())
        raise TooManyAttempts(
            _l(
                "Too many wrong passwords. For your safety, wait 15 minutes, or choose a new password with a code "
                '("Forgot your password?"), or call 96111 for help.'
            ),
            retry_after=retry_after,
        )
    async with db.connection() as conn:
        row = rows.row_or_none(
            AccountCredentials,
            await conn.fetchrow(
                f"SELECT id, password_hash, status FROM account WHERE {parsed.kind} = $1", parsed.value
            ),
        )
    ok = await verify_password(row.password_hash if row else None, password)
    if not ok or row is None or row.status != "active":
        for counter in (here, key):
            failures = await _failures(store, counter) + 1
            await store.set(counter, str(failures), expires_in=int(FAILURE_WINDOW.total_seconds()))
        await audit.record("login_failed", actor_id=row.id if row else None, ip=ip, detail={"login_kind": parsed.kind})
        raise WrongCredentials(_l("The phone number, e-mail address or password is not right."))
    await store.delete(here)
    await store.delete(key)
    async with db.connection() as conn:
        await conn.execute("UPDATE account SET last_login_at = $2 WHERE id = $1", row.id, now)
        if needs_rehash(row.password_hash):
            await conn.execute(
                "UPDATE account SET password_hash = $2 WHERE id = $1", row.id, await hash_password(password)
            )
    principal = await principal_for_account(row.id)
    assert principal is not None
    await audit.record("login", actor=principal, ip=ip)
    return principal


async def issue_token(principal: Principal, now: dt.datetime, label: str = "") -> IssuedToken:
    token = secrets.token_urlsafe(32)
    async with db.connection() as conn:
        token_id = await conn.fetchval(
            "INSERT INTO api_token (account, token_hash, label, created_at, expires_at) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            principal.account_id,
            hash_token(token),
            label[:60],
            now,
            now + TOKEN_LIFETIME,
        )
    return IssuedToken(token=token, expires_in=int(TOKEN_LIFETIME.total_seconds()), token_id=token_id)


async def revoke_token(principal: Principal, now: dt.datetime) -> None:
    if principal.token_id is None:
        return
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", principal.token_id, now
        )
    forget_account(principal.account_id)


async def change_password(principal: Principal, current: str, new: str, *, now: dt.datetime, ip: str) -> dt.datetime:
    """Change the password; every other session and every API token stops working."""
    check_new_password(new, field="new_password")
    async with db.connection() as conn:
        stored = await conn.fetchval("SELECT password_hash FROM account WHERE id = $1", principal.account_id)
    if stored is None:
        raise NotFound(_l("This account no longer exists."))
    if not await verify_password(stored, current):
        message = _l("Your current password is not right.")
        raise InvalidInput(message, field_errors={"current_password": message})
    new_hash = await hash_password(new)
    async with db.connection() as conn, conn.transaction():
        await conn.execute(
            "UPDATE account SET password_hash = $2, password_changed_at = $3 WHERE id = $1",
            principal.account_id,
            new_hash,
            now,
        )
        await conn.execute(
            "UPDATE api_token SET revoked_at = $2 WHERE account = $1 AND revoked_at IS NULL",
            principal.account_id,
            now,
        )
        await audit.record("password_changed", actor=principal, ip=ip, conn=conn)
    forget_account(principal.account_id)
    return now


async def set_preferences(principal: Principal, *, locale: str | None = None, elder_mode: bool | None = None) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE account SET locale = coalesce($2, locale), elder_mode = coalesce($3, elder_mode) WHERE id = $1",
            principal.account_id,
            locale,
            elder_mode,
        )
    forget_account(principal.account_id)
