"""Declaration deadlines: reminders to the booker before, flags to the base's operators at the deadline.

A declaration is due ``tour.declaration_due_days`` days before arrival, counted in the base's
time zone. It is outstanding while nothing was sent (no row, a draft, an open request for
information, or content destroyed when consent was taken back) on a confirmed booking that
has not arrived yet. Holds are left alone: they run out within minutes.

Reminders go ``REMINDER_DAYS_BEFORE`` days before the deadline and on (or, for a late booking
or a missed run, after) the deadline; operators are told once per booking. The outbox's
dedupe keys make every message happen at most once, however often the jobs run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bookings import states
from sojourn.config import Settings
from sojourn.db import rows
from sojourn.health.consents import share_stands_sql
from sojourn.health.rows import BaseOperator, OutstandingDeclaration
from sojourn.health.schemas import QueueItem
from sojourn.notifications import outbox

REMINDER_DAYS_BEFORE = 3
FILED = ("submitted", "accepted", "declined")

OUTSTANDING_SQL = f"""
WITH outstanding AS (
    SELECT b.id AS booking_id, b.reference, b.status AS booking_status, b.account, b.booked_by,
           b.base, b.tour, b.arrival, bt.traveller, bt.age_at_arrival, tr.name AS traveller_name,
           hd.id AS declaration_id, coalesce(hd.status, 'none') AS status, hd.risk,
           hd.submitted_at, hd.reviewed_at,
           coalesce(hd.due_on, b.arrival - t.declaration_due_days) AS due_on,
           ($1::timestamptz AT TIME ZONE bs.time_zone)::date AS today,
           {{shared}} AS shared
    FROM booking b
    JOIN tour t ON t.id = b.tour
    JOIN base bs ON bs.id = b.base
    JOIN booking_traveller bt ON bt.booking = b.id
    JOIN traveller tr ON tr.id = bt.traveller
    LEFT JOIN health_declaration hd ON hd.booking = b.id AND hd.traveller = bt.traveller
    WHERE b.status = '{states.CONFIRMED}'
      AND coalesce(hd.status, 'none') NOT IN ({", ".join(f"'{status}'" for status in FILED)})
      AND {{scope}}
)
SELECT *, count(*) OVER () AS total_count FROM outstanding WHERE arrival >= today AND {{window}}
"""


def outstanding_sql(window: str, scope: str = "TRUE") -> str:
    return OUTSTANDING_SQL.format(window=window, scope=scope, shared=share_stands_sql("bt.traveller", "b.id"))


def _stage(due_on: dt.date, today: dt.date) -> str | None:
    if today >= due_on:
        return "due"
    if today >= due_on - dt.timedelta(days=REMINDER_DAYS_BEFORE):
        return "soon"
    return None


async def _new_keys(conn: asyncpg.Connection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    existing = await conn.fetch("SELECT dedupe_key FROM outbox_message WHERE dedupe_key = ANY($1::text[])", keys)
    return set(keys) - {key for (key,) in existing}


async def send_declaration_reminders(now: dt.datetime, settings: Settings) -> int:
    """Remind the booking's account (and the hotline agent who booked it) of declarations
    still outstanding; returns how many messages were written."""
    window = f"today >= due_on - {REMINDER_DAYS_BEFORE}"
    sent = 0
    async with db.connection() as conn, conn.transaction():
        outstanding = rows.rows(OutstandingDeclaration, await conn.fetch(outstanding_sql(window), now))
        bookings: dict[int, list[OutstandingDeclaration]] = defaultdict(list)
        for row in outstanding:
            bookings[row.booking_id].append(row)
        for booking_id, travellers in bookings.items():
            first = travellers[0]
            stage = _stage(first.due_on, first.today)
            if stage is None:
                continue
            recipients = {first.account, first.booked_by}
            keys = {f"declaration_due:{booking_id}:{stage}:{account}": account for account in recipients}
            for key in sorted(await _new_keys(conn, list(keys))):
                await outbox.enqueue(
                    conn,
                    "declaration_due",
                    keys[key],
                    {
                        "booking_id": booking_id,
                        "reference": first.reference,
                        "due_on": first.due_on.isoformat(),
                        "arrival": first.arrival.isoformat(),
                        "stage": stage,
                        "travellers": [{"id": row.traveller, "name": row.traveller_name} for row in travellers],
                    },
                    dedupe_key=key,
                    deliver_after=now,
                )
                sent += 1
    return sent


OPERATORS_SQL = """
SELECT ab.base, ab.account FROM account_base ab JOIN account a ON a.id = ab.account
WHERE ab.base = ANY($1::int[]) AND a.status = 'active' AND a.role = 'operator'
ORDER BY ab.account
"""


async def flag_missing_declarations(now: dt.datetime, settings: Settings) -> int:
    """At the deadline, tell every operator of the base which travellers have not declared;
    once per booking and operator. Returns how many messages were written."""
    sent = 0
    async with db.connection() as conn, conn.transaction():
        outstanding = rows.rows(OutstandingDeclaration, await conn.fetch(outstanding_sql("today >= due_on"), now))
        bookings: dict[int, list[OutstandingDeclaration]] = defaultdict(list)
        for row in outstanding:
            bookings[row.booking_id].append(row)
        operators: dict[int, list[int]] = defaultdict(list)
        bases = list({row.base for row in outstanding})
        for operator in rows.rows(BaseOperator, await conn.fetch(OPERATORS_SQL, bases)):
            operators[operator.base].append(operator.account)
        for booking_id, travellers in bookings.items():
            first = travellers[0]
            keys = {f"declarations_missing:{booking_id}:{account}": account for account in operators[first.base]}
            for key in sorted(await _new_keys(conn, list(keys))):
                await outbox.enqueue(
                    conn,
                    "declarations_missing",
                    keys[key],
                    {
                        "booking_id": booking_id,
                        "reference": first.reference,
                        "base_id": first.base,
                        "arrival": first.arrival.isoformat(),
                        "due_on": first.due_on.isoformat(),
                        "travellers": [
                            {
                                "id": row.traveller,
                                "name": row.traveller_name,
                                "status": row.status,
                            }
                            for row in travellers
                        ],
                    },
                    dedupe_key=key,
                    deliver_after=now,
                )
                sent += 1
    return sent


async def missing_declarations(
    principal: Principal,
    *,
    now: dt.datetime,
    base_id: int | None = None,
    tour_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[QueueItem], int]:
    """Travellers whose declaration is past due and not sent, on the bases the principal reviews."""
    args: list[Any] = [now]
    scope = policy.declarations_visible(principal, "b", args)
    if base_id is not None:
        args.append(base_id)
        scope += f" AND b.base = ${len(args)}"
    if tour_id is not None:
        args.append(tour_id)
        scope += f" AND b.tour = ${len(args)}"
    sql = outstanding_sql("today >= due_on", scope)
    sql += f" ORDER BY due_on, arrival, booking_id, traveller LIMIT {int(limit)} OFFSET {int(offset)}"
    async with db.connection() as conn:
        outstanding = rows.rows(OutstandingDeclaration, await conn.fetch(sql, *args))
    items = [
        QueueItem(
            declaration_id=row.declaration_id,
            booking_id=row.booking_id,
            booking_reference=row.reference,
            booking_status=row.booking_status,
            base_id=row.base,
            tour_id=row.tour,
            traveller_id=row.traveller,
            traveller_name=row.traveller_name,
            age_at_arrival=row.age_at_arrival,
            arrival=row.arrival,
            due_on=row.due_on,
            status=row.status,
            risk=row.risk,
            submitted_at=row.submitted_at,
            reviewed_at=row.reviewed_at,
            shared=row.shared,
        )
        for row in outstanding
    ]
    return items, (outstanding[0].total_count if outstanding else 0)
