"""The world the authorisation matrix runs in: one of every kind of caller, and objects of
traveller account A at base X that each of them may or may not touch.

- base X: the Sanya base (member Hainan); base Y: the Hulunbuir base (member Inner Mongolia);
- account A: travellers a1 and a2; a confirmed booking of a1 on X's vacation tour with a sent
  health declaration (both consents); a booking of a1 on hold (X's migratory stay); a1 waiting
  for a sold-out tour at X; feedback of a1 on a past stay of a1 and a2 at X, with the base's reply;
- account B: traveller b1, who holds the only seat of that sold-out tour;
- a hotline agent with a mandate for a1 (not for a2), operators of X and of Y, an alliance-wide
  coordinator and an admin.

Rows go in directly where no route's rules depend on how they were made (accounts with one
shared password hash, travellers, mandate, past stay, feedback, agreement); bookings, the
waiting-list entry and the declaration go through the API so calendars and seats add up.
Tokens are issued by the real service "in 2029", so they outlive any clock move of a test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sojourn import db
from tests import booking_helpers, factories
from tests.health_helpers import declaration_body
from tests.pinned import PINNED_NOW, SHANGHAI

START = dt.date(2027, 1, 10)  # first night of the calendars; the clock reads PINNED_NOW (2026-12-07)
TOKEN_ISSUED = dt.datetime(2029, 1, 1, tzinfo=dt.UTC)
ROLES = ("anon", "trav_a", "trav_b", "agent", "op_x", "op_y", "coord", "admin")
PHONE_A = "13800000001"
PHONE_B = "13800000002"

# role: (login column, login, account role, scope)
_ACCOUNTS = {
    "trav_a": ("phone", PHONE_A, "traveller", None),
    "trav_b": ("phone", PHONE_B, "traveller", None),
    "agent": ("phone", "13300000001", "agent", None),
    "op_x": ("email", "op@sanya.example", "operator", "x"),
    "op_y": ("email", "op@hulunbuir.example", "operator", "y"),
    "coord": ("email", "coordinator@alliance.example", "coordinator", None),  # no members: all
    "admin": ("email", "admin@sojourn.example", "admin", None),
}

_password_hash: str | None = None


async def _shared_password_hash() -> str:
    global _password_hash
    if _password_hash is None:
        from sojourn.accounts.passwords import hash_password

        _password_hash = await hash_password(factories.PASSWORD)
    return _password_hash


@dataclass
class AuthzWorld:
    catalogue: factories.World
    base_x: int = 0
    base_y: int = 0
    member_x: int = 0
    member_y: int = 0
    member_z: int = 0  # a third member (Beijing), for a new agreement
    tour_x: int = 0  # X's published vacation tour, where A's confirmed booking is
    stay_x: int = 0  # X's published migratory stay, where A's hold is
    draft_x: int = 0  # an unpublished tour at X
    full_x: int = 0  # a vacation tour at X with one seat, taken by B
    accounts: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    a1: int = 0
    a2: int = 0
    b1: int = 0
    confirmed: int = 0
    held: int = 0
    past_stay: int = 0
    declaration: int = 0
    feedback: int = 0
    entry: int = 0
    agreement: int = 0
    invitation: int = 0  # a coordinator's request to invite a base staff member for X
    grant: int = 0  # a coordinator's request that op_x also work for Y
    invoice_request: int = 0  # A's fapiao request for the confirmed booking (made by the calls that need it)

    def as_(self, role: str) -> dict[str, str]:
        return dict(self.headers.get(role, {}))


async def _account(column: str, login: str, role: str) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            f"INSERT INTO account (role, {column}, password_hash, display_name) VALUES ($1, $2, $3, $4) RETURNING id",
            role,
            login,
            await _shared_password_hash(),
            f"{role} {login[:12]}",
        )


async def _token(account_id: int) -> dict[str, str]:
    from sojourn.accounts.principal import principal_for_account
    from sojourn.accounts.services import issue_token

    issued = await issue_token(await principal_for_account(account_id), TOKEN_ISSUED)
    return {"Authorization": f"Bearer {issued.token}"}


async def execute(sql: str, *args: Any) -> None:
    async with db.connection() as conn:
        await conn.execute(sql, *args)


async def _ok(response, status: int = 201) -> dict:
    assert response.status_code == status, f"world set-up: {response.request.url} -> {response.text}"
    return response.json()


async def build(client) -> AuthzWorld:
    """The world, on empty tables, with the clock at PINNED_NOW."""
    catalogue = await factories.small_world(start=START, beds=10)
    w = AuthzWorld(catalogue=catalogue)
    w.base_x, w.base_y = catalogue.bases["sanya"]["id"], catalogue.bases["hulunbuir"]["id"]
    w.member_x, w.member_y = catalogue.members["hi"]["id"], catalogue.members["nm"]["id"]
    w.member_z = catalogue.members["bj"]["id"]
    w.tour_x, w.stay_x = catalogue.tours["vacation"]["id"], catalogue.tours["migratory"]["id"]
    day = dt.timedelta(days=1)
    w.draft_x = (
        await factories.tour(w.base_x, w.member_x, status="draft", starts_on=START + 50 * day, ends_on=START + 55 * day)
    )["id"]
    w.full_x = (
        await factories.tour(w.base_x, w.member_x, seats=1, starts_on=START + 40 * day, ends_on=START + 47 * day)
    )["id"]

    scopes = {"x": (w.base_x,), "y": (w.base_y,)}
    for role, (column, login, account_role, scope) in _ACCOUNTS.items():
        w.accounts[role] = await _account(column, login, account_role)
        if scope:
            await execute(
                "INSERT INTO account_base (account, base) VALUES ($1, $2)", w.accounts[role], scopes[scope][0]
            )
        w.headers[role] = await _token(w.accounts[role])

    w.a1 = (await factories.traveller(w.accounts["trav_a"], "王秀兰", dt.date(1955, 4, 12)))["id"]
    w.a2 = (await factories.traveller(w.accounts["trav_a"], "王建国", dt.date(1953, 2, 2)))["id"]
    w.b1 = (await factories.traveller(w.accounts["trav_b"], "李桂英", dt.date(1956, 8, 1)))["id"]
    await factories.agent_mandate(w.a1, w.accounts["agent"])

    a, b = w.as_("trav_a"), w.as_("trav_b")
    held = await _ok(
        await client.post("/api/v1/bookings", json={"tour_id": w.tour_x, "traveller_ids": [w.a1]}, headers=a)
    )
    w.confirmed = held["id"]
    await booking_helpers.confirm(client, w.confirmed, a)
    stay = {
        "tour_id": w.stay_x,
        "traveller_ids": [w.a1],
        "arrival": str(START + 70 * day),
        "departure": str(START + 98 * day),
    }
    w.held = (await _ok(await client.post("/api/v1/bookings", json=stay, headers=a)))["id"]
    seat = await _ok(
        await client.post("/api/v1/bookings", json={"tour_id": w.full_x, "traveller_ids": [w.b1]}, headers=b)
    )
    await booking_helpers.confirm(client, seat["id"], b)
    waiting = {"tour_id": w.full_x, "traveller_ids": [w.a1]}
    w.entry = (await _ok(await client.post(f"/api/v1/tours/{w.full_x}/waitlist", json=waiting, headers=a)))["id"]
    path = f"/api/v1/bookings/{w.confirmed}/travellers/{w.a1}/declaration"
    declared = await _ok(await client.put(path, json=declaration_body(), headers=a), 200)
    assert declared["status"] == "submitted", declared
    w.declaration = declared["id"]

    past = await factories.past_stay(
        catalogue.tours["migratory"],
        w.accounts["trav_a"],
        [w.a1, w.a2],
        arrival=dt.date(2026, 10, 1),
        departure=dt.date(2026, 10, 15),
    )
    w.past_stay = past["id"]
    given = PINNED_NOW - 2 * day
    w.feedback = (await factories.feedback(past, w.a1, comment="护士很耐心。", created_at=given))["id"]
    await execute(
        "UPDATE feedback SET reply = '谢谢您的评价！', replied_at = $2, replied_by = $3 WHERE id = $1",
        w.feedback,
        given + day,
        w.accounts["op_x"],
    )
    async with db.connection() as conn:
        pair = sorted((w.member_x, w.member_y))
        w.agreement = await conn.fetchval(
            "INSERT INTO agreement (member_a, member_b, modes, signed_on) VALUES ($1, $2, $3, $4) RETURNING id",
            pair[0],
            pair[1],
            ["interactive"],
            dt.date(2026, 1, 1),
        )
        w.invitation = await conn.fetchval(
            "INSERT INTO operator_invitation (login, display_name, base_ids, requested_by) "
            "VALUES ('13900000077', '三亚新前台', $1, $2) RETURNING id",
            [w.base_x],
            w.accounts["coord"],
        )
        w.grant = await conn.fetchval(
            "INSERT INTO base_grant_request (account, base, requested_by) VALUES ($1, $2, $3) RETURNING id",
            w.accounts["op_x"],
            w.base_y,
            w.accounts["coord"],
        )
    return w


def noon_at_x(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)
