"""A booking's payment schedule in the database: made once when the hold is made (phase B wires
``create_schedule`` into holding beds), read for the booking's money summary and for what is due next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from sojourn.payments import terms as payment_terms
from sojourn.payments.schedules import check_plan_within_limits, monthly_fee_fen, plan_instalments

BOOKING_SQL = """
SELECT b.id, b.status, b.total_fen, b.party_size, b.arrival, b.departure, b.nights, b.base, b.tour,
       b.hold_expires_at, b.refund_fen, b.reference, b.account, bs.time_zone, bs.member,
       t.mode, t.monthly_price_fen, t.package_price_fen, t.cancellation_policy, t.title_zh, t.title_en,
       bs.name_zh AS base_name_zh, bs.name_en AS base_name_en
FROM booking b JOIN base bs ON bs.id = b.base JOIN tour t ON t.id = b.tour
WHERE b.id = $1
"""


async def booking_facts(conn: asyncpg.Connection, booking_id: int) -> Any:
    return await conn.fetchrow(BOOKING_SQL, booking_id)


async def create_schedule(conn: asyncpg.Connection, booking_id: int, *, now: dt.datetime) -> list[Any]:
    """The booking's instalments from its tour's terms, refused (PrepaymentCapExceeded) if they break
    the province's cap. Made once: a second call returns what is there."""
    existing = await conn.fetch("SELECT * FROM payment_instalment WHERE booking = $1 ORDER BY seq", booking_id)
    if existing:
        return existing
    booking = await booking_facts(conn, booking_id)
    plan = plan_instalments(
        total_fen=booking["total_fen"],
        party_size=booking["party_size"],
        arrival=booking["arrival"],
        booked_at=now,
        time_zone=booking["time_zone"],
        terms=await payment_terms.terms_for_tour(conn, booking["tour"]),
    )
    fee = monthly_fee_fen(
        monthly_price_fen=booking["monthly_price_fen"],
        package_price_fen=booking["package_price_fen"],
        nights=booking["nights"],
    )
    limits = await payment_terms.limits_for_base(conn, booking["base"])
    check_plan_within_limits(plan, monthly_fee_fen=fee, party_size=booking["party_size"], limits=limits)
    await conn.executemany(
        "INSERT INTO payment_instalment (booking, seq, kind, amount_fen, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        [(booking_id, step.seq, step.kind, step.amount_fen, step.due_at, now) for step in plan],
    )
    return await conn.fetch("SELECT * FROM payment_instalment WHERE booking = $1 ORDER BY seq", booking_id)


async def first_payment_due(conn: asyncpg.Connection, booking_id: int) -> bool:
    """True while the instalment that confirms the booking is unpaid (``confirm`` answers payment_required)."""
    status = await conn.fetchval("SELECT status FROM payment_instalment WHERE booking = $1 AND seq = 1", booking_id)
    return status in ("due", "pending", "overdue")  # paid, or waived (nothing to pay online): not due


@dataclass(frozen=True)
class InstalmentView:
    kind: str
    amount_fen: int
    due_at: dt.datetime
    status: str  # due | pending | paid | overdue | waived


@dataclass(frozen=True)
class BookingMoney:
    schedule: list[InstalmentView] = field(default_factory=list)
    paid_fen: int = 0
    refunded_fen: int = 0
    refund_status: str = "none"  # none | scheduled | processing | paid | failed


MONEY_SQL = """
SELECT b.id,
       coalesce((SELECT sum(e.amount_fen) FROM ledger_entry e WHERE e.booking = b.id AND e.kind = 'payment'), 0)::int AS paid,
       coalesce((SELECT -sum(e.amount_fen) FROM ledger_entry e WHERE e.booking = b.id AND e.kind = 'refund'), 0)::int AS refunded,
       (SELECT array_agg(DISTINCT r.status) FROM payment_refund r WHERE r.booking = b.id AND r.status <> 'cancelled') AS refund_statuses,
       coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'amount_fen', i.amount_fen, 'due_at', i.due_at,
                                                   'status', i.status) ORDER BY i.seq)
                 FROM payment_instalment i WHERE i.booking = b.id), '[]') AS schedule
FROM booking b WHERE b.id = ANY($1::int[])
"""


def refund_status(statuses: list[str] | None) -> str:
    """One word for all of a booking's refunds: the least settled one wins."""
    for status in ("failed", "scheduled", "processing", "paid"):
        if statuses and status in statuses:
            return status
    return "none"


async def money_for_bookings(
    conn: asyncpg.Connection, booking_ids: list[int], *, now: dt.datetime
) -> dict[int, BookingMoney]:
    import json

    summaries: dict[int, BookingMoney] = {}
    for row in await conn.fetch(MONEY_SQL, booking_ids):
        schedule = row["schedule"] if isinstance(row["schedule"], list) else json.loads(row["schedule"])
        views = []
        for step in schedule:
            due_at = dt.datetime.fromisoformat(step["due_at"])
            status = step["status"]
            if status == "due" and due_at < now and step["kind"] == "balance":
                status = "overdue"
            views.append(InstalmentView(step["kind"], step["amount_fen"], due_at, status))
        summaries[row["id"]] = BookingMoney(views, row["paid"], row["refunded"], refund_status(row["refund_statuses"]))
    return summaries
