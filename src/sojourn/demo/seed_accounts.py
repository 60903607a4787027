"""Demo accounts: a senior managing two family travellers, a daughter booking for her parents,
a hotline agent, an operator per base, a coordinator and an administrator.

Idempotent: an account whose login exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sojourn import db
from sojourn.accounts.services import create_account
from sojourn.accounts.tables import Role
from sojourn.crypto import KeyRing
from sojourn.demo.catalogue_bases import BASES

DEMO_PASSWORD = "sojourn-demo-2026"


@dataclass(frozen=True)
class DemoTraveller:
    name: str
    birth_date: dt.date
    gender: str
    home_province_code: str
    emergency: tuple[str, str, str]  # name, phone, relation
    is_account_holder: bool = False
    phone: str | None = None


@dataclass(frozen=True)
class DemoAccount:
    login: str
    display_name: str
    role: Role
    description: str  # what the demo account is for, printed by `sojourn demo`
    travellers: tuple[DemoTraveller, ...] = ()
    base_slugs: tuple[str, ...] = ()


SENIOR = DemoAccount(
    login="13800000001",
    display_name="王秀兰",
    role=Role.traveller,
    description="senior from Harbin, books for herself, her husband and her sister",
    travellers=(
        DemoTraveller(
            "王秀兰", dt.date(1952, 3, 8), "female", "230000", ("李明", "13900000011", "儿子"), True, "13800000001"
        ),
        DemoTraveller("李建国", dt.date(1949, 10, 1), "male", "230000", ("李明", "13900000011", "儿子")),
        DemoTraveller("王秀英", dt.date(1956, 6, 18), "female", "230000", ("李明", "13900000011", "外甥")),
    ),
)
DAUGHTER = DemoAccount(
    login="13800000002",
    display_name="张丽",
    role=Role.traveller,
    description="daughter in Beijing who books for her parents",
    travellers=(
        DemoTraveller("张志强", dt.date(1951, 1, 20), "male", "110000", ("张丽", "13800000002", "女儿")),
        DemoTraveller("刘淑芬", dt.date(1953, 9, 9), "female", "110000", ("张丽", "13800000002", "女儿")),
    ),
)
AGENT = DemoAccount(
    login="agent@96111.example",
    display_name="陈敏(96111 热线)",
    role=Role.agent,
    description="hotline agent who books for seniors who agreed by phone",
)
COORDINATOR = DemoAccount(
    login="coordinator@sojourn.example",
    display_name="联盟协调员",
    role=Role.coordinator,
    description="alliance coordinator: cross-region statistics",
)
ADMIN = DemoAccount(
    login="admin@sojourn.example", display_name="系统管理员", role=Role.admin, description="administrator"
)


def operator_login(base_slug: str) -> str:
    return f"ops-{base_slug}@sojourn.example"


def operator_accounts() -> tuple[DemoAccount, ...]:
    return tuple(
        DemoAccount(
            login=operator_login(base.slug),
            display_name=f"{base.name_zh}运营",
            role=Role.operator,
            description=f"operator of {base.name_en}",
            base_slugs=(base.slug,),
        )
        for base in BASES
    )


def demo_accounts() -> tuple[DemoAccount, ...]:
    return (SENIOR, DAUGHTER, AGENT, COORDINATOR, ADMIN, *operator_accounts())


@dataclass
class AccountIds:
    accounts: dict[str, int] = field(default_factory=dict)  # by login
    travellers: dict[str, int] = field(default_factory=dict)  # by name


async def _existing(login: str) -> int | None:
    column = "email" if "@" in login else "phone"
    async with db.connection() as conn:
        return await conn.fetchval(f"SELECT id FROM account WHERE {column} = $1", login)


async def seed_accounts(bases: dict[str, int], keyring: KeyRing) -> AccountIds:
    ids = AccountIds()
    for account in demo_accounts():
        account_id = await _existing(account.login)
        if account_id is None:
            account_id = await create_account(
                login=account.login,
                password=DEMO_PASSWORD,
                display_name=account.display_name,
                role=account.role,
                base_ids=tuple(bases[slug] for slug in account.base_slugs if slug in bases),
                check_password=False,
            )
        ids.accounts[account.login] = account_id
        for position, person in enumerate(account.travellers):
            ids.travellers[person.name] = await _traveller(account_id, person, position, keyring)
    await _mandate(ids, AGENT.login, DAUGHTER.travellers)
    return ids


async def _traveller(account_id: int, person: DemoTraveller, position: int, keyring: KeyRing) -> int:
    async with db.connection() as conn:
        existing = await conn.fetchval(
            "SELECT id FROM traveller WHERE account = $1 AND name = $2", account_id, person.name
        )
        if existing:
            return existing
        number = _identity_number(person, position)
        return await conn.fetchval(
            "INSERT INTO traveller (account, name, birth_date, gender, phone, home_province_code, id_number_cipher, "
            "id_number_digest, emergency_name, emergency_phone, emergency_relation, is_account_holder) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            account_id,
            person.name,
            person.birth_date,
            person.gender,
            person.phone,
            person.home_province_code,
            keyring.encrypt_text(number, f"traveller-id:{account_id}"),
            keyring.digest(number),
            *person.emergency,
            person.is_account_holder,
        )


def _identity_number(person: DemoTraveller, position: int) -> str:
    """A checksum-valid, obviously fictional number (region of the home province's capital)."""
    region = person.home_province_code[:2] + "0102"
    serial = f"{90 + position:02d}{1 if person.gender == 'male' else 2}"
    body = f"{region}{person.birth_date:%Y%m%d}{serial}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


async def _mandate(ids: AccountIds, agent_login: str, travellers: tuple[DemoTraveller, ...]) -> None:
    """The daughter's parents agreed by phone that the hotline may book for them."""
    agent_id = ids.accounts[agent_login]
    async with db.connection() as conn:
        for person in travellers:
            traveller_id = ids.travellers[person.name]
            exists = await conn.fetchval("SELECT 1 FROM agent_mandate WHERE traveller = $1", traveller_id)
            if not exists:
                await conn.execute(
                    "INSERT INTO agent_mandate (traveller, recorded_by, method, reference) VALUES ($1, $2, $3, $4)",
                    traveller_id,
                    agent_id,
                    "phone_call",
                    "96111-DEMO-0001",
                )
