"""Rows for tests: members, bases with capacity calendars, tours of each mode, accounts."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sojourn import db
from tests.pinned import PINNED_NOW, PINNED_TODAY

DEFAULT_POLICY = [{"days_before": 30, "refund_percent": 100}, {"days_before": 7, "refund_percent": 50}]


async def _insert(table: str, **values: Any) -> dict[str, Any]:
    columns = ", ".join(f'"{name}"' for name in values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    args = list(values.values())
    async with db.connection() as conn:
        row = await conn.fetchrow(f'INSERT INTO "{table}" ({columns}) VALUES ({placeholders}) RETURNING *', *args)
    return dict(row)


async def member(code: str = "150000", name_zh: str = "内蒙古", name_en: str = "Inner Mongolia") -> dict:
    return await _insert("member", code=code, name_zh=name_zh, name_en=name_en)


async def base(
    member_id: int,
    *,
    name_zh: str = "三亚候鸟康养基地",
    name_en: str = "Sanya Migratory Care Base",
    province_code: str = "460000",
    city_code: str = "460200",
    time_zone: str = "Asia/Shanghai",
    altitude_m: int = 10,
    status: str = "admitted",
) -> dict:
    return await _insert(
        "base",
        member=member_id,
        name_zh=name_zh,
        name_en=name_en,
        province_code=province_code,
        city_code=city_code,
        city_zh="三亚",
        city_en="Sanya",
        time_zone=time_zone,
        altitude_m=altitude_m,
        total_beds=100,
        status=status,
    )


async def calendar(base_id: int, start: dt.date, nights: int, beds: int) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO capacity_night (base, night, beds, taken) "
            "SELECT $1, d::date, $4, 0 FROM generate_series($2::date, $3::date, '1 day') d",
            base_id,
            start,
            start + dt.timedelta(days=nights - 1),
            beds,
        )


async def room_type(
    base_id: int,
    code: str,
    *,
    beds_per_room: int,
    rooms: int,
    start: dt.date,
    nights: int,
    name_zh: str = "",
    name_en: str = "",
    price_fen: int | None = None,
    price_per: str = "room",
    accessible: bool = False,
    sort_order: int = 1,
) -> dict:
    """A room type of the base with ``rooms`` rooms on each of ``nights`` nights from ``start``
    (the base's bed figure in ``capacity_night`` follows by trigger)."""
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "INSERT INTO room_type (base, code, name_zh, name_en, beds_per_room, accessible, price_fen, price_per,"
            " price_period, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'night', $9) RETURNING *",
            base_id,
            code,
            name_zh or code,
            name_en or code,
            beds_per_room,
            accessible,
            price_fen,
            price_per,
            sort_order,
        )
        await conn.execute(
            "INSERT INTO room_night (base, room_type, night, rooms, taken_rooms) "
            "SELECT $1, $2, d::date, $5, 0 FROM generate_series($3::date, $4::date, '1 day') d",
            base_id,
            row["id"],
            start,
            start + dt.timedelta(days=nights - 1),
            rooms,
        )
    return dict(row)


async def tour(
    base_id: int,
    organiser_id: int,
    *,
    mode: str = "vacation",
    starts_on: dt.date,
    ends_on: dt.date,
    status: str = "published",
    seats: int | None = 20,
    package_price_fen: int | None = 380000,
    monthly_price_fen: int | None = None,
    min_nights: int | None = None,
    max_nights: int | None = None,
    partner_id: int | None = None,
    title_zh: str | None = None,
    title_en: str | None = None,
    policy: list[dict] | None = None,
    declaration_due_days: int = 7,
) -> dict:
    if mode == "migratory":
        seats, package_price_fen = None, None
        monthly_price_fen = monthly_price_fen or 250000
        min_nights = min_nights or 28
    return await _insert(
        "tour",
        base=base_id,
        organiser=organiser_id,
        partner=partner_id,
        mode=mode,
        status=status,
        title_zh=title_zh or f"{mode}团",
        title_en=title_en or f"{mode.title()} tour",
        starts_on=starts_on,
        ends_on=ends_on,
        seats=seats,
        package_price_fen=package_price_fen,
        monthly_price_fen=monthly_price_fen,
        min_nights=min_nights,
        max_nights=max_nights,
        cancellation_policy=json.dumps(policy if policy is not None else DEFAULT_POLICY),
        declaration_due_days=declaration_due_days,
    )


async def agreement(
    member_one: int,
    member_two: int,
    *,
    modes: tuple[str, ...] = ("interactive",),
    signed_on: dt.date = dt.date(2023, 6, 1),
    expires_on: dt.date | None = None,
) -> dict:
    """An alliance agreement between two members (stored lowest id first)."""
    first, second = sorted((member_one, member_two))
    return await _insert(
        "agreement", member_a=first, member_b=second, modes=list(modes), signed_on=signed_on, expires_on=expires_on
    )


async def quota(tour_id: int, member_id: int, seats: int) -> dict:
    return await _insert("tour_quota", tour=tour_id, member=member_id, seats=seats)


@dataclass
class World:
    members: dict[str, dict] = field(default_factory=dict)
    bases: dict[str, dict] = field(default_factory=dict)
    tours: dict[str, dict] = field(default_factory=dict)
    draft_tour: dict = field(default_factory=dict)
    start: dt.date = dt.date(2027, 1, 1)


async def small_world(start: dt.date | None = None, beds: int = 10) -> World:
    """Three members, two bases with 120 nights of beds, one published tour of each mode."""
    world = World(start=start or (PINNED_TODAY + dt.timedelta(days=60)))
    world.members["nm"] = await member("150000", "内蒙古", "Inner Mongolia")
    world.members["hi"] = await member("460000", "海南", "Hainan")
    world.members["bj"] = await member("110000", "北京", "Beijing")
    world.bases["sanya"] = await base(world.members["hi"]["id"])
    world.bases["hulunbuir"] = await base(
        world.members["nm"]["id"],
        name_zh="呼伦贝尔草原康养基地",
        name_en="Hulunbuir Grassland Base",
        province_code="150000",
        city_code="150700",
    )
    for item in world.bases.values():
        await calendar(item["id"], world.start, 120, beds)
    s = world.start
    world.tours["migratory"] = await tour(
        world.bases["sanya"]["id"],
        world.members["hi"]["id"],
        mode="migratory",
        starts_on=s,
        ends_on=s + dt.timedelta(days=120),
        title_zh="三亚冬季候鸟康养",
        title_en="Sanya winter stay",
    )
    world.tours["vacation"] = await tour(
        world.bases["sanya"]["id"],
        world.members["hi"]["id"],
        mode="vacation",
        starts_on=s + dt.timedelta(days=10),
        ends_on=s + dt.timedelta(days=17),
        title_zh="三亚七日度假",
        title_en="Seven days in Sanya",
    )
    world.tours["interactive"] = await tour(
        world.bases["hulunbuir"]["id"],
        world.members["nm"]["id"],
        mode="interactive",
        partner_id=world.members["bj"]["id"],
        starts_on=s + dt.timedelta(days=20),
        ends_on=s + dt.timedelta(days=30),
        title_zh="京蒙互动交流团",
        title_en="Beijing and Inner Mongolia exchange",
    )
    await quota(world.tours["interactive"]["id"], world.members["bj"]["id"], 8)
    await quota(world.tours["interactive"]["id"], world.members["nm"]["id"], 4)
    world.draft_tour = await tour(
        world.bases["hulunbuir"]["id"],
        world.members["nm"]["id"],
        status="draft",
        starts_on=s + dt.timedelta(days=40),
        ends_on=s + dt.timedelta(days=45),
        title_zh="草稿团",
        title_en="Unpublished draft tour",
    )
    return world


# The first night of a context world's calendars (its tours start from here); the clock reads
# PINNED_NOW, 2026-12-07 (tests/pinned.py), so every stay is ahead.
START = dt.date(2027, 1, 10)


async def context_world(*, beds: int = 10, screening_rules: bool = False) -> World:
    """The world of a context's ``world`` fixture (tests/<context>/conftest.py): ``small_world``
    from START with ``beds`` a night, and the alliance's default screening rules where the
    context reads health declarations (emptied with the tables, put back as the migration does)."""
    if screening_rules:
        from tests.health_helpers import seed_default_rules

        await seed_default_rules()
    return await small_world(start=START, beds=beds)


PASSWORD = "sunny-beach-2026"


async def account(login: str, *, role: str = "traveller", name: str = "测试用户", **scopes: Any) -> int:
    from sojourn.accounts.services import create_account
    from sojourn.accounts.tables import Role

    return await create_account(
        login=login,
        password=PASSWORD,
        display_name=name,
        role=Role(role),
        base_ids=tuple(scopes.get("base_ids", ())),
        member_ids=tuple(scopes.get("member_ids", ())),
    )


async def bearer(client, login: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def identity_number(birth: dt.date, region: str = "110101", serial: str = "123") -> str:
    """A checksum-valid resident identity number for ``birth``."""
    body = f"{region}{birth:%Y%m%d}{serial}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def traveller_body(name: str = "王秀兰", birth: dt.date = dt.date(1955, 4, 12), **extra: Any) -> dict:
    body = {
        "name": name,
        "birth_date": birth.isoformat(),
        "home_province_code": "230000",
        "emergency_contact": {"name": "王强", "phone": "13900001111", "relation": "儿子"},
    }
    body.update(extra)
    return body


async def bulk_bookers(count: int, *, province: str = "230000", prefix: str = "1370000") -> list[dict]:
    """``count`` traveller accounts, each with one traveller and an API token, inserted directly
    (one shared password hash; tokens issued by the real service) for load and race tests."""
    from sojourn.accounts.passwords import hash_password
    from sojourn.accounts.principal import principal_for_account
    from sojourn.accounts.services import issue_token

    password_hash = await hash_password(PASSWORD)
    people = []
    async with db.connection() as conn:
        rows = await conn.fetch(
            "INSERT INTO account (role, phone, password_hash, display_name) "
            "SELECT 'traveller', $1 || lpad(n::text, 4, '0'), $2, '压测' || n FROM generate_series(1, $3) n "
            "RETURNING id",
            prefix,
            password_hash,
            count,
        )
        account_ids = [row["id"] for row in rows]
        travellers = await conn.fetch(
            "INSERT INTO traveller (account, name, birth_date, home_province_code, emergency_name, emergency_phone, "
            "emergency_relation) SELECT a, '旅客' || a, DATE '1955-05-05', $2, '家人', '13900000000', '子女' "
            "FROM unnest($1::int[]) a RETURNING id, account",
            account_ids,
            province,
        )
    by_account = {row["account"]: row["id"] for row in travellers}
    for account_id in account_ids:
        principal = await principal_for_account(account_id)
        token = await issue_token(principal, PINNED_NOW)
        people.append(
            {
                "account_id": account_id,
                "traveller_id": by_account[account_id],
                "headers": {"Authorization": f"Bearer {token.token}"},
            }
        )
    return people


# --- Feedback: past stays and their feedback, written straight into the tables ---------------


async def traveller(account_id: int, name: str = "王秀兰", birth: dt.date = dt.date(1955, 4, 12)) -> dict:
    return await _insert("traveller", account=account_id, name=name, birth_date=birth, home_province_code="230000")


async def agent_mandate(traveller_id: int, recorded_by: int, reference: str = "96111-0001") -> dict:
    """A senior's consent that hotline agents may act for them."""
    return await _insert("agent_mandate", traveller=traveller_id, recorded_by=recorded_by, reference=reference)


_stay_counter = iter(range(1, 10**6))


async def past_stay(
    tour_row: dict,
    account_id: int,
    traveller_ids: list[int],
    *,
    arrival: dt.date,
    departure: dt.date,
    status: str = "checked_out",
) -> dict:
    """A booking row for a stay, without touching the capacity calendar: only for tests that
    read feedback and statistics, never for tests that check the calendar's invariant."""
    booking = await _insert(
        "booking",
        reference=f"SJ-T{next(_stay_counter):05d}",
        tour=tour_row["id"],
        base=tour_row["base"],
        account=account_id,
        booked_by=account_id,
        status=status,
        arrival=arrival,
        departure=departure,
        nights=(departure - arrival).days,
        party_size=len(traveller_ids),
        total_fen=100000 * len(traveller_ids),
    )
    for traveller_id in traveller_ids:
        await _insert(
            "booking_traveller",
            booking=booking["id"],
            traveller=traveller_id,
            home_province_code="230000",
            age_at_arrival=70,
            attendance=status if status in ("checked_in", "checked_out", "no_show") else "expected",
        )
    return booking


async def feedback(
    booking: dict,
    traveller_id: int,
    *,
    ratings: int | dict[str, int] = 4,
    nps: int = 9,
    comment: str = "",
    created_at: dt.datetime | None = None,
    hidden: bool = False,
) -> dict:
    from sojourn.feedback.tables import RATING_ASPECTS

    per_aspect = ratings if isinstance(ratings, dict) else {aspect: ratings for aspect in RATING_ASPECTS}
    at = created_at or dt.datetime(2027, 3, 1, 4, 0, tzinfo=dt.UTC)
    return await _insert(
        "feedback",
        booking=booking["id"],
        traveller=traveller_id,
        base=booking["base"],
        entered_by=booking["account"],
        nps=nps,
        comment=comment,
        created_at=at,
        updated_at=at,
        editable_until=at + dt.timedelta(days=14),
        hidden=hidden,
        **per_aspect,
    )
