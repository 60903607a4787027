"""Shared set-up for health declaration tests: default rules, a booked traveller, answer bodies."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from sojourn import db
from sojourn.health.schemas import CONDITION_NAMES
from sojourn.piccolo_app import migrations_folder
from tests import booking_helpers, factories
from tests.booking_helpers import Booker

START = dt.date(2027, 1, 10)  # the small world's first night; PINNED_NOW is 2026-12-07
RULES_MIGRATION = "sojourn_2026_11_23t11_37_22_453205.py"


@cache
def rules_migration():
    """The migration that seeds the default rules: tests use its very data."""
    spec = importlib.util.spec_from_file_location("rules_migration", migrations_folder() / RULES_MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def default_rule_rows() -> list[dict]:
    """The default rules as ``screening.load_rules`` reads them from the table, made without one."""
    return [
        {
            "id": number,
            "code": code,
            "base": None,
            "tour": None,
            "condition": json.dumps(condition),
            "effect": effect,
            "risk": risk,
            "explanation_zh": chinese,
            "explanation_en": english,
            "active": True,
            "priority": priority,
        }
        for number, (code, condition, effect, risk, priority, chinese, english) in enumerate(
            rules_migration().DEFAULT_RULES, start=1
        )
    ]


async def seed_default_rules() -> None:
    """``db`` empties every table, the seeded rules too: put them back as the migration does."""
    await rules_migration().seed_default_rules()


NO_CONDITIONS = {name: {"has": False} for name in CONDITION_NAMES}


def declaration_body(**changes: Any) -> dict:
    """A complete, healthy declaration with both consents, ready to submit: every yes/no
    answered (a left-out one is missing, not "no"); ``conditions`` given are added to the "no"s."""
    body: dict[str, Any] = {
        "conditions": dict(NO_CONDITIONS),
        "recent_hospital_stay": {"had": False},
        "cognitive_impairment": False,
        "epilepsy": False,
        "oxygen": False,
        "cpap": False,
        "medications": {"takes": False},
        "allergies": "",
        "diet": ["none"],
        "mobility_aid": "none",
        "travels_alone": True,
        "emergency_contact": {"name": "王强", "phone": "13900001111", "relation": "儿子"},
        "certificate": {"has": True, "dated": "2026-11-20"},
        "insurance": {
            "has": True,
            "insurer": "平安保险",
            "policy_number": "PA-2026-001",
            "age_limit": 85,
        },
        "consent": {"collect": True, "share_with_base": True},
        "submit": True,
    }
    if "conditions" in changes:
        changes = {**changes, "conditions": {**NO_CONDITIONS, **changes["conditions"]}}
    body.update(changes)
    return body


COMPANION = {"name": "李梅", "relation": "女儿", "phone": "13700002222"}


def with_companion(**changes: Any) -> dict:
    return declaration_body(travels_alone=False, companion=COMPANION, **changes)


@dataclass
class Booked:
    booker: Booker
    booking_id: int
    traveller_id: int

    @property
    def path(self) -> str:
        return f"/api/v1/bookings/{self.booking_id}/travellers/{self.traveller_id}/declaration"


async def book(
    client,
    world,
    login: str,
    *,
    birth: dt.date = dt.date(1955, 4, 12),
    tour: str = "migratory",
    arrival_offset: int = 5,
    nights: int = 30,
    confirm: bool = True,
    province: str = "230000",
) -> Booked:
    """A traveller account with one traveller born on ``birth``, booked (and confirmed) on ``tour``."""
    await factories.account(login)
    headers = await factories.bearer(client, login)
    traveller = await client.post(
        "/api/v1/travellers",
        json=factories.traveller_body(name=f"旅客{login[-4:]}", birth=birth, home_province_code=province),
        headers=headers,
    )
    assert traveller.status_code == 201, traveller.text
    traveller_id = traveller.json()["id"]
    body: dict[str, Any] = {"tour_id": world.tours[tour]["id"], "traveller_ids": [traveller_id]}
    if tour == "migratory":
        arrival = world.start + dt.timedelta(days=arrival_offset)
        body.update(arrival=arrival.isoformat(), departure=(arrival + dt.timedelta(days=nights)).isoformat())
    held = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    if confirm:
        await booking_helpers.confirm(client, booking_id, headers)
    return Booked(Booker(login, headers, [traveller_id]), booking_id, traveller_id)


async def operator(client, login: str, *base_ids: int) -> dict[str, str]:
    await factories.account(login, role="operator", base_ids=base_ids)
    return await factories.bearer(client, login)


async def staff(client, login: str, role: str) -> dict[str, str]:
    await factories.account(login, role=role)
    return await factories.bearer(client, login)


async def fetch(sql: str, *args: Any) -> list[dict]:
    async with db.connection() as conn:
        return [dict(row) for row in await conn.fetch(sql, *args)]


async def fetchval(sql: str, *args: Any) -> Any:
    async with db.connection() as conn:
        return await conn.fetchval(sql, *args)
