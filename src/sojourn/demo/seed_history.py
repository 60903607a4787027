"""Writing the planned past into the database: households, past stays, feedback, declarations.

Plain SQL, because the booking engine (rightly) refuses arrivals in the past. What the engine
would have kept is kept here too: capacity rows carry exactly the beds the stays take, seats
and quotas their travellers, and the statistics are counted again from the rows
(``rollups.rebuild``); health counts, which no rebuild can recount (the answers are
encrypted), are added from the answers as ``stats.health_counts`` adds them.
Runs once per database, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import asyncpg

from sojourn.accounts.passwords import hash_password
from sojourn.crypto import KeyRing
from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.plan import DemoPlan, Person, Stay, at
from sojourn.demo.plan_answers import answers_of
from sojourn.demo.plan_history import review_content
from sojourn.demo.seed_accounts import AccountIds, operator_login
from sojourn.demo.seed_catalogue import CatalogueIds
from sojourn.health import sealing
from sojourn.health.consents import CONSENT_VERSION
from sojourn.health.screening import Trip, facts_for, load_rules, screen
from sojourn.stats import health_counts, rollups
from sojourn.tours.pricing import traveller_price_fen
from sojourn.travellers.identity import age_on

BOOK_SQL = """
WITH new_booking AS (
    INSERT INTO booking (id, reference, tour, base, account, booked_by, origin_member, status, arrival, departure,
                         nights, party_size, total_fen, refund_fen, hold_expires_at, created_at, confirmed_at,
                         cancelled_at, checked_in_at, checked_out_at)
    SELECT n.id, sojourn_booking_reference(n.id), $1, $2, $3, $3, $4, $5, $6::date, $7::date, $7::date - $6::date, $8,
           $9, $10, $11::timestamptz, $11::timestamptz, $11::timestamptz + interval '10 minutes', $12::timestamptz,
           $13::timestamptz, $14::timestamptz
    FROM (SELECT nextval('booking_id_seq') AS id) n
    RETURNING id, base, party_size
), its_beds AS (  -- the demo's history books beds: a bed each, in the base's bed type
    INSERT INTO booking_room (booking, room_type, rooms)
    SELECT k.id, t.id, k.party_size FROM new_booking k JOIN room_type t ON t.base = k.base AND t.code = 'bed'
    RETURNING 1
)
SELECT id FROM new_booking
"""

BASES_BY_SLUG = {base.slug: base for base in BASES}

TAKEN_SQL = """
UPDATE room_night c SET taken_rooms = x.k FROM (
    SELECT r.room_type, n::date AS night, sum(r.rooms)::int AS k
    FROM booking b JOIN booking_room r ON r.booking = b.id, generate_series(b.arrival, b.departure - 1, interval '1 day') n
    WHERE b.status IN ('held', 'confirmed', 'checked_in', 'checked_out', 'no_show') GROUP BY 1, 2) x
WHERE c.room_type = x.room_type AND c.night = x.night
"""
SEATS_SQL = """
UPDATE tour t SET seats_taken = x.k FROM (
    SELECT tour, sum(party_size)::int AS k FROM booking
    WHERE status IN ('held', 'confirmed', 'checked_in', 'checked_out', 'no_show') GROUP BY tour) x
WHERE t.id = x.tour AND t.seats IS NOT NULL
"""
QUOTAS_SQL = """
UPDATE tour_quota q SET taken = x.k FROM (
    SELECT tour, origin_member, sum(party_size)::int AS k FROM booking
    WHERE status IN ('held', 'confirmed', 'checked_in', 'checked_out', 'no_show') AND origin_member IS NOT NULL
    GROUP BY 1, 2) x
WHERE q.tour = x.tour AND q.member = x.origin_member
"""


async def seed_history(
    conn: asyncpg.Connection, plan: DemoPlan, catalogue: CatalogueIds, accounts: AccountIds, keyring: KeyRing
) -> None:
    """The households and every stay the engine does not book, in the caller's transaction."""
    await seed_households(conn, plan, accounts)
    counts: Counter[tuple[int, dt.date, str, str, str]] = Counter()
    written = _Written(plan.people(), counts, rules={})
    for stay in plan.stays:
        if not stay.by_engine:
            await _write_stay(conn, plan, stay, catalogue, accounts, keyring, written)
    await conn.execute(TAKEN_SQL)
    await conn.execute(SEATS_SQL)
    await conn.execute(QUOTAS_SQL)
    await conn.executemany(
        health_counts.APPLY_SQL,
        [
            (base_id, month, mode, [facet], [value], [n])
            for (base_id, month, mode, facet, value), n in sorted(counts.items())
        ],
    )
    # The stays above went straight into the tables, already over: count them once.
    await rollups.rebuild(conn)


async def seed_households(conn: asyncpg.Connection, plan: DemoPlan, accounts: AccountIds) -> None:
    """Accounts (that cannot sign in) and travellers of the history households; ids into ``accounts``."""
    password_hash = await hash_password("history-accounts-cannot-sign-in")
    for number, household in enumerate(h for key, h in plan.households.items() if key.startswith("history")):
        accounts.accounts[household.key] = await conn.fetchval(
            "INSERT INTO account (role, email, password_hash, display_name) VALUES ('traveller', $1, $2, $3) "
            "RETURNING id",
            f"{household.key}@demo.sojourn.example",
            password_hash,
            household.people[0].name,
        )
        for position, person in enumerate(household.people):
            accounts.travellers[person.key] = await conn.fetchval(
                "INSERT INTO traveller (account, name, birth_date, gender, home_province_code, emergency_name, "
                "emergency_phone, emergency_relation, is_account_holder) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                "RETURNING id",
                accounts.accounts[household.key],
                person.name,
                person.birth_date,
                person.gender,
                person.province,
                household.people[0].name[0] + "家人",
                "1390000" + f"{number:04d}",
                "子女",
                position == 0,
            )


@dataclass
class _Written:
    """What writing the stays needs across them: travellers by key, health counts, screening rules."""

    people: dict[str, Person]
    counts: Counter
    rules: dict[int, list]


async def _write_stay(
    conn: asyncpg.Connection,
    plan: DemoPlan,
    stay: Stay,
    catalogue: CatalogueIds,
    accounts: AccountIds,
    keyring: KeyRing,
    written: _Written,
) -> None:
    tour = plan.tours[stay.tour]
    tour_id, base_id = catalogue.tours[tour.slug], catalogue.bases[tour.base_slug]
    people, counts, rules = written.people, written.counts, written.rules
    province = people[stay.people[0]].province
    total = traveller_price_fen(tour, stay.nights) * len(stay.people)
    account_id = accounts.accounts[stay.household]
    booking_id = await conn.fetchval(
        BOOK_SQL,
        tour_id,
        base_id,
        account_id,
        catalogue.members[province] if tour.mode == "interactive" else None,
        stay.status,
        stay.arrival,
        stay.departure,
        len(stay.people),
        total,
        total if stay.status == "cancelled" else None,
        stay.booked_at,
        stay.cancelled_at,
        at(stay.arrival, 15) if stay.status in ("checked_in", "checked_out") else None,
        at(stay.departure, 10) if stay.status == "checked_out" else None,
    )
    attended = stay.status in ("checked_in", "checked_out", "no_show")  # each traveller as the booking
    await conn.executemany(
        "INSERT INTO booking_traveller (booking, traveller, home_province_code, age_at_arrival, attendance, "
        "checked_in_at, checked_out_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            (
                booking_id,
                accounts.travellers[key],
                people[key].province,
                age_on(people[key].birth_date, stay.arrival),
                stay.status if attended else "expected",
                at(stay.arrival, 15) if stay.status in ("checked_in", "checked_out") else None,
                at(stay.departure, 10) if stay.status == "checked_out" else None,
            )
            for key in stay.people
        ],
    )
    for key, review in stay.reviews:
        ratings, nps, comment = review_content(review)
        await conn.execute(
            "INSERT INTO feedback (booking, traveller, base, entered_by, accommodation, food, medical, activities, "
            "staff, transport, value, safety, nps, comment, created_at, updated_at, editable_until) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)",
            booking_id, accounts.travellers[key], base_id, account_id, *ratings, nps, comment, review.written_at,
            review.written_at + dt.timedelta(days=14),
        )  # fmt: skip
    if stay.declarations and tour_id not in rules:
        rules[tour_id] = await load_rules(conn, base_id, tour_id)
    reviewer = accounts.accounts[operator_login(tour.base_slug)]
    household = plan.households[stay.household]
    for declaration in stay.declarations:
        person = people[declaration.person]
        traveller_id = accounts.travellers[person.key]
        answers = answers_of(declaration, household)
        base = BASES_BY_SLUG[tour.base_slug]
        trip = Trip(
            stay.arrival, stay.nights, person.birth_date, tour.mode, tour.health_requirements,
            base.altitude_m, base.hospital_distance_km, base.medical_level,
        )  # fmt: skip
        screening = screen(rules[tour_id], facts_for(answers, trip))
        await conn.execute(
            "INSERT INTO health_declaration (booking, traveller, status, content_cipher, risk, due_on, submitted_at, "
            "submitted_by, reviewed_at, reviewed_by, created_at, updated_at) "
            "VALUES ($1, $2, 'accepted', $3, $4, $5, $6, $7, $8, $9, $6, $8)",
            booking_id, traveller_id, sealing.seal_content(keyring, booking_id, traveller_id, answers, screening),
            screening["risk"], stay.arrival - dt.timedelta(days=tour.declaration_due_days), declaration.submitted_at,
            account_id, declaration.reviewed_at, reviewer,
        )  # fmt: skip
        await conn.executemany(
            "INSERT INTO consent (traveller, booking, purpose, version, granted_at, granted_by) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            [
                (traveller_id, booking_id, purpose, CONSENT_VERSION, declaration.submitted_at, account_id)
                for purpose in ("collect_health", "share_with_base")
            ],
        )
        month = stay.arrival.replace(day=1)
        age = age_on(person.birth_date, stay.arrival)
        for facet, value in health_counts.facets(answers, screening["risk"], age):
            counts[(catalogue.bases[tour.base_slug], month, tour.mode, facet, value)] += 1
