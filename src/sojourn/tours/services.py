"""Finding and reading tours (the catalogue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import msgspec

from sojourn import db
from sojourn.alliance.regions import province_name
from sojourn.bookings import states
from sojourn.errors import NotFound
from sojourn.i18n import current_locale
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.tours.pricing import per_night_fen
from sojourn.tours.schemas import QuotaOut, RefundTier, TourOut


@dataclass(frozen=True)
class TourFilter:
    mode: str | None = None
    destination: str | None = None  # province or city code of the base
    origin: str | None = None  # province code the travellers come from
    month: dt.date | None = None  # first day of a month the stay must touch
    q: str | None = None
    max_monthly_price_fen: int | None = None
    max_package_price_fen: int | None = None
    medical_levels: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = field(default_factory=tuple)
    base_id: int | None = None
    include_unpublished: bool = False
    # "Suitable for us" (tours.suitability): places without extra medical paperwork, room for the party.
    max_altitude_m: int | None = None
    max_hospital_distance_km: float | None = None
    without_requirements: tuple[str, ...] = ()
    min_seats_left: int | None = None  # fixed-date tours only; seasonal stays count beds per night


# Seats left give back holds that already expired but were not yet released.
TOUR_SELECT = f"""
SELECT t.*, b.name_zh AS base_name_zh, b.name_en AS base_name_en, b.province_code, b.city_code,
       b.city_zh, b.city_en, b.medical_level, b.accessibility, b.time_zone,
       CASE WHEN t.seats IS NULL THEN NULL ELSE t.seats - t.seats_taken + coalesce((
           SELECT sum(k.party_size) FROM booking k
           WHERE k.tour = t.id AND {states.releasable_hold_sql("k", "$1")}), 0)::int
       END AS seats_left,
       coalesce((SELECT json_agg(json_build_object('member_id', q.member, 'seats', q.seats,
                 'seats_left', q.seats - q.taken, 'province_code', m.code,
                 'member_name_zh', m.name_zh, 'member_name_en', m.name_en) ORDER BY q.member)
                 FROM tour_quota q JOIN member m ON m.id = q.member WHERE q.tour = t.id), '[]') AS quotas,
       count(*) OVER () AS total_count
FROM tour t JOIN base b ON b.id = t.base
"""


def _where(filters: TourFilter, args: list[Any]) -> str:
    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    clauses = ["b.status = 'admitted'"]
    if not filters.include_unpublished:
        clauses.append("t.status = 'published'")
    if filters.mode:
        clauses.append(f"t.mode = {arg(filters.mode)}")
    if filters.destination:
        code = arg(filters.destination)
        clauses.append(f"(b.province_code = {code} OR b.city_code = {code})")
    if filters.origin:
        # Exchanges are only open to the two members' travellers; other tours to everyone.
        clauses.append(
            "(t.mode <> 'interactive' OR EXISTS (SELECT 1 FROM tour_quota q JOIN member m "
            f"ON m.id = q.member WHERE q.tour = t.id AND m.code = {arg(filters.origin)}))"
        )
    if filters.month:
        start = filters.month.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        clauses.append(f"t.starts_on < {arg(end)} AND t.ends_on > {arg(start)}")
    if filters.q:
        pattern = arg(f"%{filters.q.strip()}%")
        clauses.append(
            f"(t.title_zh ILIKE {pattern} OR t.title_en ILIKE {pattern} OR b.name_zh ILIKE {pattern}"
            f" OR b.name_en ILIKE {pattern} OR b.city_zh ILIKE {pattern} OR b.city_en ILIKE {pattern})"
        )
    if filters.max_monthly_price_fen is not None:
        clauses.append(f"(t.mode <> 'migratory' OR t.monthly_price_fen <= {arg(filters.max_monthly_price_fen)})")
    if filters.max_package_price_fen is not None:
        clauses.append(f"(t.mode = 'migratory' OR t.package_price_fen <= {arg(filters.max_package_price_fen)})")
    if filters.medical_levels:
        clauses.append(f"b.medical_level = ANY({arg(list(filters.medical_levels))}::varchar[])")
    if filters.accessibility:
        clauses.append(f"b.accessibility @> {arg(list(filters.accessibility))}::varchar[]")
    if filters.base_id is not None:
        clauses.append(f"t.base = {arg(filters.base_id)}")
    if filters.max_altitude_m is not None:
        clauses.append(f"b.altitude_m <= {arg(filters.max_altitude_m)}")
    if filters.max_hospital_distance_km is not None:
        clauses.append(f"b.hospital_distance_km <= {arg(filters.max_hospital_distance_km)}")
    if filters.without_requirements:
        clauses.append(f"NOT (t.health_requirements && {arg(list(filters.without_requirements))}::varchar[])")
    if filters.min_seats_left is not None:
        clauses.append(f"(t.seats IS NULL OR t.seats - t.seats_taken >= {arg(filters.min_seats_left)})")
    return " WHERE " + " AND ".join(clauses)


def quota_out(quota: dict[str, Any]) -> QuotaOut:
    """A member's seats on an exchange, with the province whose travellers they are for."""
    return QuotaOut(
        member_id=quota["member_id"],
        seats=quota["seats"],
        seats_left=max(quota["seats_left"], 0),
        province_code=quota["province_code"],
        province=province_name(quota["province_code"], current_locale()),
        member_name=pick({"name_zh": quota["member_name_zh"], "name_en": quota["member_name_en"]}, "name"),
    )


def tour_out(row: Any) -> TourOut:
    quotas = row["quotas"]
    if isinstance(quotas, str):
        quotas = msgspec.json.decode(quotas)
    policy = row["cancellation_policy"]
    if isinstance(policy, str):
        policy = msgspec.json.decode(policy)
    monthly = row["monthly_price_fen"]
    return TourOut(
        id=row["id"],
        mode=row["mode"],
        status=row["status"],
        base_id=row["base"],
        base_name=pick({"name_zh": row["base_name_zh"], "name_en": row["base_name_en"]}, "name"),
        province_code=row["province_code"],
        city_code=row["city_code"],
        city=pick({"city_zh": row["city_zh"], "city_en": row["city_en"]}, "city"),
        title=pick(row, "title"),
        title_zh=row["title_zh"],
        title_en=row["title_en"],
        summary=pick(row, "summary"),
        includes=pick(row, "includes"),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        min_nights=row["min_nights"],
        max_nights=row["max_nights"],
        price_per_night_fen=per_night_fen(monthly) if monthly is not None else None,
        monthly_price_fen=monthly,
        package_price_fen=row["package_price_fen"],
        seats=row["seats"],
        seats_left=row["seats_left"],
        organiser_member_id=row["organiser"],
        partner_member_id=row["partner"],
        quotas=[quota_out(quota) for quota in quotas],
        cancellation_policy=[RefundTier(**tier) for tier in policy],
        health_requirements=list(row["health_requirements"] or []),
        declaration_due_days=row["declaration_due_days"],
        medical_level=row["medical_level"],
        accessibility=list(row["accessibility"] or []),
        time_zone=row["time_zone"],
    )


async def find_tours(
    filters: TourFilter, now: dt.datetime, limit: int = 50, offset: int = 0
) -> tuple[list[TourOut], int]:
    args: list[Any] = [now]
    sql = TOUR_SELECT + _where(filters, args)
    sql += f" ORDER BY t.starts_on, t.id LIMIT {int(limit)} OFFSET {int(offset)}"
    async with db.connection() as conn:
        rows = await conn.fetch(sql, *args)
    if rows:
        total = rows[0]["total_count"]
    elif offset:  # paged past the end: the window count is not there to read
        count_args: list[Any] = []
        count_sql = "SELECT count(*) FROM tour t JOIN base b ON b.id = t.base" + _where(filters, count_args)
        async with db.connection() as conn:
            total = await conn.fetchval(count_sql, *count_args)
    else:
        total = 0
    return [tour_out(row) for row in rows], total


async def get_tour(tour_id: int, now: dt.datetime, include_unpublished: bool = False) -> TourOut:
    args: list[Any] = [now]
    sql = TOUR_SELECT + _where(TourFilter(include_unpublished=include_unpublished), args)
    sql += f" AND t.id = ${len(args) + 1}"
    async with db.connection() as conn:
        row = await conn.fetchrow(sql, *args, tour_id)
    if row is None:
        raise NotFound(_l("There is no tour with this number, or it is no longer offered."))
    return tour_out(row)


async def base_ids_offering(mode: str) -> list[int]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT DISTINCT base FROM tour WHERE mode = $1 AND status = 'published'", mode)
    return [row["base"] for row in rows]
