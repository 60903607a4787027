"""``/api/v1/payments/notify/*`` (the providers' callbacks) and a booking's payments and fapiao
request: parse, call one service, answer."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from sojourn.accounts.guards import bookers, signed_in
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.di import NamedDependency
from sojourn.payments import invoices, notifications, queries, starting
from sojourn.payments.schemas import InvoiceRequestIn, InvoiceRequestOut, PaymentIn, PaymentOut, PaymentsOut
from sojourn.web.client_ip import client_ip
from sojourn.web.params import IdempotencyKey

Caller = Request[Principal, Any, Any]
# A provider's notification is small; anything larger is not one.
NOTIFICATION_MAX_BYTES = 64 * 1024


async def _notified(
    request: Request[Any, Any, Any], provider: str, settings: Settings, clock: Clock
) -> Response[bytes]:
    body = await request.body()
    answer = await notifications.handle_notification(
        provider, dict(request.headers), body, settings=settings, now=clock.now(), ip=client_ip(request)
    )
    return Response(answer.body, status_code=answer.status_code, media_type=answer.media_type)


class WeChatFailure(msgspec.Struct):
    code: str  # FAIL
    message: str


@post(
    "/api/v1/payments/notify/wechat",
    tags=["Payments"],
    summary="WeChat Pay's notifications (signed; answered in WeChat Pay's format)",
    request_max_body_size=NOTIFICATION_MAX_BYTES,
    security=[],
    status_code=200,
    responses={
        400: ResponseSpec(
            data_container=WeChatFailure,
            media_type="application/json",
            description="Not verified (or WeChat Pay not configured): nothing was changed; WeChat Pay will retry",
        )
    },
)
async def notify_wechat(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Response[bytes]:
    return await _notified(request, "wechat", settings, clock)


@post(
    "/api/v1/payments/notify/alipay",
    tags=["Payments"],
    summary="Alipay's notifications (signed; answered with success or fail)",
    request_max_body_size=NOTIFICATION_MAX_BYTES,
    security=[],
    status_code=200,
    media_type="text/plain",
    responses={
        400: ResponseSpec(
            data_container=str,
            media_type="text/plain",
            description="`fail`: not verified (or Alipay not configured); nothing was changed; Alipay will retry",
        )
    },
)
async def notify_alipay(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Response[bytes]:
    return await _notified(request, "alipay", settings, clock)


@get(
    "/api/v1/bookings/{booking_id:int}/payments",
    tags=["Payments"],
    summary="A booking's payments, what was paid and refunded, and its refund schedule",
    guards=[signed_in],
)
async def list_payments(request: Caller, booking_id: FromPath[int], clock: NamedDependency[Clock]) -> PaymentsOut:
    return await queries.list_payments(request.user, booking_id, now=clock.now())


@post(
    "/api/v1/bookings/{booking_id:int}/payments",
    tags=["Payments"],
    summary="Pay the next amount due (WeChat Pay or Alipay)",
    guards=[bookers],
)
async def start_payment(
    request: Caller,
    booking_id: FromPath[int],
    data: JSONBody[PaymentIn],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    idempotency_key: IdempotencyKey = None,
) -> Response[PaymentOut]:
    payment, replayed = await starting.start_payment(
        request.user,
        booking_id,
        data,
        settings=settings,
        now=clock.now(),
        idempotency_key=idempotency_key,
        client_ip=client_ip(request),
    )
    return Response(payment, status_code=201, headers={"Idempotent-Replayed": "true"} if replayed else {})


@post(
    "/api/v1/bookings/{booking_id:int}/invoice-request",
    tags=["Payments"],
    summary="Ask for a fapiao (personal, or a company with its tax number): one open request per booking",
    guards=[bookers],
)
async def request_invoice(
    request: Caller, booking_id: FromPath[int], data: JSONBody[InvoiceRequestIn], clock: NamedDependency[Clock]
) -> Response[InvoiceRequestOut]:
    made = await invoices.request_invoice(request.user, booking_id, data, now=clock.now(), ip=client_ip(request))
    return Response(made, status_code=201)


ROUTES = [notify_wechat, notify_alipay, list_payments, start_payment, request_invoice]
