"""Exchange balance: bed-nights of interactive trips each member sent to and received from another.

The sender is the member whose quota the travellers used (``booking.origin_member``), the
receiver the member that owns the base. A member's own travellers at its own bases are not an
exchange and are left out. Each pair is one row, seen from the lower member id's side, or from
the side of the coordinator's (or the filter's) member.
"""

from __future__ import annotations

from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.db import rows
from sojourn.localized import pick
from sojourn.stats.filters import StatsFilter
from sojourn.stats.rollups import FLOW_ROWS
from sojourn.stats.rows import ExchangeLeg, MemberName
from sojourn.stats.schemas import ExchangeOut

LEGS_SQL = f"""
SELECT r.origin_member AS sender, r.destination_member AS receiver,
       sum(r.travellers)::int AS travellers, sum(r.bed_nights)::int AS bed_nights
FROM {FLOW_ROWS} r
WHERE r.mode = 'interactive' AND r.origin_member <> 0 AND r.origin_member <> r.destination_member
  AND {{conditions}}
GROUP BY 1, 2
"""


async def exchange_balance(principal: Principal, filters: StatsFilter) -> list[ExchangeOut]:
    args: list[Any] = []
    period = StatsFilter(filters.start, filters.end).period_sql("r", args)
    clauses = [period, policy.stats_member_pairs_visible(principal, "r.origin_member", "r.destination_member", args)]
    if filters.member_id:
        args.append(filters.member_id)
        clauses.append(f"(r.origin_member = ${len(args)} OR r.destination_member = ${len(args)})")
    async with db.connection() as conn:
        legs = rows.rows(ExchangeLeg, await conn.fetch(LEGS_SQL.format(conditions=" AND ".join(clauses)), *args))
        ids = sorted({leg.sender for leg in legs} | {leg.receiver for leg in legs})
        named = rows.rows(MemberName, await conn.fetch("SELECT * FROM member WHERE id = ANY($1::int[])", ids))
        members = {member.id: member for member in named}
    preferred = {filters.member_id} if filters.member_id else set(principal.member_ids)
    pairs: dict[tuple[int, int], dict[str, int]] = {}
    for leg in legs:
        sender, receiver = leg.sender, leg.receiver
        if receiver in preferred and sender not in preferred:
            side, partner = receiver, sender
        elif sender in preferred and receiver not in preferred:
            side, partner = sender, receiver
        else:
            side, partner = min(sender, receiver), max(sender, receiver)
        totals = pairs.setdefault((side, partner), {"st": 0, "rt": 0, "sb": 0, "rb": 0})
        if sender == side:
            totals["st"] += leg.travellers
            totals["sb"] += leg.bed_nights
        else:
            totals["rt"] += leg.travellers
            totals["rb"] += leg.bed_nights
    out = []
    for (side, partner), totals in sorted(pairs.items()):
        if not any(totals.values()):
            continue
        out.append(
            ExchangeOut(
                member_id=side,
                member_code=members[side].code,
                member_name=pick(members[side], "name"),
                partner_id=partner,
                partner_code=members[partner].code,
                partner_name=pick(members[partner], "name"),
                sent_travellers=totals["st"],
                received_travellers=totals["rt"],
                sent_bed_nights=totals["sb"],
                received_bed_nights=totals["rb"],
                balance_bed_nights=totals["sb"] - totals["rb"],
            )
        )
    return out
