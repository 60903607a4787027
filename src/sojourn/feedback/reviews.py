"""A base's public reviews: smoothed scores with their counts, NPS with its reliability
flag, and the published comments with the base's replies. No sign-in; nothing that names
or reaches a person (masked names, long numbers masked in comments)."""

from __future__ import annotations

from sojourn import db
from sojourn.bases import services as bases
from sojourn.db import rows
from sojourn.feedback.masking import mask_numbers, public_name
from sojourn.feedback.rows import PublishedReview
from sojourn.feedback.schemas import BaseReviewsOut, ReviewOut
from sojourn.feedback.scores import base_scores
from sojourn.feedback.tables import RATING_ASPECTS

_REVIEW_MEAN = "(" + " + ".join(f"f.{aspect}" for aspect in RATING_ASPECTS) + f")::numeric / {len(RATING_ASPECTS)}"

# Published: not hidden, and with something written (ratings alone show in the scores only).
PUBLISHED_SQL = f"""
SELECT count(*) OVER () AS total_count, f.id, f.comment, f.created_at, f.reply, f.replied_at,
       round({_REVIEW_MEAN}, 1) AS rating, tr.name AS traveller_name, b.arrival
FROM feedback f JOIN booking b ON b.id = f.booking JOIN traveller tr ON tr.id = f.traveller
WHERE f.base = $1 AND NOT f.hidden AND f.comment <> ''
ORDER BY f.created_at DESC, f.id DESC
LIMIT $2 OFFSET $3
"""


def review_out(row: PublishedReview) -> ReviewOut:
    return ReviewOut(
        id=row.id,
        author=public_name(row.traveller_name),
        stayed_in=row.arrival.strftime("%Y-%m"),
        rating=float(row.rating),
        comment=mask_numbers(row.comment),
        created_at=row.created_at,
        reply=row.reply,
        replied_at=row.replied_at if row.reply else None,
    )


async def base_reviews(base_id: int, *, limit: int = 20, offset: int = 0) -> BaseReviewsOut:
    await bases.get_base(base_id)  # 404 for unknown and not-yet-admitted bases
    scores = (await base_scores([base_id]))[base_id]
    async with db.connection() as conn:
        published = rows.rows(PublishedReview, await conn.fetch(PUBLISHED_SQL, base_id, limit, offset))
    return BaseReviewsOut(
        base_id=base_id,
        review_count=scores.review_count,
        overall=scores.overall,
        aspects=scores.aspects,
        nps=scores.nps,
        nps_reliable=scores.nps_reliable,
        prior_weight=scores.prior_weight,
        items=[review_out(row) for row in published],
        total=published[0].total_count if published else 0,
    )
