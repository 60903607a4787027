"""Fapiao pages: the senior's request form (``/trips/{id}/fapiao``, also on the trip page and the
receipt; the hotline desk uses the same pages for her) and finance's queue under the alliance pages
(``/alliance/invoices``: the list, its CSV, and marking one issued)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, Parameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts.guards import finance
from sojourn.accounts.principal import Principal
from sojourn.bookings import queries
from sojourn.bookings.pages import booker_page
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.i18n import gettext as _
from sojourn.payments import invoice_queue, invoices
from sojourn.payments.invoice_queue import QueueFilter
from sojourn.payments.schemas import InvoiceIssuedIn, InvoiceRequestIn
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form
from sojourn.web.sign_in import after_sign_in

Caller = Request[Principal, Any, Any]
StatusChoice = Annotated[str | None, Parameter(pattern=r"^(|requested|issued|cancelled|all)$")]
MonthChoice = Annotated[str | None, Parameter(pattern=r"^(|20[0-9]{2}-(0[1-9]|1[0-2]))$")]
IdChoice = Annotated[str | None, Parameter(pattern=r"^[0-9]{0,9}$")]


def _field_errors(refused: DomainError) -> dict[str, str]:
    return {key: str(value) for key, value in refused.field_errors.items()}


async def _request_page(
    request: Caller, booking_id: int, settings: Settings, clock: Clock, *, values: Any = None, errors: Any = None
) -> Template:
    booking = await queries.get_booking(request.user, booking_id, now=clock.now(), settings=settings)
    fapiao = await invoices.booking_fapiao(request.user, booking_id)
    return Template(
        "payments/fapiao.html",
        context={"booking": booking, "fapiao": fapiao, "values": values or {}, "errors": errors or {}},
        status_code=400 if errors else 200,
    )


@get("/trips/{booking_id:int}/fapiao", include_in_schema=False, guards=[booker_page])
async def fapiao_page(
    request: Caller, booking_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Template:
    return await _request_page(request, booking_id, settings, clock)


@post(
    "/trips/{booking_id:int}/fapiao",
    include_in_schema=False,
    guards=[booker_page],
    status_code=303,
    opt=after_sign_in("/trips/{booking_id}/fapiao"),
)
async def ask_for_fapiao(
    request: Caller, booking_id: FromPath[int], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Template | Redirect:
    values = dict(await request.form())
    values.pop("_csrf_token", None)
    try:
        form = await read_form(request, InvoiceRequestIn)
        await invoices.request_invoice(request.user, booking_id, form, now=clock.now(), ip=client_ip(request))
    except FormErrors as wrong:
        return await _request_page(request, booking_id, settings, clock, values=values, errors=wrong.errors)
    except DomainError as refused:
        if refused.field_errors:
            errors = _field_errors(refused)
            return await _request_page(request, booking_id, settings, clock, values=values, errors=errors)
        flash(request, str(refused.message), "error")
        return Redirect(f"/trips/{booking_id}#fapiao", status_code=303)
    flash(request, _("Your fapiao request is recorded. We will tell you when the fapiao is issued."), "success")
    return Redirect(f"/trips/{booking_id}#fapiao", status_code=303)


@get("/alliance/invoices", include_in_schema=False, guards=[finance])
async def invoices_page(
    request: Caller, status: StatusChoice = None, member_id: IdChoice = None, month: MonthChoice = None
) -> Template:
    values = {"status": status or "requested", "member_id": member_id or "", "month": month or ""}
    errors: dict[str, str] = {}
    try:
        queue = QueueFilter.parse(status, int(member_id) if member_id else None, month)
    except DomainError as wrong:
        errors, queue = _field_errors(wrong), QueueFilter()
    items, total = await invoice_queue.list_requests(request.user, queue, limit=200)
    context = {
        "items": items,
        "total": total,
        "values": values,
        "errors": errors,
        "members": await invoice_queue.member_choices(request.user),
        "download": f"/alliance/invoices/download?{queue.query_string()}",
        "labels": {"status": invoice_queue.status_label, "kind": invoice_queue.kind_label},
        "chart": None,
    }
    return Template("payments/invoices.html", context=context, status_code=400 if errors else 200)


@get("/alliance/invoices/download", include_in_schema=False, guards=[finance])
async def invoices_download(
    request: Caller, status: StatusChoice = None, member_id: IdChoice = None, month: MonthChoice = None
) -> Response[bytes]:
    queue = QueueFilter.parse(status, int(member_id) if member_id else None, month)
    items, _total = await invoice_queue.list_requests(request.user, queue, limit=10_000)
    return Response(
        invoice_queue.queue_csv(items),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="fapiao.csv"'},
    )


async def _issue_page(request: Caller, request_id: int, *, values: Any = None, errors: Any = None) -> Template:
    item = await invoice_queue.get_request(request.user, request_id)
    return Template(
        "payments/invoice_issue.html",
        context={
            "item": item,
            "values": values or {},
            "errors": errors or {},
            "labels": {"status": invoice_queue.status_label, "kind": invoice_queue.kind_label},
            "cancel_reason": invoice_queue.cancel_reason_label,
        },
        status_code=400 if errors else 200,
    )


@get("/alliance/invoices/{request_id:int}", include_in_schema=False, guards=[finance])
async def issue_page(request: Caller, request_id: FromPath[int]) -> Template:
    return await _issue_page(request, request_id)


@post("/alliance/invoices/{request_id:int}", include_in_schema=False, guards=[finance], status_code=303)
async def issue(request: Caller, request_id: FromPath[int], clock: NamedDependency[Clock]) -> Template | Redirect:
    values = dict(await request.form())
    values.pop("_csrf_token", None)
    try:
        form = await read_form(request, InvoiceIssuedIn)
        done = await invoice_queue.mark_issued(request.user, request_id, form, now=clock.now(), ip=client_ip(request))
    except FormErrors as wrong:
        return await _issue_page(request, request_id, values=values, errors=wrong.errors)
    except DomainError as refused:
        if refused.field_errors:
            return await _issue_page(request, request_id, values=values, errors=_field_errors(refused))
        flash(request, str(refused.message), "error")
        return Redirect(f"/alliance/invoices/{request_id}", status_code=303)
    flash(
        request,
        _(
            "Fapiao %(number)s for booking %(reference)s is recorded; the senior is told.",
            number=done.invoice_number,
            reference=done.booking_reference,
        ),
        "success",
    )
    return Redirect("/alliance/invoices", status_code=303)


ROUTES = [fapiao_page, ask_for_fapiao, invoices_page, invoices_download, issue_page, issue]
