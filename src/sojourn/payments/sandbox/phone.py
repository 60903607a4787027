"""The senior's side (scanning, paying, cancelling) and the control API that tests and the demo
use to ask for a payment with duplicates, a wrong amount, no notification at all, held
notifications delivered out of order, and failing refunds."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from sojourn.payments.sandbox import alipay, pages, wechat
from sojourn.payments.sandbox.context import Sandbox, sandbox_of
from sojourn.payments.sandbox.orders import SandboxOrder


def settle_payment(
    sandbox: Sandbox, order: SandboxOrder, *, copies: int = 1, amount_fen: int | None = None, silent: bool = False
) -> bool:
    """The senior pays; the merchant hears of it ``copies`` times (0 or ``silent``: never)."""
    if not sandbox.state.mark_paid(order):
        return False
    if not silent and copies > 0:
        notify = wechat.notify_paid if order.provider == "wechat" else alipay.notify_paid
        notify(sandbox, order, amount_fen=amount_fen, copies=copies)
    return True


def _order_from(request: Request) -> SandboxOrder | None:
    sandbox = sandbox_of(request)
    code_url = request.query_params.get("code_url", "")
    token = code_url.rpartition("pr=")[2] if code_url else request.query_params.get("prepay_id", "").removeprefix("wx")
    return sandbox.state.by_token(token) if token else None


@get(["/sandbox/scan", "/sandbox/wechat/h5", "/sandbox/wechat/jsapi"], include_in_schema=False)
async def scan(request: Request) -> Response:
    """Opening a WeChat order on the "phone": from its code_url (Native), h5_url (H5) or prepay_id (JSAPI)."""
    order = _order_from(request)
    return pages.phone_page(order) if order else pages.not_found()


@post("/sandbox/phone/{token:str}/pay", include_in_schema=False, status_code=200)
async def pay_on_phone(request: Request, token: str) -> Response:
    sandbox = sandbox_of(request)
    order = sandbox.state.by_token(token)
    if order is None:
        return pages.not_found()
    paid = settle_payment(sandbox, order)
    return pages.phone_page(order, "" if paid else "无法支付：订单已过期或已关闭")


@post("/sandbox/phone/{token:str}/cancel", include_in_schema=False, status_code=200)
async def cancel_on_phone(request: Request, token: str) -> Response:
    order = sandbox_of(request).state.by_token(token)
    if order is None:
        return pages.not_found()
    return pages.phone_page(order, "已取消支付 You did not pay. The order stays open until it expires.")


def _json(content: Any, status: int = 200) -> Response:
    return Response(content=content, status_code=status, media_type="application/json")


@post("/sandbox/control/pay", include_in_schema=False, status_code=200)
async def control_pay(request: Request) -> Response:
    """``{"provider", "out_trade_no", "copies"?: 1, "amount_fen"?: wrong amount to notify, "silent"?: false}``"""
    sandbox = sandbox_of(request)
    data = await request.json()
    order = sandbox.state.find(data["provider"], data["out_trade_no"])
    if order is None:
        return _json({"error": "no such order"}, 404)
    paid = settle_payment(
        sandbox,
        order,
        copies=int(data.get("copies", 1)),
        amount_fen=data.get("amount_fen"),
        silent=bool(data.get("silent")),
    )
    return _json({"paid": paid, "transaction_id": order.transaction_id}, 200 if paid else 409)


@post("/sandbox/control/faults", include_in_schema=False, status_code=200)
async def control_faults(request: Request) -> Response:
    """``{"failing_refunds"?: n, "abnormal_refunds"?: n, "hold_notifications"?: bool}``"""
    faults = sandbox_of(request).state.faults
    data = await request.json()
    for name in ("failing_refunds", "abnormal_refunds"):
        if name in data:
            setattr(faults, name, int(data[name]))
    if "hold_notifications" in data:
        faults.hold_notifications = bool(data["hold_notifications"])
    return _json(vars(faults))


@post("/sandbox/control/release", include_in_schema=False, status_code=200)
async def control_release(request: Request) -> Response:
    """Deliver held notifications, newest first unless ``{"newest_first": false}``; stop holding."""
    sandbox = sandbox_of(request)
    data = await request.json() if (await request.body()) else {}
    sandbox.state.faults.hold_notifications = False
    released = await sandbox.notifier.release(newest_first=data.get("newest_first", True))
    return _json({"released": released})


@get("/sandbox/control/deliveries", include_in_schema=False)
async def control_deliveries(request: Request) -> Response:
    """Every notification attempt so far, and whether it was accepted."""
    return _json(sandbox_of(request).notifier.log)


@get("/sandbox/control/held", include_in_schema=False)
async def control_held(request: Request) -> Response:
    """The notifications held back so far (not yet sent)."""
    return _json([delivery.label for delivery in sandbox_of(request).notifier.held])


@post("/sandbox/control/reset", include_in_schema=False, status_code=200)
async def control_reset(request: Request) -> Response:
    """Forget orders, faults and held notifications (between tests); keys and merchants stay."""
    sandbox = sandbox_of(request)
    sandbox.state.orders.clear()
    sandbox.state.faults.__init__()  # type: ignore[misc]
    sandbox.notifier.held.clear()
    sandbox.notifier.log.clear()
    return _json({"reset": True})


@get("/sandbox/healthz", include_in_schema=False)
async def healthz() -> Response:
    return _json({"ok": True})


ROUTES = [
    scan,
    pay_on_phone,
    cancel_on_phone,
    control_pay,
    control_faults,
    control_release,
    control_deliveries,
    control_held,
    control_reset,
    healthz,
]
