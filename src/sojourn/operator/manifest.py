"""Passenger manifests: everyone on a departure, or everyone arriving at a base on one day.

Every traveller's emergency contact is on the list: the base needs someone to call for everyone
who arrives, shared declaration or not. It is the one given in a shared declaration (the most
recent word for this trip) or else the one on the traveller's profile, and nothing medical.
Care notes (diet, mobility aid, companion) come from the health declarations through
``health.care_notes``, and only for travellers who agreed to share them with the base; the
others read "not shared". Every export is audited
(``manifest_exported``), and reading the care notes is audited by the health context too.
CSV is UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import states
from sojourn.crypto import KeyRing
from sojourn.errors import NotFound
from sojourn.health.care_notes import arrival_care_notes
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.operator import labels
from sojourn.operator.bases import operated_base
from sojourn.operator.schemas import ManifestOut, ManifestRow
from sojourn.travellers.schemas import EmergencyContact

# Stays that are (or were) really happening: holds and cancellations are not on a manifest.
ON_MANIFEST = states.status_in_sql("k", states.SOLD)

ROWS_SQL = f"""
SELECT k.id AS booking_id, k.reference, k.status, k.arrival, k.departure,
       tr.id AS traveller_id, tr.name, tr.gender, bt.age_at_arrival,
       tr.emergency_name, tr.emergency_phone, tr.emergency_relation,
       coalesce(hd.status, 'none') AS declaration_status
FROM booking k
JOIN booking_traveller bt ON bt.booking = k.id
JOIN traveller tr ON tr.id = bt.traveller
LEFT JOIN health_declaration hd ON hd.booking = k.id AND hd.traveller = bt.traveller
WHERE {ON_MANIFEST} AND {{condition}}
ORDER BY k.arrival, k.reference, tr.name, tr.id
"""

BOM = "\ufeff"


def _profile_contact(row: Any) -> EmergencyContact | None:
    """The emergency contact on the traveller's profile (a traveller erased for privacy has none)."""
    if not (row["emergency_name"] and row["emergency_phone"]):
        return None
    return EmergencyContact(
        name=row["emergency_name"], phone=row["emergency_phone"], relation=row["emergency_relation"] or ""
    )


async def _rows(
    conn: asyncpg.Connection, principal: Principal, condition: str, args: list[Any], keyring: KeyRing
) -> list[ManifestRow]:
    scope = policy.bookings_operated(principal, "k", args)
    rows = await conn.fetch(ROWS_SQL.format(condition=f"{condition} AND {scope}"), *args)
    notes = await arrival_care_notes(conn, [row["booking_id"] for row in rows], keyring=keyring, actor=principal)
    manifest = []
    for row in rows:
        care = notes.get((row["booking_id"], row["traveller_id"]))
        manifest.append(
            ManifestRow(
                booking_id=row["booking_id"],
                booking_reference=row["reference"],
                booking_status=row["status"],
                traveller_id=row["traveller_id"],
                name=row["name"],
                age=row["age_at_arrival"],
                gender=row["gender"],
                arrival=row["arrival"],
                departure=row["departure"],
                declaration_status=row["declaration_status"],
                care_shared=care is not None,
                diet=care.diet if care else None,
                mobility_aid=care.mobility_aid if care else None,
                travels_alone=care.travels_alone if care else None,
                companion=care.companion if care else None,
                emergency_contact=(care.emergency_contact if care else None) or _profile_contact(row),
            )
        )
    return manifest


async def _audit(
    conn: asyncpg.Connection, principal: Principal, manifest: ManifestOut, export_format: str, ip: str, now: dt.datetime
) -> None:
    await audit.record(
        "manifest_exported",
        actor=principal,
        object_type="tour" if manifest.kind == "tour" else "base",
        object_id=manifest.tour_id if manifest.kind == "tour" else manifest.base_id,
        ip=ip,
        detail={
            "kind": manifest.kind,
            "format": export_format,
            "base_id": manifest.base_id,
            "tour_id": manifest.tour_id,
            "date": manifest.date.isoformat() if manifest.date else None,
            "travellers": manifest.travellers,
            "bookings": sorted({row.booking_id for row in manifest.rows}),
        },
        conn=conn,
        at=now,
    )


async def tour_manifest(
    principal: Principal,
    tour_id: int,
    *,
    keyring: KeyRing,
    now: dt.datetime,
    export_format: str = "json",
    ip: str = "",
) -> ManifestOut:
    """Everyone on a departure (for a seasonal stay: everyone in the season), by arrival."""
    async with db.connection() as conn, conn.transaction():
        args: list[Any] = [tour_id]
        condition = policy.tours_managed(principal, "t", args)
        tour = await conn.fetchrow(
            "SELECT t.id, t.base, t.title_zh, t.title_en, t.starts_on, t.ends_on, bs.name_zh, bs.name_en, bs.time_zone "
            f"FROM tour t JOIN base bs ON bs.id = t.base WHERE t.id = $1 AND {condition}",
            *args,
        )
        if tour is None:
            raise NotFound(_l("There is no tour with this number at the bases you operate."))
        rows = await _rows(conn, principal, "k.tour = $1", [tour_id], keyring)
        manifest = ManifestOut(
            kind="tour",
            base_id=tour["base"],
            base_name=pick(tour, "name"),
            title=pick(tour, "title"),
            generated_at=now,
            travellers=len(rows),
            rows=rows,
            time_zone=tour["time_zone"],
            tour_id=tour_id,
            starts_on=tour["starts_on"],
            ends_on=tour["ends_on"],
        )
        await _audit(conn, principal, manifest, export_format, ip, now)
        return manifest


async def arrivals_manifest(
    principal: Principal,
    base_id: int,
    day: dt.date,
    *,
    keyring: KeyRing,
    now: dt.datetime,
    export_format: str = "json",
    ip: str = "",
) -> ManifestOut:
    """Everyone arriving at a base on ``day``, whatever their tour."""
    async with db.connection() as conn, conn.transaction():
        base = await operated_base(conn, principal, base_id)
        rows = await _rows(conn, principal, "k.base = $1 AND k.arrival = $2", [base_id, day], keyring)
        manifest = ManifestOut(
            kind="arrivals",
            base_id=base_id,
            base_name=pick(base, "name"),
            title=_("Arrivals on %(day)s", day=day.isoformat()),
            generated_at=now,
            travellers=len(rows),
            rows=rows,
            time_zone=base["time_zone"],
            date=day,
        )
        await _audit(conn, principal, manifest, export_format, ip, now)
        return manifest


# --- CSV -----------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        _("Name"),
        _("Age"),
        _("Gender"),
        _("Booking reference"),
        _("Status"),
        _("Arrival"),
        _("Departure"),
        _("Diet"),
        _("Mobility aid"),
        _("Companion"),
        _("Emergency contact"),
        _("Health declaration"),
    ]


def _cell(value: Any) -> str:
    """Text as a spreadsheet shows it; never a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def companion_text(row: ManifestRow) -> str:
    if not row.care_shared:
        return str(labels.NOT_SHARED)
    if row.companion is not None:
        person = row.companion
        return f"{person.name} ({person.relation}) {person.phone or ''}".strip()
    if row.travels_alone:
        return _("Travels alone")
    return ""


def emergency_text(row: ManifestRow) -> str:
    """Shown for everyone, shared declaration or not."""
    contact = row.emergency_contact
    if contact is None:
        return _("Not given")
    relation = f" ({contact.relation})" if contact.relation else ""
    return f"{contact.name}{relation} {contact.phone}"


def diet_text(row: ManifestRow) -> str:
    if not row.care_shared:
        return str(labels.NOT_SHARED)
    return "、".join(labels.label(labels.DIET, need) for need in row.diet or []) or _("No special diet")


def mobility_text(row: ManifestRow) -> str:
    if not row.care_shared:
        return str(labels.NOT_SHARED)
    return labels.label(labels.MOBILITY_AID, row.mobility_aid)


def to_csv(manifest: ManifestOut) -> bytes:
    """UTF-8 with a byte-order mark and CRLF line ends: what Excel expects of a CSV file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_headers())
    for row in manifest.rows:
        writer.writerow(
            [
                _cell(item)
                for item in (
                    row.name,
                    row.age,
                    labels.label(labels.GENDER, row.gender),
                    row.booking_reference,
                    labels.label(labels.BOOKING_STATUS, row.booking_status),
                    row.arrival.isoformat(),
                    row.departure.isoformat(),
                    diet_text(row),
                    mobility_text(row),
                    companion_text(row),
                    emergency_text(row),
                    labels.label(labels.DECLARATION_STATUS, row.declaration_status),
                )
            ]
        )
    return (BOM + buffer.getvalue()).encode("utf-8")


def csv_filename(manifest: ManifestOut) -> str:
    if manifest.kind == "tour":
        return f"manifest-tour-{manifest.tour_id}.csv"
    return f"arrivals-base-{manifest.base_id}-{manifest.date.isoformat() if manifest.date else ''}.csv"
