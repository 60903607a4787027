"""Fapiao (发票) requests: the senior, or the hotline for her, asks; finance issues the fapiao on the
tax platform and marks the request issued. Issuing itself is out of Sojourn's scope."""

from __future__ import annotations

import datetime as dt

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bookings import states
from sojourn.bookings.queries import fetch_booking
from sojourn.errors import Conflict
from sojourn.i18n import lazy_gettext as _l
from sojourn.payments.schemas import InvoiceRequestIn, InvoiceRequestOut

INSERT_SQL = """
INSERT INTO invoice_request (booking, requested_by, title_kind, title, tax_number, email, amount_fen, requested_at)
VALUES ($1, $2, $3, $4, $5, $6,
        coalesce((SELECT sum(amount_fen) FROM ledger_entry WHERE booking = $1 AND kind IN ('payment', 'refund')), 0), $7)
RETURNING *
"""


async def request_invoice(
    principal: Principal, booking_id: int, data: InvoiceRequestIn, *, now: dt.datetime
) -> InvoiceRequestOut:
    """Record the request; the amount is what has been paid and not refunded so far (finance issues on that)."""
    async with db.connection() as conn:
        booking = await fetch_booking(conn, principal, booking_id, policy.bookings_changeable)
        if states.has_run_out(booking.status, booking.hold_expires_at, now):
            raise Conflict(_l("This hold has run out; there is nothing to invoice."), code="not_invoiceable")
        kind = "company" if data.tax_number else "personal"
        try:
            row = await conn.fetchrow(
                INSERT_SQL,
                booking_id,
                principal.account_id,
                kind,
                data.title.strip(),
                data.tax_number or "",
                data.email or "",
                now,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(
                _l("A fapiao was already requested for this booking. Call 96111 to change it."),
                code="invoice_already_requested",
            ) from None
    assert row is not None  # INSERT ... RETURNING
    return InvoiceRequestOut(
        id=row["id"],
        booking_id=booking_id,
        title_kind=row["title_kind"],
        title=row["title"],
        tax_number=row["tax_number"],
        email=row["email"],
        amount_fen=row["amount_fen"],
        status=row["status"],
        requested_at=row["requested_at"],
    )
