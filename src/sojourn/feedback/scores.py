"""Base scores from feedback: smoothed ratings and NPS.

The arithmetic is pure (``smoothed_mean``, ``net_promoter_score``, ``summarise``) so it can be
checked by hand; ``base_scores`` reads everything it needs in one grouped query and is shared
by the public reviews page and the coordinators' statistics.

Hidden feedback (an admin judged it abusive or not genuine) counts nowhere: not in a base's
scores and not in the alliance mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sojourn import db
from sojourn.db import rows
from sojourn.feedback.rows import BaseScoreTotals
from sojourn.feedback.schemas import AspectScores, BaseScoresOut, NpsOut, ScoreOut
from sojourn.feedback.tables import RATING_ASPECTS

# Bayesian smoothing: every base starts as if it already had PRIOR_WEIGHT reviews at the
# alliance mean, so score = (C·m + Σx) / (C + n). With 2 reviews a base moves only 2/12 of
# the way from the alliance mean towards its own mean; with 10 reviews halfway; with 90,
# 90%. Ten is roughly one small group's stay: fewer reviews than that say more about who
# happened to write than about the base, and a single 5-star review cannot top the list.
PRIOR_WEIGHT = 10

# NPS rests on few answers more shakily than a mean does (it counts the extremes only):
# below this many answers it is shown with nps_reliable = false.
NPS_MIN_ANSWERS = 30

PROMOTER_MIN = 9  # 9 and 10
DETRACTOR_MAX = 6  # 0 to 6

# The alliance mean when nobody anywhere has rated yet: the middle of the 1–5 scale. It
# only ever shows up in bases without reviews, whose score is not shown anyway.
NEUTRAL_RATING = 3.0


def smoothed_mean(total: float, count: int, prior_mean: float, prior_weight: float = PRIOR_WEIGHT) -> float:
    """(C·m + Σx) / (C + n): the base's mean pulled towards ``prior_mean`` when ``count`` is small."""
    if count < 0 or prior_weight < 0 or count + prior_weight == 0:
        raise ValueError("count and prior_weight must be non-negative and not both zero")
    return (prior_weight * prior_mean + total) / (prior_weight + count)


def nps_group(answer: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if answer >= PROMOTER_MIN:
        return "promoter"
    if answer <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


def net_promoter_score(promoters: int, detractors: int, answers: int) -> float | None:
    """% promoters − % detractors, from −100 to 100; None without answers."""
    if answers == 0:
        return None
    if promoters < 0 or detractors < 0 or promoters + detractors > answers:
        raise ValueError("promoters and detractors must fit within the answers")
    return 100.0 * (promoters - detractors) / answers


def nps_of(answers: Iterable[int]) -> NpsOut:
    """The NPS summary of a list of 0–10 answers (what the grouped query counts in SQL)."""
    groups = [nps_group(answer) for answer in answers]
    return nps_summary(groups.count("promoter"), groups.count("detractor"), len(groups))


def nps_summary(promoters: int, detractors: int, answers: int) -> NpsOut:
    score = net_promoter_score(promoters, detractors, answers)
    return NpsOut(
        score=None if score is None else round(score, 1),
        answers=answers,
        promoters=promoters,
        passives=answers - promoters - detractors,
        detractors=detractors,
        reliable=answers >= NPS_MIN_ANSWERS,
    )


@dataclass(frozen=True)
class RatingTotals:
    """Sums of each aspect's ratings over ``count`` reviews, and the NPS counts among them."""

    count: int
    sums: Mapping[str, float]
    promoters: int = 0
    detractors: int = 0

    @property
    def overall_sum(self) -> float:
        """Σ over reviews of each review's mean over the aspects."""
        return sum(self.sums.get(aspect, 0) for aspect in RATING_ASPECTS) / len(RATING_ASPECTS)

    def mean(self, aspect: str) -> float | None:
        return self.sums.get(aspect, 0) / self.count if self.count else None


def alliance_means(alliance: RatingTotals) -> dict[str, float]:
    """The prior m per aspect and overall: the alliance-wide mean (neutral when nobody rated)."""
    if alliance.count == 0:
        return {**{aspect: NEUTRAL_RATING for aspect in RATING_ASPECTS}, "overall": NEUTRAL_RATING}
    means = {aspect: alliance.sums.get(aspect, 0) / alliance.count for aspect in RATING_ASPECTS}
    means["overall"] = alliance.overall_sum / alliance.count
    return means


def _score(total: float, count: int, prior: float, prior_weight: int) -> ScoreOut:
    if count == 0:
        return ScoreOut(score=None, average=None, count=0)
    return ScoreOut(
        score=round(smoothed_mean(total, count, prior, prior_weight), 2),
        average=round(total / count, 2),
        count=count,
    )


def summarise(
    base_id: int, base: RatingTotals, alliance: RatingTotals, prior_weight: int = PRIOR_WEIGHT
) -> BaseScoresOut:
    """A base's scores from its own totals and the alliance's (which include the base's)."""
    prior = alliance_means(alliance)
    aspects = {
        aspect: _score(base.sums.get(aspect, 0), base.count, prior[aspect], prior_weight) for aspect in RATING_ASPECTS
    }
    nps = nps_summary(base.promoters, base.detractors, base.count)
    return BaseScoresOut(
        base_id=base_id,
        review_count=base.count,
        overall=_score(base.overall_sum, base.count, prior["overall"], prior_weight),
        aspects=AspectScores(**aspects),
        nps=nps,
        nps_reliable=nps.reliable,
        prior_weight=prior_weight,
    )


_SUMS = ", ".join(f"sum(f.{aspect}) AS {aspect}" for aspect in RATING_ASPECTS)
_ALLIANCE_SUMS = ", ".join(f"sum(p.{aspect}) AS {aspect}" for aspect in RATING_ASPECTS)
_BASE_COLUMNS = ", ".join(f"p.{aspect}" for aspect in RATING_ASPECTS)
_ALLIANCE_COLUMNS = ", ".join(f"a.{aspect} AS all_{aspect}" for aspect in RATING_ASPECTS)

# One pass over feedback grouped by base; the alliance totals are the sum of those groups.
# Bases without feedback come out with count 0, so every requested base gets an answer.
BASE_SCORES_SQL = f"""
WITH per_base AS (
    SELECT f.base, count(*) AS n, {_SUMS},
           count(*) FILTER (WHERE f.nps >= {PROMOTER_MIN}) AS promoters,
           count(*) FILTER (WHERE f.nps <= {DETRACTOR_MAX}) AS detractors
    FROM feedback f
    WHERE NOT f.hidden
    GROUP BY f.base
), alliance AS (
    SELECT coalesce(sum(p.n), 0) AS n, {_ALLIANCE_SUMS} FROM per_base p
)
SELECT b.id AS base_id, coalesce(p.n, 0) AS n, {_BASE_COLUMNS},
       coalesce(p.promoters, 0) AS promoters, coalesce(p.detractors, 0) AS detractors,
       a.n AS all_n, {_ALLIANCE_COLUMNS}
FROM base b
LEFT JOIN per_base p ON p.base = b.id
CROSS JOIN alliance a
WHERE $1::int[] IS NULL OR b.id = ANY($1::int[])
ORDER BY b.id
"""


def _totals(row: BaseScoreTotals, prefix: str = "") -> RatingTotals:
    """The base's totals, or with ``prefix="all_"`` the alliance's (which carry no NPS counts)."""
    count = getattr(row, f"{prefix}n") or 0
    return RatingTotals(
        count=int(count),
        sums={aspect: float(getattr(row, f"{prefix}{aspect}") or 0) for aspect in RATING_ASPECTS},
        promoters=int(row.promoters) if not prefix else 0,
        detractors=int(row.detractors) if not prefix else 0,
    )


async def base_scores(base_ids: Iterable[int] | None = None) -> dict[int, BaseScoresOut]:
    """Scores of the given bases (all bases when None), keyed by base id, in one query.

    Unknown ids are simply absent from the answer.
    """
    ids = None if base_ids is None else sorted(set(base_ids))
    async with db.connection() as conn:
        totals = rows.rows(BaseScoreTotals, await conn.fetch(BASE_SCORES_SQL, ids))
    return {row.base_id: summarise(row.base_id, _totals(row), _totals(row, "all_")) for row in totals}
