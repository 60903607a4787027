"""``/api/v1/operator/tours``: operators create, change, publish, close and cancel the tours of
their bases and export their manifests. Parse, call one service, answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter

from sojourn.accounts.guards import operators
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.operator import manifest
from sojourn.operator.responses import manifest_response, wants_csv
from sojourn.operator.schemas import ManifestOut
from sojourn.tours import cancellation, management, publishing
from sojourn.tours.management_schemas import (
    CancelDepartureIn,
    DepartureCancelledOut,
    OperatorTourOut,
    TourIn,
    TourPatch,
)
from sojourn.tours.tables import TourStatus
from sojourn.web.client_ip import client_ip
from sojourn.web.pagination import Page
from sojourn.web.params import Limit, Offset

Caller = Request[Principal, Any, Any]
TAGS = ["Operators"]

BaseFilter = Annotated[int | None, Parameter(ge=1, description="Only tours at this base")]
StatusFilter = Annotated[TourStatus | None, Parameter(description="Only tours in this status")]
PastFilter = Annotated[bool, Parameter(description="Also tours that are over")]


@get("/api/v1/operator/tours", tags=TAGS, summary="Tours at your bases, drafts included", guards=[operators])
async def list_tours(
    request: Caller,
    clock: NamedDependency[Clock],
    base_id: BaseFilter = None,
    status: StatusFilter = None,
    include_past: PastFilter = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OperatorTourOut]:
    items, total = await management.list_tours(
        request.user,
        now=clock.now(),
        base_id=base_id,
        status=status.value if status else None,
        include_past=include_past,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total)


@post("/api/v1/operator/tours", tags=TAGS, summary="Create a tour (a draft until published)", guards=[operators])
async def create_tour(request: Caller, data: JSONBody[TourIn], clock: NamedDependency[Clock]) -> OperatorTourOut:
    return await management.create_tour(request.user, data, now=clock.now(), ip=client_ip(request))


@get("/api/v1/operator/tours/{tour_id:int}", tags=TAGS, summary="One of your tours", guards=[operators])
async def get_tour(request: Caller, tour_id: FromPath[int], clock: NamedDependency[Clock]) -> OperatorTourOut:
    return await management.get_tour(request.user, tour_id, now=clock.now())


@patch(
    "/api/v1/operator/tours/{tour_id:int}",
    tags=TAGS,
    summary="Change a tour (never its base; seats and quotas never below what is taken)",
    guards=[operators],
)
async def update_tour(
    request: Caller,
    tour_id: FromPath[int],
    data: JSONBody[TourPatch],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> OperatorTourOut:
    return await management.update_tour(
        request.user, tour_id, data, settings=settings, now=clock.now(), ip=client_ip(request)
    )


@post(
    "/api/v1/operator/tours/{tour_id:int}/publish",
    tags=TAGS,
    summary="Offer the tour for booking",
    guards=[operators],
    status_code=200,
)
async def publish_tour(
    request: Caller, tour_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> OperatorTourOut:
    return await publishing.publish_tour(
        request.user, tour_id, settings=settings, now=clock.now(), ip=client_ip(request)
    )


@post(
    "/api/v1/operator/tours/{tour_id:int}/close",
    tags=TAGS,
    summary="Take no new bookings (the bookings made stand)",
    guards=[operators],
    status_code=200,
)
async def close_tour(
    request: Caller, tour_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> OperatorTourOut:
    return await publishing.close_tour(request.user, tour_id, settings=settings, now=clock.now(), ip=client_ip(request))


@post(
    "/api/v1/operator/tours/{tour_id:int}/cancel-departure",
    tags=TAGS,
    summary="Cancel the departure: every booking is cancelled with a full refund and the travellers are told",
    guards=[operators],
    status_code=200,
)
async def cancel_departure(
    request: Caller,
    tour_id: FromPath[int],
    data: JSONBody[CancelDepartureIn],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> DepartureCancelledOut:
    return await cancellation.cancel_departure(
        request.user, tour_id, data.reason, settings=settings, now=clock.now(), ip=client_ip(request)
    )


@get(
    "/api/v1/operator/tours/{tour_id:int}/manifest",
    tags=TAGS,
    summary="Everyone on the tour (JSON, or CSV with Accept: text/csv); every export is logged",
    guards=[operators],
)
async def tour_manifest(
    request: Caller, tour_id: FromPath[int], clock: NamedDependency[Clock], keyring: NamedDependency[KeyRing]
) -> Response[ManifestOut]:
    data = await manifest.tour_manifest(
        request.user,
        tour_id,
        keyring=keyring,
        now=clock.now(),
        export_format="csv" if wants_csv(request) else "json",
        ip=client_ip(request),
    )
    return manifest_response(request, data)


ROUTES = [list_tours, create_tour, get_tour, update_tour, publish_tour, close_tour, cancel_departure, tour_manifest]
