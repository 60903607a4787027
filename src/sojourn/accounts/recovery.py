"""One-time codes by text message or e-mail: to reset a forgotten password, and to show at
registration that a mobile number is one's own.

- A code is 6 digits, valid for ``CODE_LIFETIME``, kept only as a keyed digest, spent once; a
  new code replaces the last; after ``MAX_ATTEMPTS`` wrong tries it is dead.
- At most ``CODES_PER_HOUR`` codes per login and hour (besides the per-address limit on the
  routes): nobody floods a phone with messages.
- Asking never tells whether an account exists: the answer is the same, and the message goes
  out after the answer (``send_code`` runs as a background task). At registration, a number
  that already has an account gets a message saying so instead of a code.
- A reset sets the new password, signs out every session and token (the password stamp and
  token revocation, as for a change), and lifts the sign-in lock-out on that login.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg
from litestar.stores.base import Store

from sojourn import db
from sojourn.accounts import codes
from sojourn.accounts.logins import Login, check_new_password, parse_login
from sojourn.accounts.passwords import hash_password
from sojourn.accounts.principal import forget_account
from sojourn.accounts.rows import AccountToTell, CodeToCheck
from sojourn.audit import services as audit
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.errors import InvalidInput
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.i18n import using_locale
from sojourn.notifications.direct import send_now
from sojourn.notifications.messages import Message

CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
CODES_PER_HOUR = 3


class WrongCode(InvalidInput):
    status = 400


def sent_detail() -> str:
    return str(
        _l("If this phone number or e-mail address has an account, a code is on its way. It works for 10 minutes.")
    )


def wrong_code() -> WrongCode:
    message = _l("This code is not right or has expired. Ask for a new code.")
    return WrongCode(message, code="bad_code", field_errors={"code": message})


@dataclass(frozen=True)
class PendingMessage:
    """What to send once the answer has gone out (None fields: nothing to send)."""

    login: Login
    locale: str
    display_name: str
    message: Message


async def _issue(
    conn: asyncpg.Connection, purpose: str, login: Login, *, now: dt.datetime, keyring: KeyRing
) -> str | None:
    """A new code for ``login`` (the previous ones die), or None past the hourly limit."""
    recent = await conn.fetchval(
        "SELECT count(*) FROM one_time_code WHERE login = $1 AND purpose = $2 AND created_at > $3",
        login.value,
        purpose,
        now - dt.timedelta(hours=1),
    )
    if recent >= CODES_PER_HOUR:
        return None
    await conn.execute(
        "UPDATE one_time_code SET used_at = $3 WHERE login = $1 AND purpose = $2 AND used_at IS NULL",
        login.value,
        purpose,
        now,
    )
    code = codes.new_digits()
    await conn.execute(
        "INSERT INTO one_time_code (purpose, login, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        purpose,
        login.value,
        codes.code_digest(keyring, purpose, code),
        now,
        now + CODE_LIFETIME,
    )
    return code


def _code_message(code: str, purpose: str, locale: str) -> Message:
    with using_locale(locale):
        if purpose == "reset":
            return Message(
                _("Your code to set a new password"),
                _(
                    "Your code is %(code)s. It works for 10 minutes. Never tell it to anyone, not even to us.",
                    code=code,
                ),
            )
        return Message(
            _("Your registration code"),
            _("Your code is %(code)s. Enter it to create your account. It works for 10 minutes.", code=code),
        )


async def request_reset_code(
    login_text: str, *, now: dt.datetime, keyring: KeyRing, locale: str
) -> PendingMessage | None:
    """A reset code for an active account with this login; None (silently) otherwise."""
    try:
        login = parse_login(login_text)
    except InvalidInput:
        return None
    async with db.connection() as conn, conn.transaction():
        account = rows.row_or_none(
            AccountToTell,
            await conn.fetchrow(
                f"SELECT id, display_name, locale FROM account WHERE {login.kind} = $1 AND status = 'active'",
                login.value,
            ),
        )
        if account is None:
            return None
        code = await _issue(conn, "reset", login, now=now, keyring=keyring)
        if code is None:
            return None
        await audit.record("reset_code_sent", actor_id=account.id, detail={"login_kind": login.kind}, conn=conn)
    return PendingMessage(login, account.locale, account.display_name, _code_message(code, "reset", account.locale))


async def _spend(
    conn: asyncpg.Connection, purpose: str, login: Login, code: str, *, now: dt.datetime, keyring: KeyRing
) -> None:
    """Spend the current code for ``login``, or count a wrong try and raise ``WrongCode``."""
    row = rows.row_or_none(
        CodeToCheck,
        await conn.fetchrow(
            "SELECT id, code_hash, attempts FROM one_time_code WHERE login = $1 AND purpose = $2 AND used_at IS NULL "
            "AND expires_at > $3 ORDER BY id DESC LIMIT 1 FOR UPDATE",
            login.value,
            purpose,
            now,
        ),
    )
    if row is None:
        raise wrong_code()
    if row.code_hash != codes.code_digest(keyring, purpose, code):
        dead = row.attempts + 1 >= MAX_ATTEMPTS
        await conn.execute(
            "UPDATE one_time_code SET attempts = attempts + 1, used_at = CASE WHEN $2 THEN $3 ELSE used_at END "
            "WHERE id = $1",
            row.id,
            dead,
            now,
        )
        raise wrong_code()
    await conn.execute("UPDATE one_time_code SET used_at = $2 WHERE id = $1", row.id, now)


async def reset_password(
    login_text: str, code: str, new_password: str, *, now: dt.datetime, keyring: KeyRing, failures: Store, ip: str = ""
) -> None:
    try:
        login = parse_login(login_text)
    except InvalidInput:
        raise wrong_code() from None
    check_new_password(new_password, field="new_password")
    new_hash = await hash_password(new_password)
    # A wrong try is counted even though the request fails: its own transaction commits first.
    async with db.connection() as conn:
        async with conn.transaction():
            try:
                await _spend(conn, "reset", login, code, now=now, keyring=keyring)
            except WrongCode:
                wrong = True
            else:
                wrong = False
                account_id = await conn.fetchval(
                    f"UPDATE account SET password_hash = $2, password_changed_at = $3 "
                    f"WHERE {login.kind} = $1 AND status = 'active' RETURNING id",
                    login.value,
                    new_hash,
                    now,
                )
                if account_id is not None:
                    await conn.execute(
                        "UPDATE api_token SET revoked_at = $2 WHERE account = $1 AND revoked_at IS NULL",
                        account_id,
                        now,
                    )
                    await audit.record("password_reset", actor_id=account_id, ip=ip, conn=conn)
        if wrong:
            raise wrong_code()
    if account_id is not None:
        forget_account(account_id)
    # The sign-in lock-out ends with a reset: for the login everywhere, and here.
    await failures.delete(f"{login.kind}:{login.value}")
    await failures.delete(f"{login.kind}:{login.value}@{ip}")


async def request_registration_code(
    phone_text: str, *, now: dt.datetime, keyring: KeyRing, locale: str
) -> PendingMessage | None:
    """A code for a number without an account; for a number with one, a message saying so.
    Raises InvalidInput only for a number that is not a mobile number at all."""
    try:
        login = parse_login(phone_text)
    except InvalidInput:
        login = None
    if login is None or login.kind != "phone":
        message = _l("Enter a mainland mobile number of 11 digits.")
        raise InvalidInput(message, field_errors={"phone": message})
    async with db.connection() as conn, conn.transaction():
        taken = await conn.fetchval("SELECT 1 FROM account WHERE phone = $1", login.value)
        code = await _issue(conn, "register", login, now=now, keyring=keyring)
    if code is None:
        return None
    if taken:
        with using_locale(locale):
            already = Message(
                _("You already have an account"),
                _("This number already has a Sojourn account. Sign in, or ask for a code to set a new password."),
            )
        return PendingMessage(login, locale, "", already)
    return PendingMessage(login, locale, "", _code_message(code, "register", locale))


async def check_registration_code(
    conn: asyncpg.Connection, phone: str, code: str, *, now: dt.datetime, keyring: KeyRing
) -> None:
    """Spend the registration code for ``phone`` in the caller's transaction, or raise ``WrongCode``."""
    await _spend(conn, "register", parse_login(phone), code, now=now, keyring=keyring)


async def send_code(settings: Settings, pending: PendingMessage | None) -> None:
    if pending is None:
        return
    await send_now(
        settings,
        kind="one_time_code",
        login_kind=pending.login.kind,
        login=pending.login.value,
        locale=pending.locale,
        display_name=pending.display_name,
        message=pending.message,
    )
