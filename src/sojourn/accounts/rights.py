"""The account holder's rights under PIPL: a copy of everything held (access) and closing the
account (deletion).

Export: the account, its travellers, bookings, waiting-list entries, health declarations (their
answers decrypted: they are the person's own), consents, hotline mandates, feedback, messages
sent, and who looked at or changed their data (the audit log). Identity numbers appear masked:
the person knows theirs, and a stolen session should not yield them in clear.

Closing: personal data is erased or made anonymous, in one transaction, audited:

- the account: name, phone, e-mail and password gone (a placeholder address keeps the row
  valid); disabled, so every session and token stops at once; tokens revoked;
- travellers: name, phone, identity number (cipher and digest), emergency contact erased;
  the birth date kept as 1 January of its year and the home province kept, because bookings
  stay for accounting and their anonymous statistics are counted by age band and province;
- health declarations: content and review notes destroyed (status ``shredded``); the anonymous
  statistics keep counting them, as after the retention period;
- feedback: the comment erased (ratings stay, without a name, in the base's averages);
- hotline mandates withdrawn; open waiting-list entries withdrawn;
- the outbox's messages for the account and stored idempotent answers (they hold names)
  deleted; one-time codes for its login deleted;
- bookings kept, now pointing at anonymous travellers (accounting needs them); consents kept
  as the record that processing had a legal basis.

A person with a held, confirmed or current stay is asked to cancel or finish it first (409):
the base needs to know who is coming. Staff accounts are closed by an administrator.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import msgspec

from sojourn import db
from sojourn.accounts.passwords import verify_password
from sojourn.accounts.principal import Principal, forget_account
from sojourn.accounts.rows import AccountLogins, SealedDeclaration
from sojourn.accounts.tables import Role
from sojourn.audit import services as audit
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotAllowed
from sojourn.health import sealing
from sojourn.i18n import lazy_gettext as _l
from sojourn.travellers.rows import TravellerRow
from sojourn.travellers.services import masked_id_number

OPEN_BOOKINGS = ("held", "confirmed", "checked_in")


def _plain(row: Any, *skip: str) -> dict[str, Any]:
    """The row's columns, less ciphertext, digests and hashes (never useful, never shown)."""
    return {
        key: value
        for key, value in dict(row).items()
        if key not in skip and not key.endswith(("_cipher", "_digest", "_hash")) and not isinstance(value, bytes)
    }


async def export(principal: Principal, keyring: KeyRing) -> dict[str, Any]:
    """Everything held about the account and its travellers, as plain JSON-ready data."""
    me = principal.account_id
    async with db.connection() as conn:
        account = await conn.fetchrow(
            "SELECT id, role, display_name, phone, email, locale, elder_mode, status, created_at, "
            "password_changed_at, last_login_at FROM account WHERE id = $1",
            me,
        )
        travellers = await conn.fetch("SELECT * FROM traveller WHERE account = $1 ORDER BY id", me)
        bookings = await conn.fetch(
            "SELECT b.*, coalesce(t.title_zh, '') AS tour_title, bs.name_zh AS base_name, "
            "(SELECT array_agg(bt.traveller ORDER BY bt.traveller) FROM booking_traveller bt WHERE bt.booking = b.id) "
            "AS traveller_ids FROM booking b JOIN tour t ON t.id = b.tour JOIN base bs ON bs.id = b.base "
            "WHERE b.account = $1 ORDER BY b.id",
            me,
        )
        waitlist = await conn.fetch("SELECT * FROM waitlist_entry WHERE account = $1 ORDER BY id", me)
        declarations = await conn.fetch(
            "SELECT hd.* FROM health_declaration hd JOIN booking b ON b.id = hd.booking WHERE b.account = $1 "
            "ORDER BY hd.id",
            me,
        )
        consents = await conn.fetch(
            "SELECT c.* FROM consent c JOIN traveller t ON t.id = c.traveller WHERE t.account = $1 ORDER BY c.id", me
        )
        mandates = await conn.fetch(
            "SELECT m.id, m.traveller, m.method, m.reference, m.recorded_at, m.withdrawn_at FROM agent_mandate m "
            "JOIN traveller t ON t.id = m.traveller WHERE t.account = $1 ORDER BY m.id",
            me,
        )
        feedback = await conn.fetch(
            "SELECT f.* FROM feedback f JOIN booking b ON b.id = f.booking WHERE b.account = $1 ORDER BY f.id", me
        )
        messages = await conn.fetch(
            "SELECT kind, status, created_at, sent_at FROM outbox_message WHERE account = $1 ORDER BY id", me
        )
        access = await conn.fetch(
            "SELECT at, action, actor_role, object_type, object_id FROM audit_event "
            "WHERE actor_id = $1 OR on_behalf_of_account_id = $1 OR (object_type = 'account' AND object_id = $1) "
            "ORDER BY id",
            me,
        )
    return {
        "account": _plain(account),
        "travellers": [
            {**_plain(t), "id_number_masked": _masked_id_number(keyring, rows.row(TravellerRow, t))} for t in travellers
        ],
        "bookings": [_plain(b) for b in bookings],
        "waitlist_entries": [_plain(w) for w in waitlist],
        "health_declarations": [_declaration(keyring, d) for d in declarations],
        "consents": [_plain(c) for c in consents],
        "hotline_mandates": [_plain(m) for m in mandates],
        "feedback": [_plain(f) for f in feedback],
        "messages_sent": [_plain(m) for m in messages],
        "access_log": [_plain(a) for a in access],
    }


def _masked_id_number(keyring: KeyRing, traveller: TravellerRow) -> str | None:
    return masked_id_number(traveller.id_number_cipher, traveller.account, keyring)


def _declaration(keyring: KeyRing, record: Any) -> dict[str, Any]:
    """Every column (``_plain``), with the sealed answers and note opened."""
    out = _plain(record)
    row = rows.row(SealedDeclaration, record)
    if row.content_cipher is not None:
        content = sealing.open_content(keyring, row.booking, row.traveller, row.content_cipher)
        out["answers"] = msgspec.to_builtins(content.answers)
    note = sealing.open_note(keyring, row.booking, row.traveller, row.review_note_cipher)
    if note:
        out["review_note"] = note
    return out


async def close_account(principal: Principal, password: str, *, now: dt.datetime, ip: str = "") -> None:
    """Erase or anonymise the account's personal data (see the module docstring)."""
    if principal.role != Role.traveller:
        raise NotAllowed(_l("Staff accounts are closed by an administrator of the alliance."))
    me = principal.account_id
    async with db.connection() as conn:
        stored = await conn.fetchval("SELECT password_hash FROM account WHERE id = $1", me)
    if not await verify_password(stored, password):
        message = _l("Your password is not right.")
        raise InvalidInput(message, field_errors={"password": message})
    async with db.connection() as conn, conn.transaction():
        await conn.execute("SELECT id FROM account WHERE id = $1 FOR UPDATE", me)
        open_stays = await conn.fetchval(
            "SELECT count(*) FROM booking WHERE account = $1 AND status = ANY($2::varchar[])", me, list(OPEN_BOOKINGS)
        )
        if open_stays:
            raise Conflict(
                _l(
                    "You still have a booking that is held, confirmed or under way. Cancel it or finish the stay first."
                ),
                code="open_bookings",
            )
        # The signed-in account itself.
        login = rows.row(AccountLogins, await conn.fetchrow("SELECT phone, email FROM account WHERE id = $1", me))
        await conn.execute(
            "UPDATE account SET display_name = '已注销', phone = NULL, email = $2, password_hash = $3, "
            "status = 'disabled', elder_mode = false, password_changed_at = $4, last_login_at = NULL WHERE id = $1",
            me,
            f"closed-{me}@closed.sojourn.invalid",
            "closed:" + secrets.token_hex(16),  # matches no password
            now,
        )
        await conn.execute("UPDATE api_token SET revoked_at = $2 WHERE account = $1 AND revoked_at IS NULL", me, now)
        await conn.execute(
            "UPDATE traveller SET name = '已注销', phone = NULL, id_number_cipher = NULL, id_number_digest = NULL, "
            "emergency_name = '', emergency_phone = '', emergency_relation = '', gender = 'unspecified', "
            "birth_date = make_date(extract(year FROM birth_date)::int, 1, 1), updated_at = $2 WHERE account = $1",
            me,
            now,
        )
        await conn.execute(
            "UPDATE health_declaration hd SET content_cipher = NULL, review_note_cipher = NULL, risk = NULL, "
            "status = 'shredded', shredded_at = $2, updated_at = $2 FROM booking b "
            "WHERE b.id = hd.booking AND b.account = $1 AND hd.status <> 'shredded'",
            me,
            now,
        )
        await conn.execute(
            "UPDATE feedback f SET comment = '' FROM booking b WHERE b.id = f.booking AND b.account = $1", me
        )
        await conn.execute(
            "UPDATE agent_mandate m SET withdrawn_at = $2 FROM traveller t "
            "WHERE t.id = m.traveller AND t.account = $1 AND m.withdrawn_at IS NULL",
            me,
            now,
        )
        await conn.execute(
            "UPDATE waitlist_entry SET status = 'withdrawn' WHERE account = $1 AND status IN ('waiting', 'offered')", me
        )
        await conn.execute("DELETE FROM outbox_message WHERE account = $1", me)
        await conn.execute("DELETE FROM idempotency_record WHERE account = $1", me)
        await conn.execute(
            "DELETE FROM one_time_code WHERE login = ANY($1::varchar[])",
            [value for value in (login.phone, login.email) if value],
        )
        await audit.record(
            "account_closed", actor=principal, object_type="account", object_id=me, ip=ip, conn=conn, at=now
        )
    forget_account(me)
