"""Satisfaction and NPS per base and per member, from the feedback rollup.

The arithmetic is feedback.scores' own (``summarise``: smoothing towards the alliance mean,
NPS with its reliability flag), fed with monthly totals so periods and modes can be chosen.
Without filters the result is exactly ``feedback.scores.base_scores``. The alliance mean that
scores are smoothed towards covers all bases in the period, whoever is asking: a coordinator
limited to some members sees the same score for a base as everyone else.
"""

from __future__ import annotations

from typing import Any

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.db import rows
from sojourn.feedback.scores import RatingTotals, summarise
from sojourn.feedback.tables import RATING_ASPECTS
from sojourn.localized import pick
from sojourn.stats.filters import StatsFilter
from sojourn.stats.rows import BaseOfMember, FeedbackTotals
from sojourn.stats.schemas import SatisfactionOut

_SUMS = ", ".join(f"coalesce(sum(r.{aspect}), 0)::bigint AS {aspect}" for aspect in RATING_ASPECTS)

TOTALS_SQL = f"""
SELECT r.base_id, coalesce(sum(r.reviews), 0)::int AS n, {_SUMS},
       coalesce(sum(r.promoters), 0)::int AS promoters, coalesce(sum(r.detractors), 0)::int AS detractors
FROM stats_feedback_month r
WHERE {{period}}
GROUP BY r.base_id
"""

BASES_SQL = """
SELECT bs.id, bs.name_zh, bs.name_en, bs.member, m.name_zh AS member_name_zh, m.name_en AS member_name_en
FROM base bs JOIN member m ON m.id = bs.member
WHERE {conditions}
ORDER BY bs.id
"""


def _totals(bases: list[FeedbackTotals]) -> RatingTotals:
    return RatingTotals(
        count=sum(row.n for row in bases),
        sums={aspect: float(sum(getattr(row, aspect) for row in bases)) for aspect in RATING_ASPECTS},
        promoters=sum(row.promoters for row in bases),
        detractors=sum(row.detractors for row in bases),
    )


def _out(group: str, ident: int, name: str, member_id: int, totals: RatingTotals, alliance: RatingTotals):
    scores = summarise(ident, totals, alliance)
    return SatisfactionOut(
        group=group,
        id=ident,
        name=name,
        member_id=member_id,
        review_count=scores.review_count,
        overall=scores.overall,
        aspects=scores.aspects,
        nps=scores.nps,
        nps_reliable=scores.nps_reliable,
        prior_weight=scores.prior_weight,
    )


async def satisfaction(principal: Principal, filters: StatsFilter, group: str = "base") -> list[SatisfactionOut]:
    """Per base (``group="base"``) or per member (its bases together)."""
    period_args: list[Any] = []
    period = filters.period_sql("r", period_args)
    base_args: list[Any] = []
    conditions = " AND ".join(
        (filters.base_sql("bs", base_args), policy.stats_bases_visible(principal, "bs", base_args))
    )
    async with db.connection() as conn:
        totals = rows.rows(FeedbackTotals, await conn.fetch(TOTALS_SQL.format(period=period), *period_args))
        bases = rows.rows(BaseOfMember, await conn.fetch(BASES_SQL.format(conditions=conditions), *base_args))
    per_base = {row.base_id: row for row in totals}
    alliance = _totals(list(per_base.values()))
    if group == "member":
        by_member: dict[int, list[BaseOfMember]] = {}
        for base in bases:
            by_member.setdefault(base.member, []).append(base)
        return [
            _out(
                "member",
                member_id,
                pick(members_bases[0], "member_name"),
                member_id,
                _totals([per_base[b.id] for b in members_bases if b.id in per_base]),
                alliance,
            )
            for member_id, members_bases in sorted(by_member.items())
        ]
    return [
        _out(
            "base",
            base.id,
            pick(base, "name"),
            base.member,
            _totals([per_base[base.id]] if base.id in per_base else []),
            alliance,
        )
        for base in bases
    ]
