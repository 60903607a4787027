"""``/api/v1/invoice-requests``: finance's fapiao queue (JSON, or CSV for people with
``Accept: text/csv``) and marking a request issued. Admins and coordinators limited to members
(their members' bases); everyone else 403."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody, Parameter

from sojourn.accounts.guards import finance
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.payments import invoice_queue
from sojourn.payments.invoice_queue import QueueFilter
from sojourn.payments.schemas import InvoiceIssuedIn, InvoiceQueueItem
from sojourn.web.client_ip import client_ip
from sojourn.web.pagination import Page
from sojourn.web.params import Limit, Month, Offset

Caller = Request[Principal, Any, Any]
CSV = "text/csv"
Status = Annotated[
    Literal["requested", "issued", "cancelled", "all"],
    Parameter(description="requested (to issue, the default), issued, cancelled or all"),
]
MemberId = Annotated[int | None, Parameter(ge=1, description="Only this member's bases")]


def _csv(items: list[InvoiceQueueItem]) -> Response[Any]:
    return Response(
        invoice_queue.queue_csv(items),
        media_type=CSV,
        headers={"Content-Disposition": 'attachment; filename="fapiao.csv"', "Vary": "Accept"},
    )


@get(
    "/api/v1/invoice-requests",
    tags=["Payments"],
    summary="Fapiao requests to issue (finance), oldest first",
    guards=[finance],
)
async def list_invoice_requests(
    request: Caller,
    status: Status = "requested",
    member_id: MemberId = None,
    month: Annotated[Month, Parameter(description="Requests made in this Beijing month, YYYY-MM")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response[Page[InvoiceQueueItem]]:
    """Amounts in fen: while a request is open, what was paid and not refunded less what issued fapiao
    cover (refunds since lower it); once issued, what the fapiao was issued for."""
    queue = QueueFilter.parse(status, member_id, month)
    items, total = await invoice_queue.list_requests(request.user, queue, limit=limit, offset=offset)
    if request.accept.best_match(["application/json", CSV], default="application/json") == CSV:
        return _csv(items)
    return Response(Page(items=items, total=total), headers={"Vary": "Accept"})


@post(
    "/api/v1/invoice-requests/{request_id:int}/issued",
    tags=["Payments"],
    summary="Record that the fapiao was issued (its number and date); the senior is told",
    guards=[finance],
    status_code=200,
)
async def mark_invoice_issued(
    request: Caller, request_id: FromPath[int], data: JSONBody[InvoiceIssuedIn], clock: NamedDependency[Clock]
) -> InvoiceQueueItem:
    return await invoice_queue.mark_issued(request.user, request_id, data, now=clock.now(), ip=client_ip(request))


ROUTES = [list_invoice_requests, mark_invoice_issued]
