"""Feedback after a stay (``/trips/{id}/feedback``): one form per traveller, ratings 1–5 with
words, "would you recommend it" 0–10, a comment; changeable for 14 days (``entries``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, Parameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.bookings import queries
from sojourn.bookings.pages import booker_page
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.feedback import entries
from sojourn.feedback.schemas import FeedbackEdit, FeedbackIn
from sojourn.feedback.tables import RATING_ASPECTS
from sojourn.i18n import gettext as _
from sojourn.web.sign_in import after_sign_in

TravellerParam = Annotated[int | None, Parameter(ge=1)]


def _form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {aspect: form.get(aspect, "") for aspect in RATING_ASPECTS}
    values["nps"] = form.get("nps", "")
    values["comment"] = form.get("comment", "")
    return values


def _body(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    ratings: dict[str, int] = {}
    for aspect in RATING_ASPECTS:
        raw = values.get(aspect, "")
        if raw in ("1", "2", "3", "4", "5"):
            ratings[aspect] = int(raw)
        else:
            errors[aspect] = _("Choose how it was, from 1 (very poor) to 5 (very good).")
    nps = values.get("nps", "")
    if nps not in {str(n) for n in range(11)}:
        errors["nps"] = _("Choose a number from 0 (surely not) to 10 (surely yes).")
    comment = str(values.get("comment", ""))
    if len(comment) > 2000:
        errors["comment"] = _("Use at most %(n)s characters.", n=2000)
    return {"ratings": ratings, "nps": int(nps) if not errors.get("nps") else 0, "comment": comment}, errors


async def _page(
    request: Request[Any, Any, Any],
    booking_id: int,
    traveller: int | None,
    settings: Settings,
    now: Any,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Template:
    principal = request.user
    booking = await queries.get_booking(principal, booking_id, now=now, settings=settings)
    given = await entries.booking_feedback(principal, booking_id, now=now)
    by_traveller = {item.traveller_id: item for item in given.items}
    missing = [t.id for t in given.travellers_without_feedback]
    people = [t.id for t in booking.travellers]
    chosen = traveller if traveller in people else (missing[0] if missing else people[0])
    existing = by_traveller.get(chosen)
    if values is None:
        values = {"nps": "", "comment": ""}
        if existing is not None:
            values = {**msgspec.structs.asdict(existing.ratings), "nps": existing.nps, "comment": existing.comment}
    return Template(
        "feedback/feedback.html",
        context={
            "booking": booking,
            "given": given,
            "by_traveller": by_traveller,
            "chosen": chosen,
            "chosen_name": next(t.name for t in booking.travellers if t.id == chosen),
            "existing": existing,
            "can_write": (existing.editable if existing else given.can_give_feedback and chosen in missing),
            "values": {key: str(value) for key, value in values.items()},
            "errors": errors or {},
            "problem": problem,
            "aspects": RATING_ASPECTS,
        },
        status_code=status,
    )


@get("/trips/{booking_id:int}/feedback", include_in_schema=False, guards=[booker_page])
async def feedback_page(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    traveller: TravellerParam = None,
) -> Template | Redirect:
    return await _page(request, booking_id, traveller, settings, clock.now())


@post(
    "/trips/{booking_id:int}/feedback/{traveller_id:int}",
    include_in_schema=False,
    status_code=303,
    guards=[booker_page],
    opt=after_sign_in("/trips/{booking_id}/feedback?traveller={traveller_id}"),
)
async def save_feedback(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    traveller_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    principal = request.user
    now = clock.now()
    values = _form_values(await request.form())
    body, errors = _body(values)
    if errors:
        return await _page(request, booking_id, traveller_id, settings, now, values=values, errors=errors, status=400)
    given = await entries.booking_feedback(principal, booking_id, now=now)
    existing = next((item for item in given.items if item.traveller_id == traveller_id), None)
    try:
        if existing is not None:
            await entries.correct_feedback(principal, existing.id, msgspec.convert(body, FeedbackEdit), now=now)
        else:
            await entries.give_feedback(
                principal, booking_id, msgspec.convert({**body, "traveller_id": traveller_id}, FeedbackIn), now=now
            )
    except DomainError as refused:
        fields = {key: str(value) for key, value in refused.field_errors.items()}
        return await _page(
            request,
            booking_id,
            traveller_id,
            settings,
            now,
            values=values,
            errors=fields,
            problem=str(refused.message),
            status=refused.status,
        )
    flash(request, _("Thank you! Your feedback is saved. You can change it for 14 days."), "ok")
    remaining = [t.id for t in given.travellers_without_feedback if t.id != traveller_id]
    target = f"/trips/{booking_id}/feedback" + (
        f"?traveller={remaining[0]}" if remaining else f"?traveller={traveller_id}"
    )
    return Redirect(target, status_code=303)


ROUTES = [feedback_page, save_feedback]
