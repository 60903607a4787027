"""Feedback endpoints: travellers give and correct it, the public reads reviews, operators
reply and flag, admins hide. Parse, call one service, answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, delete, get, post, put
from litestar.params import FromPath, JSONBody, Parameter

from sojourn.accounts.guards import admins, bookers, operators, signed_in
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.feedback import entries, moderation, reviews
from sojourn.feedback.schemas import (
    BaseReviewsOut,
    BookingFeedbackOut,
    FeedbackEdit,
    FeedbackIn,
    FeedbackOut,
    HideIn,
    OperatorFeedbackOut,
    ReasonIn,
    ReplyIn,
)
from sojourn.web.client_ip import client_ip
from sojourn.web.pagination import Page
from sojourn.web.params import Limit, Offset

Caller = Request[Principal, Any, Any]
BaseFilter = Annotated[int | None, Parameter(ge=1, description="Only feedback on this base")]
FlaggedFilter = Annotated[bool | None, Parameter(description="Only feedback flagged (true) or not flagged (false)")]
HiddenFilter = Annotated[bool | None, Parameter(description="Only hidden (true) or published (false) feedback")]
ReviewLimit = Annotated[int, Parameter(ge=1, le=100, description="At most this many comments")]


@post(
    "/api/v1/bookings/{booking_id:int}/feedback",
    tags=["Feedback"],
    summary="Give feedback on a stay that has ended",
    guards=[bookers],
)
async def give_feedback(
    request: Caller,
    booking_id: FromPath[int],
    data: JSONBody[FeedbackIn],
    clock: NamedDependency[Clock],
) -> FeedbackOut:
    return await entries.give_feedback(request.user, booking_id, data, now=clock.now(), ip=client_ip(request))


@get(
    "/api/v1/bookings/{booking_id:int}/feedback",
    tags=["Feedback"],
    summary="The feedback given on a booking, and who can still give some",
    guards=[signed_in],
)
async def booking_feedback(
    request: Caller, booking_id: FromPath[int], clock: NamedDependency[Clock]
) -> BookingFeedbackOut:
    return await entries.booking_feedback(request.user, booking_id, now=clock.now())


@get(
    "/api/v1/feedback/{feedback_id:int}",
    tags=["Feedback"],
    summary="One feedback",
    guards=[signed_in],
)
async def get_feedback(request: Caller, feedback_id: FromPath[int], clock: NamedDependency[Clock]) -> FeedbackOut:
    return await entries.get_feedback(request.user, feedback_id, now=clock.now())


@put(
    "/api/v1/feedback/{feedback_id:int}",
    tags=["Feedback"],
    summary="Change feedback, within 14 days of giving it",
    guards=[bookers],
)
async def correct_feedback(
    request: Caller,
    feedback_id: FromPath[int],
    data: JSONBody[FeedbackEdit],
    clock: NamedDependency[Clock],
) -> FeedbackOut:
    return await entries.correct_feedback(request.user, feedback_id, data, now=clock.now(), ip=client_ip(request))


@get(
    "/api/v1/bases/{base_id:int}/reviews",
    tags=["Catalogue"],
    summary="A base's reviews: smoothed scores with counts, NPS, comments",
)
async def base_reviews(base_id: FromPath[int], limit: ReviewLimit = 20, offset: Offset = 0) -> BaseReviewsOut:
    return await reviews.base_reviews(base_id, limit=limit, offset=offset)


@get(
    "/api/v1/operator/feedback",
    tags=["Operators"],
    summary="Feedback on your bases, hidden ones included",
    guards=[operators],
)
async def operator_feedback(
    request: Caller,
    base_id: BaseFilter = None,
    flagged: FlaggedFilter = None,
    hidden: HiddenFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OperatorFeedbackOut]:
    items, total = await moderation.list_for_operators(
        request.user, base_id=base_id, flagged=flagged, hidden=hidden, limit=limit, offset=offset
    )
    return Page(items=items, total=total)


@post(
    "/api/v1/operator/feedback/{feedback_id:int}/reply",
    tags=["Operators"],
    summary="Publish or correct the base's reply under a comment",
    guards=[operators],
    status_code=200,
)
async def reply_to_feedback(
    request: Caller,
    feedback_id: FromPath[int],
    data: JSONBody[ReplyIn],
    clock: NamedDependency[Clock],
) -> OperatorFeedbackOut:
    return await moderation.reply_to_feedback(
        request.user, feedback_id, data.reply, now=clock.now(), ip=client_ip(request)
    )


@delete(
    "/api/v1/operator/feedback/{feedback_id:int}/reply",
    tags=["Operators"],
    summary="Take the base's reply down",
    guards=[operators],
    status_code=200,
)
async def remove_reply(request: Caller, feedback_id: FromPath[int]) -> OperatorFeedbackOut:
    return await moderation.remove_reply(request.user, feedback_id, ip=client_ip(request))


@post(
    "/api/v1/operator/feedback/{feedback_id:int}/flag",
    tags=["Operators"],
    summary="Ask an admin to look at abusive feedback",
    guards=[operators],
    status_code=200,
)
async def flag_feedback(
    request: Caller, feedback_id: FromPath[int], data: JSONBody[ReasonIn | None] = None
) -> OperatorFeedbackOut:
    return await moderation.flag_feedback(request.user, feedback_id, data.reason if data else "", ip=client_ip(request))


@post(
    "/api/v1/admin/feedback/{feedback_id:int}/hide",
    tags=["Admin"],
    summary="Hide feedback from the public page and the scores",
    guards=[admins],
    status_code=200,
)
async def hide_feedback(request: Caller, feedback_id: FromPath[int], data: JSONBody[HideIn]) -> OperatorFeedbackOut:
    return await moderation.hide_feedback(request.user, feedback_id, data.reason, ip=client_ip(request))


@post(
    "/api/v1/admin/feedback/{feedback_id:int}/unhide",
    tags=["Admin"],
    summary="Publish hidden feedback again",
    guards=[admins],
    status_code=200,
)
async def unhide_feedback(
    request: Caller, feedback_id: FromPath[int], data: JSONBody[ReasonIn | None] = None
) -> OperatorFeedbackOut:
    return await moderation.unhide_feedback(
        request.user, feedback_id, data.reason if data else "", ip=client_ip(request)
    )


@post(
    "/api/v1/admin/feedback/{feedback_id:int}/dismiss-flag",
    tags=["Admin"],
    summary="Clear an abuse flag without hiding the feedback",
    guards=[admins],
    status_code=200,
)
async def dismiss_flag(
    request: Caller, feedback_id: FromPath[int], data: JSONBody[ReasonIn | None] = None
) -> OperatorFeedbackOut:
    return await moderation.dismiss_flag(request.user, feedback_id, data.reason if data else "", ip=client_ip(request))


ROUTES = [
    give_feedback,
    booking_feedback,
    get_feedback,
    correct_feedback,
    base_reviews,
    operator_feedback,
    reply_to_feedback,
    remove_reply,
    flag_feedback,
    hide_feedback,
    unhide_feedback,
    dismiss_flag,
]
