"""``sojourn db seed --demo``: the whole demo, idempotently — catalogue, accounts, upcoming trips.

Upcoming trips are booked through the booking engine itself (hold, then confirm), so
the demo's calendars are exactly what real use would have produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sojourn import db
from sojourn.accounts.principal import principal_for_account
from sojourn.bookings.holds import hold_beds
from sojourn.bookings.lifecycle import confirm_booking
from sojourn.bookings.schemas import BookingIn
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.demo.seed_accounts import AGENT, DAUGHTER, SENIOR, AccountIds, seed_accounts
from sojourn.demo.seed_catalogue import CatalogueIds, seed_catalogue
from sojourn.demo.seed_history import seed_history
from sojourn.demo.seed_places import seed_places


@dataclass(frozen=True)
class DemoIds:
    catalogue: CatalogueIds
    accounts: AccountIds


async def seed_demo(settings: Settings, now: dt.datetime) -> DemoIds:
    today = now.date()
    catalogue = await seed_catalogue(today)
    await seed_places(catalogue.bases, now)
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    accounts = await seed_accounts(catalogue.bases, keyring)
    await seed_history(catalogue, today)
    await _upcoming_trips(accounts, settings, now)
    return DemoIds(catalogue, accounts)


FIRST_TOUR_SQL = """
SELECT t.id, t.starts_on, t.min_nights FROM tour t JOIN base b ON b.id = t.base
WHERE t.mode = $1 AND t.status = 'published' AND b.status = 'admitted' AND t.starts_on > $2
ORDER BY t.starts_on, t.id LIMIT 1
"""


async def _upcoming_trips(accounts: AccountIds, settings: Settings, now: dt.datetime) -> None:
    """The senior has a confirmed winter stay; the hotline booked a holiday for the daughter's parents."""
    async with db.connection() as conn:
        if await conn.fetchval("SELECT count(*) FROM booking WHERE arrival >= $1", now.date()) > 0:
            return
        migratory = await conn.fetchrow(FIRST_TOUR_SQL, "migratory", now.date() + dt.timedelta(days=14))
        vacation = await conn.fetchrow(FIRST_TOUR_SQL, "vacation", now.date() + dt.timedelta(days=14))
    senior = await principal_for_account(accounts.accounts[SENIOR.login])
    agent = await principal_for_account(accounts.accounts[AGENT.login])
    assert senior is not None and agent is not None
    if migratory:
        arrival = migratory["starts_on"] + dt.timedelta(days=3)
        request = BookingIn(
            tour_id=migratory["id"],
            traveller_ids=[accounts.travellers[t.name] for t in SENIOR.travellers[:2]],
            arrival=arrival,
            departure=arrival + dt.timedelta(days=max(migratory["min_nights"], 60)),
        )
        held = await hold_beds(senior, request, settings=settings, now=now)
        await confirm_booking(senior, held.booking.id, settings=settings, now=now)
    if vacation:
        request = BookingIn(
            tour_id=vacation["id"], traveller_ids=[accounts.travellers[t.name] for t in DAUGHTER.travellers]
        )
        held = await hold_beds(agent, request, settings=settings, now=now)
        await confirm_booking(agent, held.booking.id, settings=settings, now=now)
