"""Travellers: the people an account books for. Identity numbers are encrypted at rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.alliance.regions import PROVINCES
from sojourn.audit import services as audit
from sojourn.crypto import KeyRing
from sojourn.db import rows
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.travellers import identity
from sojourn.travellers.rows import ListedTraveller, TravellerRow, TravellerToDelete, TravellerWithStatus
from sojourn.travellers.schemas import EmergencyContact, TravellerIn, TravellerOut, TravellerPatch

OLDEST_BIRTH_YEAR = 1900


def masked_id_number(cipher: bytes | None, account_id: int, keyring: KeyRing) -> str | None:
    """The identity number as its owner may see it (last four characters), from the ciphertext.

    No masked copy is stored: with the birth date and home province in plain text, any digits
    kept in clear would narrow the number to a handful of candidates without the key.
    """
    if cipher is None:
        return None
    return identity.mask(keyring.decrypt_text(cipher, f"traveller-id:{account_id}"))


def traveller_out(row: TravellerRow, today: dt.date, keyring: KeyRing | None = None) -> TravellerOut:
    """``keyring`` None: a listing that does not show identity numbers (``id_number_masked`` None)."""
    return TravellerOut(
        id=row.id,
        name=row.name,
        birth_date=row.birth_date,
        age=identity.age_on(row.birth_date, today),
        gender=row.gender,
        phone=row.phone,
        home_province_code=row.home_province_code,
        id_number_masked=masked_id_number(row.id_number_cipher, row.account, keyring) if keyring is not None else None,
        emergency_contact=EmergencyContact(
            name=row.emergency_name, phone=row.emergency_phone, relation=row.emergency_relation
        ),
        is_account_holder=row.is_account_holder,
    )


def rule_errors(
    birth_date: dt.date | None, province: str | None, id_number: str | None, today: dt.date
) -> dict[str, Any]:
    """What is wrong with these values, by field (empty: nothing). Forms show these next to
    the shape errors, so a person sees every problem at once."""
    errors: dict[str, Any] = {}
    if birth_date is not None and not (dt.date(OLDEST_BIRTH_YEAR, 1, 1) <= birth_date <= today):
        errors["birth_date"] = _l("Enter the real date of birth, like 1956-03-08.")
    if province is not None and province not in PROVINCES:
        errors["home_province_code"] = _l("Choose the province the traveller lives in.")
    if id_number is not None:
        if not identity.is_valid(id_number):
            errors["id_number"] = _l("This identity number is not valid. Check the 18 characters on the card.")
        elif birth_date is not None and identity.birth_date(id_number) != birth_date:
            errors["id_number"] = _l("The date of birth in this identity number differs from the one entered.")
    return errors


def _check(birth_date: dt.date | None, province: str | None, id_number: str | None, today: dt.date) -> None:
    errors = rule_errors(birth_date, province, id_number, today)
    if errors:
        raise InvalidInput(_l("Some details need correcting."), field_errors=errors)


def _id_columns(keyring: KeyRing, account_id: int, id_number: str | None) -> dict[str, Any]:
    if not id_number:
        return {"id_number_cipher": None, "id_number_digest": None}
    return {
        "id_number_cipher": keyring.encrypt_text(id_number, f"traveller-id:{account_id}"),
        "id_number_digest": keyring.digest(id_number),
    }


async def create_traveller(
    principal: Principal,
    data: TravellerIn,
    *,
    keyring: KeyRing,
    today: dt.date,
    account_id: int | None = None,
    conn: asyncpg.Connection | None = None,
) -> TravellerOut:
    """Add a traveller to ``account_id`` (default: the caller's own account); with ``conn``,
    in the caller's transaction."""
    owner = account_id or principal.account_id
    id_number = identity.normalise(data.id_number) if data.id_number else None
    _check(data.birth_date, data.home_province_code, id_number, today)
    columns = {
        "account": owner,
        "name": data.name.strip(),
        "birth_date": data.birth_date,
        "gender": data.gender.value,
        "phone": data.phone,
        "home_province_code": data.home_province_code,
        "emergency_name": data.emergency_contact.name.strip(),
        "emergency_phone": data.emergency_contact.phone.strip(),
        "emergency_relation": data.emergency_contact.relation.strip(),
        "is_account_holder": data.is_account_holder,
        **_id_columns(keyring, owner, id_number),
    }
    names = ", ".join(columns)
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    sql = f"INSERT INTO traveller ({names}) VALUES ({placeholders}) RETURNING *"
    if conn is not None:
        return traveller_out(rows.row(TravellerRow, await conn.fetchrow(sql, *columns.values())), today, keyring)
    async with db.connection() as own:
        row = rows.row(TravellerRow, await own.fetchrow(sql, *columns.values()))
    return traveller_out(row, today, keyring)


async def list_travellers(
    principal: Principal, today: dt.date, limit: int = 100, offset: int = 0, *, keyring: KeyRing | None = None
) -> tuple[list[TravellerOut], int]:
    args: list[Any] = []
    scope = policy.travellers_visible(principal, "t", args)
    async with db.connection() as conn:
        listed = rows.rows(
            ListedTraveller,
            await conn.fetch(
                f"SELECT t.*, count(*) OVER () AS total FROM traveller t WHERE {scope} "
                f"ORDER BY t.is_account_holder DESC, t.id LIMIT {int(limit)} OFFSET {int(offset)}",
                *args,
            ),
        )
    return [traveller_out(row, today, keyring) for row in listed], (listed[0].total if listed else 0)


async def _visible_row(principal: Principal, traveller_id: int) -> TravellerRow:
    args: list[Any] = [traveller_id]
    scope = policy.travellers_visible(principal, "t", args)
    async with db.connection() as conn:
        row = rows.row_or_none(
            TravellerRow, await conn.fetchrow(f"SELECT t.* FROM traveller t WHERE t.id = $1 AND {scope}", *args)
        )
    if row is None:
        raise NotFound(_l("There is no traveller with this number in your account."))
    return row


async def get_traveller(
    principal: Principal, traveller_id: int, today: dt.date, *, keyring: KeyRing | None = None
) -> TravellerOut:
    return traveller_out(await _visible_row(principal, traveller_id), today, keyring)


async def update_traveller(
    principal: Principal,
    traveller_id: int,
    patch: TravellerPatch,
    *,
    keyring: KeyRing,
    today: dt.date,
    clear: frozenset[str] = frozenset(),
) -> TravellerOut:
    """Correct a traveller; ``clear`` names optional details to remove again ("phone", "id_number"):
    a patch's None means "unchanged"."""
    row = await _visible_row(principal, traveller_id)
    id_number = identity.normalise(patch.id_number) if patch.id_number else None
    birth_date = patch.birth_date or row.birth_date
    _check(birth_date, patch.home_province_code, id_number, today)
    if id_number is None and patch.birth_date and row.id_number_cipher is not None and "id_number" not in clear:
        stored = keyring.decrypt_text(row.id_number_cipher, f"traveller-id:{row.account}")
        _check(birth_date, None, stored, today)
    changes: dict[str, Any] = {}
    for field in ("name", "birth_date", "home_province_code", "phone"):
        value = getattr(patch, field)
        if value is not None:
            changes[field] = value.strip() if isinstance(value, str) else value
    if patch.gender is not None:
        changes["gender"] = patch.gender.value
    if patch.emergency_contact is not None:
        changes["emergency_name"] = patch.emergency_contact.name.strip()
        changes["emergency_phone"] = patch.emergency_contact.phone.strip()
        changes["emergency_relation"] = patch.emergency_contact.relation.strip()
    if id_number is not None:
        changes.update(_id_columns(keyring, row.account, id_number))
    if "phone" in clear and patch.phone is None:
        changes["phone"] = None
    if "id_number" in clear and id_number is None:
        changes.update(_id_columns(keyring, row.account, None))
    if not changes:
        return traveller_out(row, today, keyring)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
    async with db.connection() as conn:
        updated = rows.row(
            TravellerRow,
            await conn.fetchrow(
                f"UPDATE traveller SET {assignments}, updated_at = now() WHERE id = $1 RETURNING *",
                traveller_id,
                *changes.values(),
            ),
        )
    return traveller_out(updated, today, keyring)


# --- The "people I book for" page, and removing a traveller -----------------------------------

# Waiting-list entries that still count on their travellers (an offer may turn into a booking).
_OPEN_WAITLIST = "('waiting', 'offered')"

_IN_USE_SQL = f"""
    (EXISTS (SELECT 1 FROM booking_traveller bt WHERE bt.traveller = t.id)
     OR EXISTS (SELECT 1 FROM waitlist_entry w WHERE t.id = ANY(w.traveller_ids) AND w.status IN {_OPEN_WAITLIST}))
"""


@dataclass(frozen=True)
class ActiveMandate:
    """The hotline's standing consent for a traveller, as its owner sees it."""

    method: str
    reference: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class TravellerEntry:
    traveller: TravellerOut
    in_use: bool  # on a booking or an open waiting-list entry: kept, never deleted
    mandate: ActiveMandate | None


def _standing_mandate(row: TravellerWithStatus) -> ActiveMandate | None:
    if row.mandate_method is None or row.mandate_reference is None or row.mandate_recorded_at is None:
        return None  # no consent stands (the LEFT JOIN found none)
    return ActiveMandate(row.mandate_method, row.mandate_reference, row.mandate_recorded_at)


async def travellers_with_status(
    principal: Principal, today: dt.date, limit: int = 100, *, keyring: KeyRing | None = None
) -> list[TravellerEntry]:
    """The principal's travellers, each with whether it may be deleted and the hotline's consent."""
    args: list[Any] = []
    scope = policy.travellers_visible(principal, "t", args)
    async with db.connection() as conn:
        travellers = rows.rows(
            TravellerWithStatus,
            await conn.fetch(
                f"SELECT t.*, {_IN_USE_SQL} AS in_use, m.method AS mandate_method, m.reference AS mandate_reference, "
                "m.recorded_at AS mandate_recorded_at "
                "FROM traveller t LEFT JOIN agent_mandate m ON m.traveller = t.id AND m.withdrawn_at IS NULL "
                f"WHERE {scope} ORDER BY t.is_account_holder DESC, t.id LIMIT {int(limit)}",
                *args,
            ),
        )
    return [
        TravellerEntry(
            traveller=traveller_out(row, today, keyring),
            in_use=row.in_use,
            mandate=_standing_mandate(row),
        )
        for row in travellers
    ]


async def delete_traveller(principal: Principal, traveller_id: int, *, ip: str = "") -> str:
    """Remove a traveller who is on no booking and no open waiting list; returns the name.

    Bookings keep their travellers (manifests, declarations and feedback refer to them), so a
    traveller who has ever been booked stays. The hotline's consent records go with the person;
    the audit log keeps that they existed.
    """
    args: list[Any] = [traveller_id]
    scope = policy.travellers_visible(principal, "t", args)
    async with db.connection() as conn, conn.transaction():
        row = rows.row_or_none(
            TravellerToDelete,
            await conn.fetchrow(
                f"SELECT t.id, t.account, t.name, {_IN_USE_SQL} AS in_use FROM traveller t "
                f"WHERE t.id = $1 AND {scope} FOR UPDATE OF t",
                *args,
            ),
        )
        if row is None:
            raise NotFound(_l("There is no traveller with this number in your account."))
        if row.in_use:
            raise Conflict(
                _l(
                    "%(name)s is on a booking or a waiting list, so their details are kept. You can still correct them.",
                    name=row.name,
                ),
                code="traveller_in_use",
            )
        mandates = await conn.fetchval("SELECT count(*) FROM agent_mandate WHERE traveller = $1", traveller_id)
        await conn.execute("DELETE FROM agent_mandate WHERE traveller = $1", traveller_id)
        await conn.execute("DELETE FROM traveller WHERE id = $1", traveller_id)
        await audit.record(
            "traveller_deleted",
            actor=principal,
            object_type="traveller",
            object_id=traveller_id,
            on_behalf_of=row.account if row.account != principal.account_id else None,
            ip=ip,
            detail={"mandates_removed": mandates},
            conn=conn,
        )
    return row.name
