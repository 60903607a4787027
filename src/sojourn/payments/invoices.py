"""Fapiao (发票) requests, the senior's side: she, or the hotline for her, asks for a fapiao with a
personal or company title; the trip page shows it 已申请 → 已开具. Finance's side (the queue, marking
issued) is ``invoice_queue``; issuing on the tax platform is out of Sojourn's scope.

What a request covers: the money paid for the booking and not refunded, less what fapiao already
issued for it cover. So one request may be open per booking at a time, and a booking paid in
instalments can ask again for money paid after its first fapiao was issued.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings.queries import fetch_booking
from sojourn.db.rows import rows
from sojourn.errors import Conflict, InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.payments import tax_numbers
from sojourn.payments.schemas import InvoiceRequestIn, InvoiceRequestOut


def uninvoiced_sql(booking: str) -> str:
    """SQL for the money of booking ``booking`` (an expression) that no issued fapiao covers yet."""
    return (
        f"(coalesce((SELECT sum(l.amount_fen) FROM ledger_entry l WHERE l.booking = {booking}"
        " AND l.kind IN ('payment', 'refund')), 0)"
        f" - coalesce((SELECT sum(i.amount_fen) FROM invoice_request i WHERE i.booking = {booking}"
        " AND i.status = 'issued'), 0))"
    )


# A request's amount: while open, what it would cover now (refunds since lower it); once issued or
# cancelled, what was recorded then.
REQUEST_COLUMNS = f"""
    r.id, r.booking AS booking_id, r.title_kind, r.title, r.tax_number, r.email, r.status, r.requested_at,
    r.invoice_number, r.issued_on, r.cancel_reason, r.requested_by <> b.account AS on_behalf,
    CASE WHEN r.status = 'requested' THEN greatest({uninvoiced_sql("r.booking")}, 0) ELSE r.amount_fen END
        AS amount_fen
"""

INSERT_SQL = f"""
INSERT INTO invoice_request (booking, requested_by, title_kind, title, tax_number, email, amount_fen, requested_at)
VALUES ($1, $2, $3, $4, $5, $6, {uninvoiced_sql("$1")}, $7)
RETURNING id
"""

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

TAX_NUMBER_PROBLEMS = {
    "length": _l("A tax number (统一社会信用代码) has 18 characters: check that none is missing or extra."),
    "characters": _l(
        "A tax number has only digits and capital letters, never I, O, Z, S or V: check the letters you typed."
    ),
    "check": _l("This tax number is not right: a character was mistyped. Copy it again from the company's papers."),
}


@dataclass(frozen=True)
class CheckedRequest:
    title_kind: str
    title: str
    tax_number: str
    email: str


def check_request(data: InvoiceRequestIn) -> CheckedRequest:
    """The request as it will be recorded, or InvalidInput naming each field that is wrong, in words."""
    kind = data.title_kind or ("company" if data.tax_number else "personal")
    tax_number = tax_numbers.normalise(data.tax_number or "")
    title = " ".join(data.title.split())
    errors: dict[str, Any] = {}
    if not title:
        errors["title"] = _l("Write the name to print on the fapiao.")
    if kind == "company":
        if not tax_number:
            errors["tax_number"] = _l("A company fapiao needs the company's tax number (统一社会信用代码).")
        elif problem := tax_numbers.problem(tax_number):
            errors["tax_number"] = TAX_NUMBER_PROBLEMS[problem]
    elif tax_number:
        errors["tax_number"] = _l("A personal fapiao has no tax number: leave it empty, or choose a company title.")
    email = (data.email or "").strip()
    if email and not EMAIL.match(email):
        errors["email"] = _l("Write the e-mail address like name@example.com, or leave it empty.")
    if errors:
        raise InvalidInput(_l("Please correct the fields marked below."), field_errors=errors)
    return CheckedRequest(kind, title, tax_number, email)


async def request_invoice(
    principal: Principal, booking_id: int, data: InvoiceRequestIn, *, now: dt.datetime, ip: str = ""
) -> InvoiceRequestOut:
    """Record the request for the money not yet covered by a fapiao; audited (on behalf, for the hotline)."""
    checked = check_request(data)
    async with db.connection() as conn, conn.transaction():
        booking = await fetch_booking(conn, principal, booking_id, policy.bookings_changeable)
        uninvoiced = await conn.fetchval(f"SELECT {uninvoiced_sql('$1')}", booking_id)
        if uninvoiced <= 0:
            paid = await conn.fetchval(
                "SELECT count(*) FROM ledger_entry WHERE booking = $1 AND kind = 'payment'", booking_id
            )
            message = (
                _l("Every payment for this booking already has a fapiao.")
                if paid
                else _l("Nothing has been paid for this booking yet: a fapiao can be asked for once it is paid.")
            )
            raise Conflict(message, code="not_invoiceable")
        try:
            request_id = await conn.fetchval(
                INSERT_SQL,
                booking_id,
                principal.account_id,
                checked.title_kind,
                checked.title,
                checked.tax_number,
                checked.email,
                now,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(
                _l("A fapiao was already asked for this booking; the trip page shows it. Call 96111 to change it."),
                code="invoice_already_requested",
            ) from None
        await audit.record(
            "invoice_requested",
            actor=principal,
            object_type="invoice_request",
            object_id=request_id,
            on_behalf_of=booking.account if booking.account != principal.account_id else None,
            ip=ip,
            detail={"booking_id": booking_id, "title_kind": checked.title_kind, "amount_fen": uninvoiced},
            conn=conn,
            at=now,
        )
        return (await requests_of(conn, booking_id, only=request_id))[0]


async def requests_of(conn: asyncpg.Connection, booking_id: int, *, only: int | None = None) -> list[InvoiceRequestOut]:
    """A booking's fapiao requests, oldest first (the caller has checked that the booking is visible)."""
    return rows(
        InvoiceRequestOut,
        await conn.fetch(
            f"SELECT {REQUEST_COLUMNS} FROM invoice_request r JOIN booking b ON b.id = r.booking "
            "WHERE r.booking = $1 AND ($2::int IS NULL OR r.id = $2) ORDER BY r.requested_at, r.id",
            booking_id,
            only,
        ),
    )


@dataclass(frozen=True)
class BookingFapiao:
    """What the trip page and the receipt show about fapiao: the requests, and whether she may ask."""

    requests: list[InvoiceRequestOut]
    uninvoiced_fen: int  # paid, not refunded, not covered by an issued fapiao
    can_request: bool


async def booking_fapiao(principal: Principal, booking_id: int) -> BookingFapiao:
    async with db.connection() as conn:
        await fetch_booking(conn, principal, booking_id)
        requests = await requests_of(conn, booking_id)
        uninvoiced = await conn.fetchval(f"SELECT {uninvoiced_sql('$1')}", booking_id)
    open_request = any(r.status == "requested" for r in requests)
    return BookingFapiao(requests, max(uninvoiced, 0), uninvoiced > 0 and not open_request)
