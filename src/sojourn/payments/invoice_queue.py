"""Fapiao requests, finance's side: the queue (oldest first; open, issued or cancelled; per member
and month of the request), its CSV export, and marking a request issued with the fapiao's number
and date, which tells the senior. Who is finance: ``accounts.policy.invoice_requests_visible``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any, Literal

import arrow
import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bases.services import ALLIANCE_TIME_ZONE
from sojourn.bookings.stays import today_at
from sojourn.db.rows import row
from sojourn.errors import Conflict, InvalidInput, NotFound
from sojourn.formatting import yuan
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.notifications import outbox
from sojourn.payments.invoices import uninvoiced_sql
from sojourn.payments.schemas import InvoiceIssuedIn, InvoiceQueueItem
from sojourn.stats.filters import month_label, parse_month

QueueStatus = Literal["requested", "issued", "cancelled", "all"]
# 数电票 (fully digital fapiao): 20 digits; a paper fapiao: 8 digits (its 10- or 12-digit code apart).
INVOICE_NUMBER = re.compile(r"^([0-9]{20}|[0-9]{8})$")


@dataclass(frozen=True)
class QueueFilter:
    status: QueueStatus = "requested"
    member_id: int | None = None
    month: dt.date | None = None  # requests made in this Beijing month

    @classmethod
    def parse(cls, status: str | None, member_id: int | None, month: str | None) -> QueueFilter:
        if status not in (None, "", "requested", "issued", "cancelled", "all"):
            message = _l("Choose which requests to show: to issue, issued, cancelled or all.")
            raise InvalidInput(message, field_errors={"status": message})
        return cls(status or "requested", member_id, parse_month(month, "month"))  # type: ignore[arg-type]

    def query_string(self) -> str:
        parts = [f"status={self.status}"]
        if self.member_id:
            parts.append(f"member_id={self.member_id}")
        if self.month:
            parts.append(f"month={month_label(self.month)}")
        return "&".join(parts)


QUEUE_SELECT = f"""
SELECT r.id, r.booking AS booking_id, b.reference AS booking_reference, m.id AS member_id,
       m.name_zh AS member_name_zh, m.name_en AS member_name_en, bs.name_zh AS base_name_zh,
       bs.name_en AS base_name_en, r.title_kind, r.title, r.tax_number, r.email, r.status, r.requested_at,
       r.requested_by <> b.account AS on_behalf, r.invoice_number, r.issued_on, r.cancel_reason,
       CASE WHEN r.status = 'requested' THEN greatest({uninvoiced_sql("r.booking")}, 0) ELSE r.amount_fen END
           AS amount_fen,
       CASE WHEN r.status = 'issued' THEN greatest(-{uninvoiced_sql("r.booking")}, 0) ELSE 0 END
           AS refunded_after_issue_fen
FROM invoice_request r
JOIN booking b ON b.id = r.booking
JOIN base bs ON bs.id = b.base
JOIN member m ON m.id = bs.member
"""


def _item(record: Any) -> InvoiceQueueItem:
    values = dict(record)
    values["member_name"] = pick(record, "member_name")
    values["base_name"] = pick(record, "base_name")
    return row(InvoiceQueueItem, values)


async def list_requests(
    principal: Principal, queue: QueueFilter, *, limit: int = 100, offset: int = 0
) -> tuple[list[InvoiceQueueItem], int]:
    """The requests finance may see, oldest first, and how many match."""
    args: list[Any] = []
    conditions = [policy.invoice_requests_visible(principal, "bs", args)]
    if queue.status != "all":
        args.append(queue.status)
        conditions.append(f"r.status = ${len(args)}")
    if queue.member_id:
        args.append(queue.member_id)
        conditions.append(f"m.id = ${len(args)}")
    if queue.month:
        start = arrow.get(queue.month, tzinfo=ALLIANCE_TIME_ZONE)
        args += [start.datetime, start.shift(months=1).datetime]
        conditions.append(f"r.requested_at >= ${len(args) - 1} AND r.requested_at < ${len(args)}")
    where = " AND ".join(conditions)
    async with db.connection() as conn:
        total = await conn.fetchval(
            "SELECT count(*) FROM invoice_request r JOIN booking b ON b.id = r.booking "
            f"JOIN base bs ON bs.id = b.base JOIN member m ON m.id = bs.member WHERE {where}",
            *args,
        )
        records = await conn.fetch(
            f"{QUEUE_SELECT} WHERE {where} ORDER BY r.requested_at, r.id LIMIT {int(limit)} OFFSET {int(offset)}",
            *args,
        )
    return [_item(record) for record in records], total


async def member_choices(principal: Principal) -> list[tuple[str, str]]:
    """The members whose requests the principal handles, for the queue's filter."""
    args: list[Any] = []
    visible = policy.invoice_requests_visible(principal, "bs", args)
    async with db.connection() as conn:
        records = await conn.fetch(
            f"SELECT DISTINCT m.id, m.code, m.name_zh, m.name_en FROM member m JOIN base bs ON bs.member = m.id "
            f"WHERE {visible} ORDER BY m.code, m.id",
            *args,
        )
    return [(str(record["id"]), pick(record, "name")) for record in records]


async def get_request(principal: Principal, request_id: int) -> InvoiceQueueItem:
    args: list[Any] = [request_id]
    visible = policy.invoice_requests_visible(principal, "bs", args)
    async with db.connection() as conn:
        record = await conn.fetchrow(f"{QUEUE_SELECT} WHERE r.id = $1 AND {visible}", *args)
    if record is None:
        raise NotFound(_l("There is no fapiao request with this number among those you handle."))
    return _item(record)


def check_issued(data: InvoiceIssuedIn, requested_at: dt.datetime, now: dt.datetime) -> str:
    """The fapiao number as recorded, or InvalidInput naming what is wrong with the number or the date."""
    number = "".join(data.invoice_number.split())
    errors: dict[str, Any] = {}
    if not INVOICE_NUMBER.match(number):
        errors["invoice_number"] = _l(
            "A fapiao number has 20 digits (a paper fapiao: 8 digits). Copy it from the fapiao."
        )
    today = today_at(ALLIANCE_TIME_ZONE, now)
    asked_on = today_at(ALLIANCE_TIME_ZONE, requested_at)
    if data.issued_on > today:
        errors["issued_on"] = _l("The date of issue cannot be after today.")
    elif data.issued_on < asked_on:
        errors["issued_on"] = _l(
            "The date of issue cannot be before the request (%(date)s).", date=asked_on.isoformat()
        )
    if errors:
        raise InvalidInput(_l("Please correct the fields marked below."), field_errors=errors)
    return number


async def mark_issued(
    principal: Principal, request_id: int, data: InvoiceIssuedIn, *, now: dt.datetime, ip: str = ""
) -> InvoiceQueueItem:
    """Record the fapiao issued for an open request, at the amount it covers now; audited; the senior is told."""
    request = await get_request(principal, request_id)  # NotFound outside the principal's members
    if request.status != "requested":
        message = (
            _l("This request is already marked issued (fapiao %(number)s).", number=request.invoice_number)
            if request.status == "issued"
            else _l("This request was cancelled; there is nothing to issue.")
        )
        raise Conflict(message, code="invoice_not_open")
    number = check_issued(data, request.requested_at, now)
    async with db.connection() as conn, conn.transaction():
        try:
            row = await conn.fetchrow(
                f"""UPDATE invoice_request r SET status = 'issued', invoice_number = $2, issued_on = $3,
                        issued_at = $4, issued_by = $5, amount_fen = greatest({uninvoiced_sql("r.booking")}, 0)
                    WHERE r.id = $1 AND r.status = 'requested'
                    RETURNING r.amount_fen, (SELECT account FROM booking WHERE id = r.booking) AS account""",
                request_id,
                number,
                data.issued_on,
                now,
                principal.account_id,
            )
        except asyncpg.UniqueViolationError:
            message = _l("This fapiao number is already recorded for another request: check the number.")
            raise InvalidInput(message, field_errors={"invoice_number": message}) from None
        if row is None:  # issued or cancelled meanwhile
            raise Conflict(_l("This request changed meanwhile: look at it again."), code="invoice_not_open")
        await outbox.enqueue(
            conn,
            "fapiao_issued",
            row["account"],
            {
                "booking_id": request.booking_id,
                "reference": request.booking_reference,
                "invoice_number": number,
                "issued_on": data.issued_on.isoformat(),
                "amount_fen": row["amount_fen"],
                "email": request.email,
            },
            dedupe_key=f"fapiao_issued:{request_id}",
            deliver_after=now,
        )
        await audit.record(
            "invoice_issued",
            actor=principal,
            object_type="invoice_request",
            object_id=request_id,
            ip=ip,
            detail={"booking_id": request.booking_id, "invoice_number": number, "amount_fen": row["amount_fen"]},
            conn=conn,
            at=now,
        )
    return await get_request(principal, request_id)


async def cancel_if_refunded_in_full(conn: asyncpg.Connection, booking_id: int, *, now: dt.datetime) -> None:
    """A booking whose money all went back has nothing to invoice: its open request is cancelled with
    the reason shown to the senior and to finance (called when a refund is paid, in its transaction)."""
    cancelled = await conn.fetch(
        f"""UPDATE invoice_request r SET status = 'cancelled', cancelled_at = $2, cancel_reason = 'refunded_in_full',
                amount_fen = 0
            WHERE r.booking = $1 AND r.status = 'requested' AND {uninvoiced_sql("$1")} <= 0
            RETURNING r.id""",
        booking_id,
        now,
    )
    for record in cancelled:
        await audit.record(
            "invoice_cancelled",
            object_type="invoice_request",
            object_id=record["id"],
            detail={"booking_id": booking_id, "reason": "refunded_in_full"},
            conn=conn,
            at=now,
        )


def cancel_reason_label(code: str) -> str:
    return _("The booking was refunded in full.") if code == "refunded_in_full" else code


def status_label(status: str) -> str:
    return {"requested": _("Requested"), "issued": _("Issued"), "cancelled": _("Cancelled")}.get(status, status)


def kind_label(kind: str) -> str:
    return _("Company") if kind == "company" else _("Personal")


def _cell(text: str) -> str:
    """A typed-in text as a spreadsheet cell, never read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def queue_csv(items: list[InvoiceQueueItem]) -> bytes:
    """The queue for people: titles in the reader's language, amounts in yuan, dates in Beijing,
    UTF-8 with a byte-order mark so that spreadsheet programs read Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            _("Requested on"),
            _("Booking reference"),
            _("Member"),
            _("Base"),
            _("Title kind"),
            _("Title on the fapiao"),
            _("Tax number"),
            _("E-mail for the fapiao"),
            _("Amount (yuan)"),
            _("Status"),
            _("Fapiao number"),
            _("Date of issue"),
            _("Note"),
        ]
    )
    for item in items:
        note = cancel_reason_label(item.cancel_reason) if item.cancel_reason else ""
        if item.refunded_after_issue_fen:
            note = _("Refunded after issue: %(amount)s", amount=yuan(item.refunded_after_issue_fen))
        writer.writerow(
            [
                today_at(ALLIANCE_TIME_ZONE, item.requested_at).isoformat(),
                item.booking_reference,
                item.member_name,
                item.base_name,
                kind_label(item.title_kind),
                _cell(item.title),
                item.tax_number,
                _cell(item.email),
                f"{item.amount_fen // 100}.{item.amount_fen % 100:02d}",
                status_label(item.status),
                item.invoice_number,
                item.issued_on.isoformat() if item.issued_on else "",
                note,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
