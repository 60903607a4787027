"""Operators create, change, publish and close the tours of their own bases.

Every change that can touch seats, quotas or dates runs under the base's lock (the booking
engine's discipline, see ``bookings.locking``), after expired holds were given back, so
"what is taken" is counted live. A tour never moves to another base: the booking engine
caches which base's lock a tour needs.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Any

import asyncpg
import msgspec
from msgspec import UNSET

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import states, waitlist_offers
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.locking import lock_base
from sojourn.bookings.stays import today_at
from sojourn.config import Settings
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours.management_schemas import OperatorTourOut, QuotaTaken, TourIn, TourPatch
from sojourn.tours.services import TOUR_SELECT, tour_out
from sojourn.tours.tour_rules import check_tour, less_generous_policy

# API field -> tour column, where they differ.
COLUMNS = {"organiser_member_id": "organiser", "partner_member_id": "partner", "base_id": "base"}
DATE_FIELDS = ("mode", "starts_on", "ends_on")

ACTIVE = states.active_sql("k", "$1")
OPERATOR_TOUR_SELECT = TOUR_SELECT.replace(
    "SELECT t.*",
    f"""SELECT t.*,
       (SELECT count(*) FROM booking k WHERE k.tour = t.id AND {ACTIVE})::int AS active_bookings,
       (SELECT coalesce(sum(k.party_size), 0) FROM booking k WHERE k.tour = t.id AND {ACTIVE})::int AS travellers_booked,
       coalesce((SELECT json_agg(json_build_object('member_id', q.member, 'seats', q.seats, 'taken', q.taken)
                 ORDER BY q.member) FROM tour_quota q WHERE q.tour = t.id), '[]') AS quota_taken""",
    1,
)


def _no_tour() -> NotFound:
    return NotFound(_l("There is no tour with this number at the bases you operate."))


def _no_base() -> NotFound:
    return NotFound(_l("There is no base with this number among the bases you operate."))


def operator_tour_out(row: Any) -> OperatorTourOut:
    quota_taken = row["quota_taken"]
    if isinstance(quota_taken, str):
        quota_taken = json.loads(quota_taken)
    return OperatorTourOut(
        **msgspec.structs.asdict(tour_out(row)),
        summary_zh=row["summary_zh"],
        summary_en=row["summary_en"],
        includes_zh=row["includes_zh"],
        includes_en=row["includes_en"],
        seats_taken=row["seats_taken"] if row["seats"] is not None else None,
        quota_taken=[QuotaTaken(**quota) for quota in quota_taken],
        active_bookings=row["active_bookings"],
        travellers_booked=row["travellers_booked"],
        warnings=_warnings(row["mode"], row["seats"], quota_taken),
    )


def _warnings(mode: str, seats: int | None, quotas: list[dict[str, Any]]) -> list[str]:
    """Only travellers of a member with a quota can book an exchange: seats beyond the quotas stay empty."""
    in_quotas = sum(quota["seats"] for quota in quotas)
    if mode != "interactive" or seats is None or in_quotas >= seats:
        return []
    return [
        _(
            "The members' quotas add up to %(quotas)s of the %(seats)s seats: %(rest)s seats cannot be booked by"
            " anyone. Raise the quotas or lower the seats.",
            quotas=in_quotas,
            seats=seats,
            rest=seats - in_quotas,
        )
    ]


async def list_tours(
    principal: Principal,
    *,
    now: dt.datetime,
    base_id: int | None = None,
    status: str | None = None,
    include_past: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[OperatorTourOut], int]:
    """Tours at the principal's bases, drafts included, soonest first."""
    args: list[Any] = [now]
    clauses = [policy.tours_managed(principal, "t", args)]
    if base_id is not None:
        args.append(base_id)
        clauses.append(f"t.base = ${len(args)}")
    if status is not None:
        args.append(status)
        clauses.append(f"t.status = ${len(args)}")
    if not include_past:
        clauses.append("t.ends_on >= ($1::timestamptz AT TIME ZONE b.time_zone)::date")
    sql = (
        f"{OPERATOR_TOUR_SELECT} WHERE {' AND '.join(clauses)} ORDER BY t.starts_on, t.id "
        f"LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    async with db.connection() as conn:
        rows = await conn.fetch(sql, *args)
    return [operator_tour_out(row) for row in rows], (rows[0]["total_count"] if rows else 0)


async def read_tour(conn: asyncpg.Connection, principal: Principal, tour_id: int, now: dt.datetime) -> OperatorTourOut:
    args: list[Any] = [now, tour_id]
    condition = policy.tours_managed(principal, "t", args)
    row = await conn.fetchrow(f"{OPERATOR_TOUR_SELECT} WHERE t.id = $2 AND {condition}", *args)
    if row is None:
        raise _no_tour()
    return operator_tour_out(row)


async def get_tour(principal: Principal, tour_id: int, *, now: dt.datetime) -> OperatorTourOut:
    async with db.connection() as conn:
        return await read_tour(conn, principal, tour_id, now)


async def scoped_tour(conn: asyncpg.Connection, principal: Principal, tour_id: int) -> Any:
    """The tour row with its base's time zone, if the principal manages it (404 otherwise)."""
    args: list[Any] = [tour_id]
    condition = policy.tours_managed(principal, "t", args)
    row = await conn.fetchrow(
        f"SELECT t.*, b.time_zone, b.status AS base_status FROM tour t JOIN base b ON b.id = t.base "
        f"WHERE t.id = $1 AND {condition}",
        *args,
    )
    if row is None:
        raise _no_tour()
    return row


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, msgspec.Struct):
        return {key: _plain(item) for key, item in msgspec.structs.asdict(value).items()}
    return value


async def _existing_members(conn: asyncpg.Connection, values: dict[str, Any]) -> set[int]:
    wanted = [values["organiser_member_id"], values["partner_member_id"]]
    wanted += [quota["member_id"] for quota in values["quotas"]]
    rows = await conn.fetch("SELECT id FROM member WHERE id = ANY($1::int[])", [m for m in wanted if m is not None])
    return {row["id"] for row in rows}


def _column_values(values: dict[str, Any]) -> dict[str, Any]:
    """API values -> tour columns (quotas live in their own table)."""
    columns = {COLUMNS.get(key, key): value for key, value in values.items() if key != "quotas"}
    if "cancellation_policy" in columns:
        columns["cancellation_policy"] = json.dumps(columns["cancellation_policy"])
    return columns


async def create_tour(principal: Principal, data: TourIn, *, now: dt.datetime, ip: str = "") -> OperatorTourOut:
    """A new tour, as a draft: nothing is bookable until it is published."""
    if not policy.operates_base(principal, data.base_id):
        raise _no_base()
    values = _plain(data)
    async with db.connection() as conn:
        base = await conn.fetchrow("SELECT id, member, time_zone FROM base WHERE id = $1", data.base_id)
        if base is None:
            raise _no_base()
        values["organiser_member_id"] = values["organiser_member_id"] or base["member"]
        members = await _existing_members(conn, values)
        if values["organiser_member_id"] not in members:
            message = _l("There is no member with this number.")
            raise InvalidInput(message, field_errors={"organiser_member_id": message})
        # The base's own member organises; in an exchange, the partner member may (it sends the
        # group). Any other member would credit a trip to an organisation that did not make it.
        if values["organiser_member_id"] not in (base["member"], values["partner_member_id"]):
            message = _l("The organiser is the member that owns the base, or the partner member of an exchange.")
            raise InvalidInput(message, field_errors={"organiser_member_id": message})
        check_tour(values, today=today_at(base["time_zone"], now), member_ids=members)
        columns = {**_column_values(values), "status": "draft", "created_at": now, "updated_at": now}
        names = list(columns)
        async with conn.transaction():
            tour_id = await conn.fetchval(
                f"INSERT INTO tour ({', '.join(names)}) VALUES "
                f"({', '.join(f'${i}' for i in range(1, len(names) + 1))}) RETURNING id",
                *columns.values(),
            )
            for quota in values["quotas"]:
                await conn.execute(
                    "INSERT INTO tour_quota (tour, member, seats, taken) VALUES ($1, $2, $3, 0)",
                    tour_id,
                    quota["member_id"],
                    quota["seats"],
                )
            await audit.record(
                "tour_created",
                actor=principal,
                object_type="tour",
                object_id=tour_id,
                ip=ip,
                detail={"base_id": data.base_id, "mode": values["mode"]},
                conn=conn,
                at=now,
            )
        return await read_tour(conn, principal, tour_id, now)


def _stored_values(row: Any, quotas: list[Any]) -> dict[str, Any]:
    policy_tiers = row["cancellation_policy"]
    if isinstance(policy_tiers, str):
        policy_tiers = json.loads(policy_tiers)
    values = {key: row[COLUMNS.get(key, key)] for key in TourPatch.__struct_fields__ if key != "quotas"}
    values.update(
        organiser_member_id=row["organiser"],
        cancellation_policy=policy_tiers,
        health_requirements=list(row["health_requirements"] or []),
        quotas=[{"member_id": q["member"], "seats": q["seats"]} for q in quotas],
    )
    return values


async def _active_bookings(conn: asyncpg.Connection, tour_id: int, now: dt.datetime) -> int:
    return await conn.fetchval(f"SELECT count(*)::int FROM booking k WHERE k.tour = $2 AND {ACTIVE}", now, tour_id)


def _check_taken(row: Any, quotas: list[Any], changes: dict[str, Any]) -> None:
    """Seats and quotas never below what travellers already hold."""
    if "seats" in changes and changes["seats"] is not None and changes["seats"] < row["seats_taken"]:
        taken = row["seats_taken"]
        message = _l("%(n)s seats are already taken. Set at least %(n)s seats.", n=taken)
        raise Conflict(message, code="seats_below_taken", taken=taken, field_errors={"seats": message})
    if "quotas" not in changes:
        return
    wanted = {quota["member_id"]: quota["seats"] for quota in changes["quotas"]}
    short = [q for q in quotas if q["taken"] > wanted.get(q["member"], 0)]
    if short:
        first = short[0]
        message = _l(
            "%(n)s seats of a member's quota are already taken. Keep at least that many for them.", n=first["taken"]
        )
        raise Conflict(
            message,
            code="quota_below_taken",
            quotas_taken=[{"member_id": q["member"], "taken": q["taken"]} for q in short],
            field_errors={"quotas": message},
        )


async def update_tour(
    principal: Principal, tour_id: int, patch: TourPatch, *, settings: Settings, now: dt.datetime, ip: str = ""
) -> OperatorTourOut:
    changes = {key: _plain(value) for key, value in msgspec.structs.asdict(patch).items() if value is not UNSET}
    async with db.connection() as conn:
        current = await scoped_tour(conn, principal, tour_id)
        if "base_id" in changes and changes.pop("base_id") != current["base"]:
            message = _l("A tour stays at its base. Create a new tour at the other base instead.")
            raise Conflict(message, code="base_is_fixed", field_errors={"base_id": message})
        async with conn.transaction():
            with map_database_errors():
                await lock_base(conn, current["base"], settings.lock_timeout_ms)
                await waitlist_offers.tour_after_releasing_expired(conn, tour_id, settings=settings, now=now)
                row = await conn.fetchrow(
                    "SELECT t.*, b.time_zone FROM tour t JOIN base b ON b.id = t.base WHERE t.id = $1 FOR UPDATE OF t",
                    tour_id,
                )
                assert row is not None  # scoped_tour found it, and tours are never deleted
                if row["status"] == "cancelled":
                    raise Conflict(_l("This departure was cancelled; it cannot be changed."), code="tour_cancelled")
                quotas = await conn.fetch(
                    "SELECT member, seats, taken FROM tour_quota WHERE tour = $1 ORDER BY member FOR UPDATE", tour_id
                )
                stored = _stored_values(row, quotas)
                changes = {key: value for key, value in changes.items() if value != stored[key]}
                if not changes:
                    return await read_tour(conn, principal, tour_id, now)
                values = {**stored, **changes}
                today = today_at(row["time_zone"], now)
                dates_changed = any(key in changes for key in DATE_FIELDS)
                try:
                    check_tour(values, today=today, member_ids=await _existing_members(conn, values))
                except InvalidInput as invalid:
                    # Past dates only matter when the dates change; a started tour can still be corrected.
                    if dates_changed or set(invalid.field_errors) - {"starts_on", "ends_on"}:
                        raise
                active = await _active_bookings(conn, tour_id, now)
                if dates_changed and active:
                    message = _l(
                        "%(n)s bookings stand on this tour. Its dates and kind cannot change while they do.", n=active
                    )
                    field = next(key for key in DATE_FIELDS if key in changes)
                    raise Conflict(
                        message, code="tour_has_bookings", active_bookings=active, field_errors={field: message}
                    )
                if (
                    "cancellation_policy" in changes
                    and active
                    and less_generous_policy(stored["cancellation_policy"], changes["cancellation_policy"])
                ):
                    message = _l("Bookings stand on this tour: the cancellation terms can only become more generous.")
                    raise Conflict(message, code="policy_less_generous", field_errors={"cancellation_policy": message})
                _check_taken(row, quotas, changes)
                await _write_changes(conn, tour_id, changes, quotas, now)
                if _grew(row, quotas, changes):
                    await waitlist_offers.offer_freed_beds(conn, row["base"], settings=settings, now=now)
                await audit.record(
                    "tour_updated",
                    actor=principal,
                    object_type="tour",
                    object_id=tour_id,
                    ip=ip,
                    detail={"fields": sorted(changes)},
                    conn=conn,
                    at=now,
                )
                return await read_tour(conn, principal, tour_id, now)


async def _write_changes(
    conn: asyncpg.Connection, tour_id: int, changes: dict[str, Any], quotas: list[Any], now: dt.datetime
) -> None:
    columns = {**_column_values(changes), "updated_at": now}
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=2))
    await conn.execute(f"UPDATE tour SET {assignments} WHERE id = $1", tour_id, *columns.values())
    if "quotas" not in changes:
        return
    wanted = {quota["member_id"]: quota["seats"] for quota in changes["quotas"]}
    gone = [q["member"] for q in quotas if q["member"] not in wanted]
    if gone:
        await conn.execute("DELETE FROM tour_quota WHERE tour = $1 AND member = ANY($2::int[])", tour_id, gone)
    for member, seats in wanted.items():
        await conn.execute(
            "INSERT INTO tour_quota (tour, member, seats, taken) VALUES ($1, $2, $3, 0) "
            "ON CONFLICT (tour, member) DO UPDATE SET seats = EXCLUDED.seats",
            tour_id,
            member,
            seats,
        )


def _grew(row: Any, quotas: list[Any], changes: dict[str, Any]) -> bool:
    """More seats or a bigger quota may let the waiting list in."""
    if "seats" in changes and row["seats"] is not None and (changes["seats"] or 0) > row["seats"]:
        return True
    if "quotas" in changes:
        before = {q["member"]: q["seats"] for q in quotas}
        return any(quota["seats"] > before.get(quota["member_id"], 0) for quota in changes["quotas"])
    return False
