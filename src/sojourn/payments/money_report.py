"""The coordinator's money report: per member (of the base that took the money) and month, what was
collected, refunded, what is due and unpaid, and what must sit in the member's escrow account.

Months are Beijing months (``bases.services.ALLIANCE_TIME_ZONE``). A month's figures are as of its
end, or as of the report's moment for the month under way; a month after it cannot be asked for.

- collected / refunded: ledger payments and refunds that occurred in the month;
- outstanding: instalments due in the month and still unpaid (due, pending or overdue) of
  bookings that go ahead or are held;
- escrow (deposits held, 存管): per booking, money received and not refunded by the month's end
  less what the nights stayed by then have earned (the price × nights stayed ÷ nights); a
  cancelled booking holds the refund it still owes; a lapsed hold holds all it received.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import arrow
import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bases.services import ALLIANCE_TIME_ZONE
from sojourn.bookings import states
from sojourn.bookings.stays import today_at
from sojourn.db.rows import rows
from sojourn.errors import InvalidInput
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.stats.filters import month_label, parse_month

MAX_MONTHS = 36
UNPAID = ("due", "pending", "overdue")


class MoneyRow(msgspec.Struct):
    member_id: int
    member_code: str
    member_name: str
    month: str
    collected_fen: int
    refunded_fen: int
    outstanding_fen: int
    escrow_fen: int


@dataclass(frozen=True)
class MoneyPeriod:
    first: dt.date  # first day of the first month
    last: dt.date  # first day of the last month, included
    member_id: int | None = None

    @classmethod
    def parse(cls, start: str | None, end: str | None, member_id: int | None, now: dt.datetime) -> MoneyPeriod:
        this_month = today_at(ALLIANCE_TIME_ZONE, now).replace(day=1)
        first = parse_month(start, "from") or this_month
        last = parse_month(end, "to") or this_month
        if first > this_month or last > this_month:
            message = _l(
                "The report cannot look past this month: choose %(month)s or earlier.", month=month_label(this_month)
            )
            raise InvalidInput(message, field_errors={"from" if first > this_month else "to": message})
        if first > last:
            message = _l("The first month must not be after the last month.")
            raise InvalidInput(message, field_errors={"to": message})
        if len(_months(first, last)) > MAX_MONTHS:
            message = _l("Choose at most %(count)s months at a time.", count=MAX_MONTHS)
            raise InvalidInput(message, field_errors={"from": message})
        return cls(first, last, member_id)

    def query_string(self) -> str:
        parts = [f"from={month_label(self.first)}", f"to={month_label(self.last)}"]
        if self.member_id:
            parts.append(f"member_id={self.member_id}")
        return "&".join(parts)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = arrow.get(month).shift(months=1).date()
    return months


def _month_start(month: dt.date) -> dt.datetime:
    return arrow.get(month, tzinfo=ALLIANCE_TIME_ZONE).to("UTC").datetime


class _Booking(msgspec.Struct):
    id: int
    member: int
    status: str
    arrival: dt.date
    departure: dt.date
    total_fen: int
    refund_fen: int | None
    cancelled_at: dt.datetime | None
    time_zone: str


class _Entry(msgspec.Struct):
    booking: int
    member: int
    kind: str
    amount_fen: int
    occurred_at: dt.datetime


def escrow_of(booking: _Booking, entries: list[_Entry], at: dt.datetime) -> int:
    """What of this booking's money must be in escrow at ``at``."""
    received = sum(e.amount_fen for e in entries if e.kind == "payment" and e.occurred_at < at)
    refunded = -sum(e.amount_fen for e in entries if e.kind == "refund" and e.occurred_at < at)
    held = received - refunded
    if held <= 0:
        return 0
    if booking.status == states.CANCELLED and booking.cancelled_at is not None and booking.cancelled_at < at:
        still_owed = (booking.refund_fen or 0) - refunded
        return max(min(still_owed, held), 0)
    if booking.status == states.EXPIRED:
        return held
    nights = (booking.departure - booking.arrival).days
    today = today_at(booking.time_zone, at)
    stayed = min(max((today - booking.arrival).days, 0), nights)
    earned = booking.total_fen * stayed // nights if nights else booking.total_fen
    return max(held - earned, 0)


async def money_report(
    conn: asyncpg.Connection, principal: Principal, period: MoneyPeriod, now: dt.datetime
) -> list[MoneyRow]:
    """One row per member the principal may see and month of the period, members by code."""
    args: list[Any] = []
    visible = policy.money_members_visible(principal, "m", args)
    only = "TRUE"
    if period.member_id:
        args.append(period.member_id)
        only = f"m.id = ${len(args)}"
    members = await conn.fetch(
        f"SELECT m.id, m.code, m.name_zh, m.name_en FROM member m WHERE {visible} AND {only} ORDER BY m.code, m.id",
        *args,
    )
    if not members:
        return []
    ids = [m["id"] for m in members]
    months = _months(period.first, period.last)
    start, end = _month_start(months[0]), _month_start(arrow.get(months[-1]).shift(months=1).date())
    entries = rows(
        _Entry,
        await conn.fetch(
            """SELECT booking, member, kind, amount_fen, occurred_at FROM ledger_entry
               WHERE member = ANY($1::int[]) AND kind IN ('payment', 'refund') AND occurred_at < $2""",
            ids,
            end,
        ),
    )
    bookings = rows(
        _Booking,
        await conn.fetch(
            """SELECT DISTINCT b.id, l.member, b.status, b.arrival, b.departure, b.total_fen, b.refund_fen,
                      b.cancelled_at, bs.time_zone
               FROM ledger_entry l JOIN booking b ON b.id = l.booking JOIN base bs ON bs.id = b.base
               WHERE l.member = ANY($1::int[]) AND l.occurred_at < $2""",
            ids,
            end,
        ),
    )
    owed = await conn.fetch(
        f"""SELECT bs.member, i.due_at, i.amount_fen
            FROM payment_instalment i JOIN booking b ON b.id = i.booking JOIN base bs ON bs.id = b.base
            WHERE bs.member = ANY($1::int[]) AND i.status = ANY($4::text[])
              AND b.status IN {states.sql_list((states.HELD, *states.GOING_AHEAD))}
              AND i.due_at >= $2 AND i.due_at < $3""",
        ids,
        start,
        end,
        list(UNPAID),
    )
    by_booking: dict[int, list[_Entry]] = defaultdict(list)
    for entry in entries:
        by_booking[entry.booking].append(entry)
    result = []
    for member in members:
        mine = [b for b in bookings if b.member == member["id"]]
        for month in months:
            since = _month_start(month)
            until = min(_month_start(arrow.get(month).shift(months=1).date()), now)
            in_month = [e for e in entries if e.member == member["id"] and since <= e.occurred_at < until]
            result.append(
                MoneyRow(
                    member_id=member["id"],
                    member_code=member["code"],
                    member_name=pick(member, "name"),
                    month=month_label(month),
                    collected_fen=sum(e.amount_fen for e in in_month if e.kind == "payment"),
                    refunded_fen=-sum(e.amount_fen for e in in_month if e.kind == "refund"),
                    outstanding_fen=sum(
                        o["amount_fen"] for o in owed if o["member"] == member["id"] and since <= o["due_at"] < until
                    ),
                    escrow_fen=sum(escrow_of(b, by_booking[b.id], until) for b in mine),
                )
            )
    return result


async def report_for(principal: Principal, period: MoneyPeriod, now: dt.datetime) -> list[MoneyRow]:
    async with db.connection() as conn:
        return await money_report(conn, principal, period, now)


def _yuan(fen: int) -> str:
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def report_csv(report: list[MoneyRow]) -> bytes:
    """The report for people: titles in the reader's language, amounts in yuan, UTF-8 with a
    byte-order mark so that spreadsheet programs read Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            _("Member code"),
            _("Member"),
            _("Month"),
            _("Collected (yuan)"),
            _("Refunded (yuan)"),
            _("Due and unpaid (yuan)"),
            _("Deposits held in escrow (yuan)"),
        ]
    )
    for line in report:
        writer.writerow(
            [
                line.member_code,
                line.member_name,
                line.month,
                _yuan(line.collected_fen),
                _yuan(line.refunded_fen),
                _yuan(line.outstanding_fen),
                _yuan(line.escrow_fen),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
