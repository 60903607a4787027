"""``sojourn db seed --demo``: the whole demo for the day it is seeded — catalogue, accounts, a
year of history, and a present that shows every feature.

The demo is planned first, without the database (``plan.plan_demo``), and the plan checked
against the engine's rules (``plan_rules``); only then is it written: the catalogue and the
accounts idempotently, the past with plain SQL in one transaction, the present through the
real services. History and present are added once per database; a later seed (another day,
the same data) only extends the catalogue and its calendars.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import arrow

from sojourn import db
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.demo.plan import DemoPlan, plan_demo
from sojourn.demo.plan_rules import missing_features, problems
from sojourn.demo.seed_accounts import AccountIds, seed_accounts
from sojourn.demo.seed_catalogue import CatalogueIds, seed_catalogue
from sojourn.demo.seed_history import seed_history
from sojourn.demo.seed_places import seed_places
from sojourn.demo.seed_present import seed_present
from sojourn.health.retention import shred_expired_declarations

DEMO_TIME_ZONE = "Asia/Shanghai"  # every demo base's
_HISTORY_LOCK_KEY = 0x50_4A_0C_A8
SEEDED_SQL = "SELECT 1 FROM account WHERE email = 'history000@demo.sojourn.example'"


class DemoSeedError(Exception):
    """The demo could not be planned for this day; the message says what broke."""


@dataclass(frozen=True)
class DemoIds:
    catalogue: CatalogueIds
    accounts: AccountIds
    added: bool  # False: the database already had the demo, only the catalogue was extended


def demo_today(now: dt.datetime) -> dt.date:
    return arrow.get(now).to(DEMO_TIME_ZONE).date()


def checked_plan(today: dt.date) -> DemoPlan:
    plan = plan_demo(today)
    broken = problems(plan) + [f"nothing shows {feature}" for feature in missing_features(plan)]
    if broken:
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        raise DemoSeedError(f"the demo planned for {today} breaks a rule: {broken[0]}{more}")
    return plan


async def seed_demo(settings: Settings, now: dt.datetime) -> DemoIds:
    today = demo_today(now)
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    async with db.connection() as conn:
        seeded = bool(await conn.fetchval(SEEDED_SQL))
    if seeded:
        catalogue = await seed_catalogue(today)
        await seed_places(catalogue.bases, now)
        return DemoIds(catalogue, await seed_accounts(catalogue.bases, keyring), added=False)
    plan = checked_plan(today)
    tours = sorted(plan.tours.values(), key=lambda tour: (tour.starts_on, tour.slug))
    catalogue = await seed_catalogue(today, tours, first_night=plan.first_night)
    await seed_places(catalogue.bases, now)
    accounts = await seed_accounts(catalogue.bases, keyring)
    async with db.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _HISTORY_LOCK_KEY)
        if await conn.fetchval(SEEDED_SQL):  # another seed got here first
            return DemoIds(catalogue, accounts, added=False)
        await seed_history(conn, plan, catalogue, accounts, keyring)
    await seed_present(plan, catalogue, accounts, settings, keyring)
    await shred_expired_declarations(now, settings)  # the history's old declarations, as the nightly job would
    return DemoIds(catalogue, accounts, added=True)
