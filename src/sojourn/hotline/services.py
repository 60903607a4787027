"""The hotline desk: finding a senior (masked, audited) and the overview of a senior the hotline
serves. Consents are in ``mandates``, new accounts in ``enrolment``.

An agent may look anybody up by mobile or identity number, but sees only masks until the senior
consents; everything beyond the mask goes through ``accounts.policy``, where an active mandate
is what lets an agent in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.logins import MOBILE
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import queries as booking_queries
from sojourn.bookings.rows import BookingRow
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.errors import InvalidInput, NotFound
from sojourn.hotline.rows import (
    FoundTraveller,
    MandateWithNames,
    RecentConsentRow,
    SeniorAccount,
    ServedTraveller,
)
from sojourn.hotline.schemas import ConsentRecord, MaskedTraveller, SeniorMatch, SeniorOverview
from sojourn.i18n import lazy_gettext as _l
from sojourn.travellers import identity
from sojourn.travellers.services import masked_id_number, traveller_out

MAX_MATCHES = 20
MAX_BOOKINGS = 50
MAX_CONSENTS = 50

_ACTIVE = "EXISTS (SELECT 1 FROM agent_mandate am WHERE am.traveller = t.id AND am.withdrawn_at IS NULL)"


def mask_name(name: str) -> str:
    """ "王秀兰" → "王**"; always two stars, so the mask does not tell the name's length."""
    name = (name or "").strip()
    return (name[0] + "**") if name else "**"


def mask_phone(phone: str | None) -> str | None:
    """ "13800138000" → "138****8000"."""
    if not phone:
        return None
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:]


def normalise_phone(text: str) -> str:
    """Spaces, dashes and a +86 prefix are tolerated, as people say and type numbers."""
    compact = re.sub(r"[\s-]", "", text or "")
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix) :]
    return compact


BAD_PHONE = _l("Enter a mainland mobile number of 11 digits, like 138 0013 8000.")
BAD_ID_NUMBER = _l("This identity number is not valid. Check the 18 characters on the card.")


@dataclass(frozen=True)
class LookupKey:
    """What the senior told the agent: a mobile number or an identity number (checked)."""

    phone: str | None = None
    id_number: str | None = None

    @classmethod
    def parse(
        cls, phone: str | None, id_number: str | None, *, phone_field: str = "phone", id_field: str = "id_number"
    ) -> LookupKey:
        if phone and id_number:
            message = _l("Search by the mobile number or by the identity number, not both.")
            raise InvalidInput(message, field_errors={phone_field: message})
        if phone:
            compact = normalise_phone(phone)
            if not MOBILE.match(compact):
                raise InvalidInput(BAD_PHONE, code="bad_phone", field_errors={phone_field: BAD_PHONE})
            return cls(phone=compact)
        if id_number:
            number = identity.normalise(id_number)
            if not identity.is_valid(number):
                raise InvalidInput(BAD_ID_NUMBER, code="bad_id_number", field_errors={id_field: BAD_ID_NUMBER})
            return cls(id_number=number)
        message = _l("Enter the senior's mobile number or identity number.")
        raise InvalidInput(message, code="lookup_key_missing", field_errors={phone_field: message})

    @classmethod
    def guess(cls, text: str, *, field: str = "query") -> LookupKey:
        """One box for both: 11 digits is a mobile number, 18 characters an identity number."""
        compact = identity.normalise(normalise_phone(text))
        if len(compact) == 18:
            return cls.parse(None, compact, id_field=field)
        if not compact:
            return cls.parse(None, None, phone_field=field)
        if not MOBILE.match(compact):
            message = _l("Enter an 11-digit mobile number or an 18-character identity number.")
            raise InvalidInput(message, field_errors={field: message})
        return cls(phone=compact)

    @property
    def kind(self) -> str:
        return "phone" if self.phone else "id_number"

    def digest(self, keyring: KeyRing) -> str | None:
        return keyring.digest(self.id_number) if self.id_number else None


async def key_matches_account(conn: asyncpg.Connection, account_id: int, key: LookupKey, keyring: KeyRing) -> bool:
    """Whether the number the senior gave belongs to this account or one of its travellers."""
    if key.phone is None and key.id_number is None:
        return False
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM account a WHERE a.id = $1 AND a.phone = $2) "
            "OR EXISTS (SELECT 1 FROM traveller t WHERE t.account = $1 AND (t.phone = $2 OR t.id_number_digest = $3))",
            account_id,
            key.phone,
            key.digest(keyring),
        )
    )


def _masked_traveller(row: FoundTraveller | ServedTraveller, keyring: KeyRing) -> MaskedTraveller:
    return MaskedTraveller(
        id=row.id,
        name_masked=mask_name(row.name),
        birth_year=row.birth_date.year,
        phone_masked=mask_phone(row.phone),
        id_number_masked=masked_id_number(row.id_number_cipher, row.account, keyring),
        home_province_code=row.home_province_code,
        mandate_active=row.mandate_active,
        matched=isinstance(row, FoundTraveller) and row.matched,  # only a search matches
    )


async def find_seniors(principal: Principal, key: LookupKey, *, keyring: KeyRing, ip: str = "") -> list[SeniorMatch]:
    """Traveller accounts whose own mobile, or a traveller's mobile or identity number, is ``key``;
    masked. Every search is audited, once per account found (or once when none is)."""
    digest = key.digest(keyring)
    async with db.connection() as conn, conn.transaction():
        accounts = rows.rows(
            SeniorAccount,
            await conn.fetch(
                "SELECT a.id, a.display_name, a.phone FROM account a "
                "WHERE a.role = 'traveller' AND a.status = 'active' AND ("
                "  ($1::text IS NOT NULL AND a.phone = $1) OR EXISTS (SELECT 1 FROM traveller t WHERE t.account = a.id "
                "  AND (t.phone = $1 OR t.id_number_digest = $2))) "
                f"ORDER BY a.id LIMIT {MAX_MATCHES}",
                key.phone,
                digest,
            ),
        )
        ids = [row.id for row in accounts]
        travellers = rows.rows(
            FoundTraveller,
            await conn.fetch(
                "SELECT t.id, t.account, t.name, t.birth_date, t.phone, t.id_number_cipher, t.home_province_code, "
                f"{_ACTIVE} AS mandate_active, "
                "coalesce(t.phone = $2 OR t.id_number_digest = $3, false) AS matched "
                "FROM traveller t WHERE t.account = ANY($1::int[]) ORDER BY t.account, t.is_account_holder DESC, t.id",
                ids,
                key.phone,
                digest,
            ),
        )
        by_account: dict[int, list[MaskedTraveller]] = {account_id: [] for account_id in ids}
        for row in travellers:
            by_account[row.account].append(_masked_traveller(row, keyring))
        audited: list[int | None] = list(ids) or [None]  # once per account found, or once when none is
        for account_id in audited:
            await audit.record(
                "senior_lookup",
                actor=principal,
                object_type="account" if account_id else "",
                object_id=account_id,
                on_behalf_of=account_id,
                ip=ip,
                detail={"by": key.kind, "matches": len(ids)},
                conn=conn,
            )
    return [
        SeniorMatch(
            account_id=row.id,
            display_name_masked=mask_name(row.display_name),
            phone_masked=mask_phone(row.phone),
            mandate_active=any(t.mandate_active for t in by_account[row.id]),
            travellers=by_account[row.id],
        )
        for row in accounts
    ]


def book_url(account_id: int) -> str:
    return f"/tours?for={account_id}"


async def served_account(conn: asyncpg.Connection, principal: Principal, account_id: int) -> SeniorAccount:
    """The traveller account if the principal may act for it (``policy.accounts_served``), else 404."""
    args: list[Any] = [account_id]
    scope = policy.accounts_served(principal, "a", args)
    row = rows.row_or_none(
        SeniorAccount,
        await conn.fetchrow(
            f"SELECT a.id, a.display_name, a.phone FROM account a WHERE a.id = $1 AND a.role = 'traveller' AND {scope}",
            *args,
        ),
    )
    if row is None:
        raise NotFound(_l("There is no senior with this number that you may help. Find them by phone first."))
    return row


async def senior_overview(
    principal: Principal,
    account_id: int,
    *,
    now: dt.datetime,
    settings: Settings,
    ip: str = "",
    audit_view: bool = True,
) -> SeniorOverview:
    """A served senior: travellers under consent in full, the rest masked, consents, bookings."""
    today = now.date()
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    async with db.connection() as conn, conn.transaction():
        account = await served_account(conn, principal, account_id)
        args: list[Any] = [account_id]
        visible = policy.travellers_visible(principal, "t", args)
        travellers = rows.rows(
            ServedTraveller,
            await conn.fetch(
                f"SELECT t.*, ({visible}) AS visible, {_ACTIVE} AS mandate_active FROM traveller t "
                "WHERE t.account = $1 ORDER BY t.is_account_holder DESC, t.id",
                *args,
            ),
        )
        consents = rows.rows(
            MandateWithNames,
            await conn.fetch(
                "SELECT m.*, t.name AS traveller_name, r.display_name AS recorded_by_name "
                "FROM agent_mandate m JOIN traveller t ON t.id = m.traveller JOIN account r ON r.id = m.recorded_by "
                f"WHERE t.account = $1 ORDER BY m.recorded_at DESC, m.id DESC LIMIT {MAX_CONSENTS}",
                account_id,
            ),
        )
        booking_args: list[Any] = [account_id]
        booking_scope = policy.bookings_visible(principal, "b", booking_args)
        bookings = await conn.fetch(
            f"{booking_queries.BOOKING_SELECT} WHERE b.account = $1 AND {booking_scope} "
            f"ORDER BY b.arrival DESC, b.id DESC LIMIT {MAX_BOOKINGS}",
            *booking_args,
        )
        if audit_view:  # staff reading a person's details is logged (PIPL: access to personal data)
            await audit.record(
                "senior_viewed",
                actor=principal,
                object_type="account",
                object_id=account_id,
                on_behalf_of=account_id,
                ip=ip,
                conn=conn,
                at=now,
            )
    shown = {row.id for row in travellers if row.visible}
    return SeniorOverview(
        account_id=account_id,
        display_name=account.display_name,
        phone_masked=mask_phone(account.phone),
        travellers=[traveller_out(row, today, keyring) for row in travellers if row.visible],
        other_travellers=[_masked_traveller(row, keyring) for row in travellers if not row.visible],
        consents=[
            ConsentRecord(
                id=row.id,
                traveller_id=row.traveller,
                traveller_name=row.traveller_name if row.traveller in shown else mask_name(row.traveller_name),
                method=row.method,
                reference=row.reference,
                recorded_by_account_id=row.recorded_by,
                recorded_by_name=row.recorded_by_name,
                recorded_at=row.recorded_at,
                withdrawn_at=row.withdrawn_at,
            )
            for row in consents
        ],
        bookings=[booking_queries.booking_out(booking, now, settings) for booking in rows.rows(BookingRow, bookings)],
        book_url=book_url(account_id),
    )


@dataclass(frozen=True)
class RecentConsent:
    account_id: int
    traveller_id: int
    traveller_name: str
    reference: str
    recorded_at: dt.datetime


async def my_recent_consents(principal: Principal, limit: int = 10) -> list[RecentConsent]:
    """Active consents this agent recorded, newest first: the desk's way back to a senior."""
    args: list[Any] = [principal.account_id]
    visible = policy.travellers_visible(principal, "t", args)
    async with db.connection() as conn:
        recent = rows.rows(
            RecentConsentRow,
            await conn.fetch(
                "SELECT t.account, t.id AS traveller_id, t.name, m.reference, m.recorded_at "
                "FROM agent_mandate m JOIN traveller t ON t.id = m.traveller "
                f"WHERE m.recorded_by = $1 AND m.withdrawn_at IS NULL AND {visible} "
                f"ORDER BY m.recorded_at DESC, m.id DESC LIMIT {int(limit)}",
                *args,
            ),
        )
    return [RecentConsent(row.account, row.traveller_id, row.name, row.reference, row.recorded_at) for row in recent]


async def serves(principal: Principal, account_id: int) -> bool:
    """Whether the principal may still open this senior (after a consent is withdrawn, say)."""
    async with db.connection() as conn:
        try:
            await served_account(conn, principal, account_id)
        except NotFound:
            return False
    return True
