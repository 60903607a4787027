"""A tour's payment terms and the prepayment caps that apply to it, read and saved.

The caps are those of the province where the base is (the member whose code is the base's
province); a base in a province that is not a member falls back to its own member's rules.
Terms that would let a booking break them are refused when saved, naming the limit.
"""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from sojourn.db import rows
from sojourn.errors import NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.payments.schedules import (
    FULL_AT_BOOKING,
    NO_LIMITS,
    PaymentTerms,
    PrepaymentLimits,
    check_terms_within_limits,
    monthly_fee_fen,
)
from sojourn.tours.pricing import traveller_price_fen

LIMITS_SQL = """
SELECT r.max_prepaid_months, r.deposit_cap_months, r.source, m.name_zh, m.name_en
FROM base b
JOIN member m ON m.id = coalesce((SELECT id FROM member WHERE code = b.province_code), b.member)
JOIN prepayment_rule r ON r.member = m.id
WHERE b.id = $1
"""


async def limits_for_base(conn: asyncpg.Connection, base_id: int) -> PrepaymentLimits:
    row = await conn.fetchrow(LIMITS_SQL, base_id)
    if row is None:
        return NO_LIMITS
    return PrepaymentLimits(
        region=pick(row, "name"),
        max_prepaid_months=row["max_prepaid_months"],
        deposit_cap_months=row["deposit_cap_months"],
        source=row["source"],
    )


async def terms_for_tour(conn: asyncpg.Connection, tour_id: int) -> PaymentTerms:
    row = await conn.fetchrow(
        "SELECT balance_days_before, deposit_fen, deposit_percent FROM tour_payment_terms WHERE tour = $1", tour_id
    )
    return PaymentTerms(**dict(row)) if row else FULL_AT_BOOKING


class TourToPrice(msgspec.Struct, frozen=True):
    """What the caps need of a tour (``tour`` row): its base, its dates and its prices."""

    base: int
    mode: str
    starts_on: dt.date
    ends_on: dt.date
    max_nights: int | None
    monthly_price_fen: int | None
    package_price_fen: int | None


def longest_stay(tour: TourToPrice) -> tuple[int, int, int]:
    """(nights, price for one traveller, monthly bed fee) of the longest stay a tour sells."""
    window = (tour.ends_on - tour.starts_on).days
    nights = min(tour.max_nights or window, window) if tour.mode == "migratory" else window
    fee = monthly_fee_fen(
        monthly_price_fen=tour.monthly_price_fen, package_price_fen=tour.package_price_fen, nights=nights
    )
    return nights, traveller_price_fen(tour, nights), fee


async def set_tour_terms(conn: asyncpg.Connection, tour_id: int, terms: PaymentTerms) -> PaymentTerms:
    """Save a tour's terms if its longest stay keeps within its province's caps (else PrepaymentCapExceeded)."""
    record = await conn.fetchrow("SELECT * FROM tour WHERE id = $1 FOR UPDATE", tour_id)
    if record is None:
        raise NotFound(_l("There is no tour with this number, or it is no longer offered."))
    tour = rows.row(TourToPrice, record)
    _, price, fee = longest_stay(tour)
    limits = await limits_for_base(conn, tour.base)
    check_terms_within_limits(terms, longest_stay_price_fen=price, monthly_fee_fen=fee, limits=limits)
    await conn.execute(
        "INSERT INTO tour_payment_terms (tour, balance_days_before, deposit_fen, deposit_percent, updated_at) "
        "VALUES ($1, $2, $3, $4, now()) ON CONFLICT (tour) DO UPDATE SET balance_days_before = EXCLUDED.balance_days_before, "
        "deposit_fen = EXCLUDED.deposit_fen, deposit_percent = EXCLUDED.deposit_percent, updated_at = now()",
        tour_id,
        terms.balance_days_before,
        terms.deposit_fen,
        terms.deposit_percent,
    )
    return terms


async def set_prepayment_rule(
    conn: asyncpg.Connection,
    member_id: int,
    *,
    max_prepaid_months: int | None,
    deposit_cap_months: int | None,
    source: str = "",
) -> None:
    await conn.execute(
        "INSERT INTO prepayment_rule (member, max_prepaid_months, deposit_cap_months, source) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (member) DO UPDATE SET max_prepaid_months = EXCLUDED.max_prepaid_months, "
        "deposit_cap_months = EXCLUDED.deposit_cap_months, source = EXCLUDED.source, updated_at = now()",
        member_id,
        max_prepaid_months,
        deposit_cap_months,
        source,
    )
