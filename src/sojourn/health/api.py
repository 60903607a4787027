"""Health declarations over JSON: the booker's declaration per traveller and booking, the PIPL
consents, and the base's review queue and decisions. Parse, call one service, answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post, put
from litestar.params import FromPath, JSONBody, Parameter

from sojourn.accounts.guards import bookers, operators
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.health import consents, deadlines, declarations, review
from sojourn.health.schemas import (
    ConsentTerms,
    DeclarationIn,
    DeclarationOut,
    OperatorDeclarationOut,
    QueueItem,
    ReviewIn,
    WithdrawConsentIn,
)
from sojourn.health.tables import DeclarationStatus, Risk
from sojourn.web.client_ip import client_ip
from sojourn.web.pagination import Page
from sojourn.web.params import Limit, Offset

Caller = Request[Principal, Any, Any]
DECLARATION_PATH = "/api/v1/bookings/{booking_id:int}/travellers/{traveller_id:int}/declaration"
TAGS = ["Health declarations"]

BaseFilter = Annotated[int | None, Parameter(ge=1, description="Only declarations for this base")]
TourFilter = Annotated[int | None, Parameter(ge=1, description="Only declarations for this tour")]
StatusFilter = Annotated[
    DeclarationStatus | None,
    Parameter(description="Only this status (default: everything sent by travellers)"),
]
RiskFilter = Annotated[Risk | None, Parameter(description="Only this overall risk: low, medium or high")]
MissingFilter = Annotated[
    bool,
    Parameter(description="Instead: travellers whose declaration is past its deadline and not sent"),
]


@get(
    DECLARATION_PATH,
    tags=TAGS,
    summary="A traveller's health declaration (prefilled when new)",
    guards=[bookers],
)
async def get_declaration(
    request: Caller,
    booking_id: FromPath[int],
    traveller_id: FromPath[int],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> DeclarationOut:
    return await declarations.get_declaration(request.user, booking_id, traveller_id, keyring=keyring, now=clock.now())


@put(
    DECLARATION_PATH,
    tags=TAGS,
    summary="Save or send a health declaration, with the consents",
    guards=[bookers],
)
async def put_declaration(
    request: Caller,
    booking_id: FromPath[int],
    traveller_id: FromPath[int],
    data: JSONBody[DeclarationIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> DeclarationOut:
    return await declarations.save_declaration(
        request.user,
        booking_id,
        traveller_id,
        data,
        keyring=keyring,
        now=clock.now(),
        ip=client_ip(request),
    )


@post(
    f"{DECLARATION_PATH}/withdraw-consent",
    tags=TAGS,
    summary="Take back the consent to share with the base (or to keep the data at all)",
    guards=[bookers],
    status_code=200,
)
async def withdraw_consent(
    request: Caller,
    booking_id: FromPath[int],
    traveller_id: FromPath[int],
    data: JSONBody[WithdrawConsentIn],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> DeclarationOut:
    return await declarations.withdraw_consent(
        request.user,
        booking_id,
        traveller_id,
        data.purpose,
        keyring=keyring,
        now=clock.now(),
        ip=client_ip(request),
    )


@get(
    "/api/v1/health/consent-terms",
    tags=TAGS,
    summary="The words of the two consents, and their version",
)
async def consent_terms(settings: NamedDependency[Settings]) -> ConsentTerms:
    return consents.terms(settings.declaration_retention_days)


@get(
    "/api/v1/operator/declarations",
    tags=["Operators"],
    summary="Declarations to review",
    guards=[operators],
)
async def declaration_queue(
    request: Caller,
    clock: NamedDependency[Clock],
    base_id: BaseFilter = None,
    tour_id: TourFilter = None,
    status: StatusFilter = None,
    risk: RiskFilter = None,
    missing: MissingFilter = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[QueueItem]:
    if missing:
        items, total = await deadlines.missing_declarations(
            request.user,
            now=clock.now(),
            base_id=base_id,
            tour_id=tour_id,
            limit=limit,
            offset=offset,
        )
    else:
        items, total = await review.review_queue(
            request.user,
            now=clock.now(),
            base_id=base_id,
            tour_id=tour_id,
            status=status.value if status else None,
            risk=risk.value if risk else None,
            limit=limit,
            offset=offset,
        )
    return Page(items=items, total=total)


@get(
    "/api/v1/operator/declarations/{declaration_id:int}",
    tags=["Operators"],
    summary="One declaration (details only with the traveller's consent; every read is logged)",
    guards=[operators],
)
async def operator_declaration(
    request: Caller,
    declaration_id: FromPath[int],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> OperatorDeclarationOut:
    return await review.read_declaration(
        request.user, declaration_id, keyring=keyring, now=clock.now(), ip=client_ip(request)
    )


@post(
    "/api/v1/operator/declarations/{declaration_id:int}/review",
    tags=["Operators"],
    summary="Accept, ask for more information, or decline (cancels with a full refund)",
    guards=[operators],
    status_code=200,
)
async def review_declaration(
    request: Caller,
    declaration_id: FromPath[int],
    data: JSONBody[ReviewIn],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> OperatorDeclarationOut:
    return await review.review_declaration(
        request.user,
        declaration_id,
        data,
        keyring=keyring,
        settings=settings,
        now=clock.now(),
        ip=client_ip(request),
    )


ROUTES = [
    get_declaration,
    put_declaration,
    withdraw_consent,
    consent_terms,
    declaration_queue,
    operator_declaration,
    review_declaration,
]
