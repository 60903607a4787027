"""Accounts for seniors who have none, made by a hotline agent on the phone: the senior's mobile
number is the login, the password is random and never shown; their travellers and their consent
are written in the same transaction, so there is never an account the hotline cannot reach.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.accounts.services import create_account
from sojourn.accounts.tables import Role
from sojourn.audit import services as audit
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.hotline import mandates
from sojourn.hotline.schemas import SeniorIn, SeniorOverview, SeniorTravellerIn
from sojourn.hotline.services import LookupKey, key_matches_account, senior_overview
from sojourn.i18n import lazy_gettext as _l
from sojourn.travellers import identity
from sojourn.travellers.schemas import TravellerIn
from sojourn.travellers.services import create_traveller, rule_errors


def _check_travellers(travellers: list[TravellerIn], today: dt.date, prefix: str = "travellers") -> None:
    """Every traveller's rules at once, before anything is written."""
    errors: dict[str, Any] = {}
    for index, traveller in enumerate(travellers):
        id_number = identity.normalise(traveller.id_number) if traveller.id_number else None
        for field, message in rule_errors(traveller.birth_date, traveller.home_province_code, id_number, today).items():
            errors[f"{prefix}[{index}].{field}" if prefix else field] = message
    if errors:
        raise InvalidInput(_l("Some details need correcting."), field_errors=errors)


async def _refuse_known_identity_numbers(
    conn: asyncpg.Connection, travellers: list[TravellerIn], keyring: KeyRing
) -> None:
    """A person already on some account is found by the desk, not entered twice."""
    for index, traveller in enumerate(travellers):
        if not traveller.id_number:
            continue
        digest = keyring.digest(identity.normalise(traveller.id_number))
        if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM traveller WHERE id_number_digest = $1)", digest):
            message = _l("Someone with this identity number is already registered. Search for them by this number.")
            raise Conflict(message, code="id_number_known", field_errors={f"travellers[{index}].id_number": message})


async def enrol_senior(
    principal: Principal, data: SeniorIn, *, keyring: KeyRing, now: dt.datetime, settings: Settings, ip: str = ""
) -> SeniorOverview:
    """Create the senior's account, their travellers and a consent for each, or nothing."""
    today = now.date()
    _check_travellers(data.travellers, today)
    travellers = list(data.travellers)
    if not any(t.is_account_holder for t in travellers):
        travellers[0] = msgspec.structs.replace(travellers[0], is_account_holder=True)
    display_name = (data.display_name or travellers[0].name).strip()
    async with db.connection() as conn, conn.transaction():
        await _refuse_known_identity_numbers(conn, travellers, keyring)
        account_id = await create_account(
            login=data.phone,
            password=secrets.token_urlsafe(32),  # nobody knows it; the senior sets their own later
            display_name=display_name,
            role=Role.traveller,
            locale=data.locale,
            check_password=False,
            conn=conn,
        )
        created = []
        for traveller in travellers:
            out = await create_traveller(
                principal, traveller, keyring=keyring, today=today, account_id=account_id, conn=conn
            )
            created.append(out.id)
        await audit.record(
            "senior_account_created",
            actor=principal,
            object_type="account",
            object_id=account_id,
            on_behalf_of=account_id,
            ip=ip,
            detail={"created_by": principal.account_id, "traveller_ids": created, "login_kind": "phone"},
            conn=conn,
            at=now,
        )
        for traveller_id in created:
            await mandates.insert_mandate(conn, principal, traveller_id, account_id, data.mandate, now=now, ip=ip)
    return await senior_overview(principal, account_id, now=now, settings=settings, ip=ip, audit_view=False)


async def add_traveller_for_senior(
    principal: Principal,
    account_id: int,
    data: SeniorTravellerIn,
    *,
    keyring: KeyRing,
    now: dt.datetime,
    ip: str = "",
) -> int:
    """One more person on a senior's account, with that person's consent; returns its id.

    Allowed when the account already has an active consent, or when the agent gives the number
    the senior told them (an account registered online that has no traveller yet)."""
    today = now.date()
    _check_travellers([data.traveller], today, prefix="traveller")
    key = (
        LookupKey.parse(
            data.senior_phone, data.senior_id_number, phone_field="senior_phone", id_field="senior_id_number"
        )
        if data.senior_phone or data.senior_id_number
        else LookupKey()
    )
    async with db.connection() as conn, conn.transaction():
        account = await conn.fetchrow(
            "SELECT id FROM account WHERE id = $1 AND role = 'traveller' AND status = 'active' FOR UPDATE",
            account_id,
        )
        if account is None or not (
            await mandates.account_has_active_mandate(conn, account_id)
            or await key_matches_account(conn, account_id, key, keyring)
        ):
            raise NotFound(_l("There is no senior with this number that you may help. Find them by phone first."))
        out = await create_traveller(
            principal, data.traveller, keyring=keyring, today=today, account_id=account_id, conn=conn
        )
        await audit.record(
            "traveller_added_for_senior",
            actor=principal,
            object_type="traveller",
            object_id=out.id,
            on_behalf_of=account_id,
            ip=ip,
            conn=conn,
            at=now,
        )
        await mandates.insert_mandate(conn, principal, out.id, account_id, data.mandate, now=now, ip=ip)
    return out.id
