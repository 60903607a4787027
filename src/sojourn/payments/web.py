"""Paying on the trip's pages, without JavaScript: the amount due and the refund schedule first,
then WeChat Pay's QR code on a computer (``code_url``) or the provider's own page on a phone
(WeChat H5, Alipay wap) and Alipay's cashier on a computer. The money arriving confirms the hold;
the page says so when she comes back."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.bookings import queries
from sojourn.bookings.confirmation import qr_svg
from sojourn.bookings.pages import booker_page, local_time
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.payments import invoices, paying, starting
from sojourn.payments import queries as payment_queries
from sojourn.payments.providers.registry import configured
from sojourn.payments.schemas import PaymentIn
from sojourn.web.client_ip import client_ip
from sojourn.web.forms import FormErrors, read_form
from sojourn.web.sign_in import after_sign_in


class PayForm(msgspec.Struct):
    provider: Literal["wechat", "alipay"]


def _on_phone(request: Request[Any, Any, Any]) -> bool:
    agent = request.headers.get("user-agent", "")
    return any(word in agent for word in ("Mobile", "Android", "iPhone"))


async def _page(
    request: Request[Any, Any, Any], booking_id: int, settings: Settings, now: Any, **extra: Any
) -> Template:
    booking = await queries.get_booking(request.user, booking_id, now=now, settings=settings)
    view = await paying.pay_view(request.user, booking_id, now=now)
    return Template(
        "payments/pay.html",
        context={"booking": booking, "view": view, "providers": configured(settings), **extra},
    )


@get("/trips/{booking_id:int}/pay", include_in_schema=False, guards=[booker_page])
async def pay_page(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template:
    return await _page(request, booking_id, settings, clock.now())


@post(
    "/trips/{booking_id:int}/pay",
    include_in_schema=False,
    status_code=200,
    guards=[booker_page],
    opt=after_sign_in("/trips/{booking_id}/pay"),
)
async def pay(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    now = clock.now()
    try:
        form = await read_form(request, PayForm)
    except FormErrors:
        return await _page(request, booking_id, settings, now)
    phone = _on_phone(request)
    channel: Literal["native", "h5", "page", "wap"] = (
        ("h5" if phone else "native") if form.provider == "wechat" else ("wap" if phone else "page")
    )
    try:
        payment, _ = await starting.start_payment(
            request.user,
            booking_id,
            PaymentIn(provider=form.provider, channel=channel),
            settings=settings,
            now=now,
            client_ip=client_ip(request),
        )
    except DomainError as refused:
        flash(request, str(refused.message), "error")
        return Redirect(f"/trips/{booking_id}/pay", status_code=303)
    if payment.code_url:  # a computer: the phone scans the code shown here
        booking = await queries.get_booking(request.user, booking_id, now=now, settings=settings)
        until = local_time(payment.expires_at, booking.time_zone)
        return await _page(
            request, booking_id, settings, now, payment=payment, qr=qr_svg(payment.code_url), until=until
        )
    assert payment.pay_url is not None  # H5, wap and page payments go to the provider's own page
    return Redirect(payment.pay_url, status_code=303)


@get("/trips/{booking_id:int}/receipt", include_in_schema=False, guards=[booker_page])
async def receipt(
    request: Request[Any, Any, Any],
    booking_id: FromPath[int],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template:
    """A printable receipt: each payment with its provider's transaction number, and the refund schedule."""
    now = clock.now()
    booking = await queries.get_booking(request.user, booking_id, now=now, settings=settings)
    money = await payment_queries.list_payments(request.user, booking_id, now=now)
    paid = [payment for payment in money.items if payment.status == "paid"]
    fapiao = await invoices.booking_fapiao(request.user, booking_id)
    return Template(
        "payments/receipt.html", context={"booking": booking, "money": money, "paid": paid, "fapiao": fapiao}
    )


ROUTES = [pay_page, pay, receipt]
