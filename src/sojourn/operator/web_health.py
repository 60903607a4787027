"""Console pages for health reviews: the queue (filters: base, tour, status, risk), one
declaration with who has read it, and the decision (accept, ask for more, decline with a
note). The health context's own services do the work and the auditing."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, Parameter
from litestar.response import Redirect, Template

from sojourn.accounts.guards import operators
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.health import deadlines, review
from sojourn.health.schemas import Decision, ReviewIn
from sojourn.health.tables import DeclarationStatus, Risk
from sojourn.i18n import gettext as _
from sojourn.operator.bases import operated_bases
from sojourn.operator.declaration_trail import reading_trail
from sojourn.operator.pages import Caller, choose_base, done, errors_of, page
from sojourn.tours import management
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form
from sojourn.web.params import Offset
from sojourn.web.sign_in import signed_in_page

BaseId = Annotated[int | None, Parameter(ge=1, description="Only this base")]
TourId = Annotated[int | None, Parameter(ge=1, description="Only this tour")]
StatusFilter = Annotated[DeclarationStatus | None, Parameter(description="Only this status")]
RiskFilter = Annotated[Risk | None, Parameter(description="Only this risk")]
Missing = Annotated[bool, Parameter(description="Travellers who did not send it in time")]
PAGE_SIZE = 50


class ReviewForm(msgspec.Struct):
    decision: Decision
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


# The pages a message links to send a visitor to sign in and back, never to a bare 401.
@get("/operator/declarations", include_in_schema=False, guards=[signed_in_page, operators])
async def queue_page(
    request: Caller,
    clock: NamedDependency[Clock],
    base_id: BaseId = None,
    tour_id: TourId = None,
    status: StatusFilter = None,
    risk: RiskFilter = None,
    missing: Missing = False,
    offset: Offset = 0,
) -> Template:
    bases = await operated_bases(request.user)
    base = None
    if base_id is not None:
        bases, base = await choose_base(request.user, base_id)
    if missing:
        items, total = await deadlines.missing_declarations(
            request.user, now=clock.now(), base_id=base_id, tour_id=tour_id, limit=PAGE_SIZE, offset=offset
        )
    else:
        items, total = await review.review_queue(
            request.user,
            now=clock.now(),
            base_id=base_id,
            tour_id=tour_id,
            status=status.value if status else None,
            risk=risk.value if risk else None,
            limit=PAGE_SIZE,
            offset=offset,
        )
    tours, _total = await management.list_tours(
        request.user, now=clock.now(), base_id=base_id, include_past=True, limit=200
    )
    filters = {
        "base_id": base_id or "",
        "tour_id": tour_id or "",
        "status": status.value if status else "",
        "risk": risk.value if risk else "",
        "missing": "true" if missing else "",
    }
    return page(
        "declarations.html",
        section="declarations",
        bases=bases,
        base=base,
        items=items,
        total=total,
        tours=tours,
        filters=filters,
        offset=offset,
        page_size=PAGE_SIZE,
        missing=missing,
    )


async def _declaration_page(
    request: Caller,
    declaration_id: int,
    keyring: KeyRing,
    clock: Clock,
    *,
    errors: dict[str, str],
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    declaration = await review.read_declaration(
        request.user, declaration_id, keyring=keyring, now=clock.now(), ip=client_ip(request)
    )
    bases, base = await choose_base(request.user, declaration.base_id)
    return page(
        "declaration.html",
        status_code=status_code,
        section="declarations",
        bases=bases,
        base=base,
        declaration=declaration,
        trail=await reading_trail(declaration_id),
        errors=errors,
        values=values or {},
    )


@get("/operator/declarations/{declaration_id:int}", include_in_schema=False, guards=[signed_in_page, operators])
async def declaration_page(
    request: Caller, declaration_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Template:
    return await _declaration_page(request, declaration_id, keyring, clock, errors={})


@post(
    "/operator/declarations/{declaration_id:int}/review", include_in_schema=False, guards=[operators], status_code=303
)
async def review_declaration(
    request: Caller,
    declaration_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Template | Redirect:
    try:
        form = await read_form(request, ReviewForm)
        await review.review_declaration(
            request.user,
            declaration_id,
            ReviewIn(decision=form.decision, note=form.note),
            keyring=keyring,
            settings=settings,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FormErrors as invalid:
        errors = {("decision" if key == "form" else key): value for key, value in invalid.errors.items()}
        return await _declaration_page(
            request, declaration_id, keyring, clock, errors=errors, values=invalid.values, status_code=400
        )
    except DomainError as error:
        if error.status == 404:
            raise
        values = {"decision": form.decision.value, "note": form.note}
        return await _declaration_page(
            request,
            declaration_id,
            keyring,
            clock,
            errors=errors_of(error, "decision"),
            values=values,
            status_code=error.status,
        )
    message = {
        Decision.accept: _("The declaration is accepted. The traveller is told."),
        Decision.request_info: _("The traveller is asked for more information."),
        Decision.decline: _("The declaration is declined. The booking is cancelled with a full refund."),
    }[form.decision]
    return done(request, message, f"/operator/declarations/{declaration_id}")


ROUTES = [queue_page, declaration_page, review_declaration]
