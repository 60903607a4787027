"""The sandbox's Alipay gateway (``/alipay/gateway.do``): requests are verified like Alipay does
(RSA2 over the sorted parameters with the app's registered public key; a bad one answers
``isv.invalid-signature``), answers are signed with Alipay's key, the cashier page plays the
senior's side of page and wap pay, and notifications are RSA2-signed forms."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import secrets
import zipfile
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from litestar import Request, Response, route

from sojourn.payments.providers import fen_from_yuan, yuan
from sojourn.payments.sandbox import pages
from sojourn.payments.sandbox.context import Sandbox, sandbox_of
from sojourn.payments.sandbox.keys import ALIPAY_APP_ID, SandboxKeys
from sojourn.payments.sandbox.notifier import Delivery
from sojourn.payments.sandbox.orders import CHINA, SandboxOrder, SandboxRefund, fee_for, now

BROWSER_METHODS = ("alipay.trade.page.pay", "alipay.trade.wap.pay")


def _content(params: dict[str, str], leave_out: tuple[str, ...] = ("sign", "sign_type")) -> str:
    """The signed text: sorted key=value pairs. Requests sign sign_type too; notifications do not."""
    return "&".join(f"{key}={params[key]}" for key in sorted(params) if key not in leave_out)


def sign(sandbox: Sandbox, text: str) -> str:
    return base64.b64encode(sandbox.keys.alipay_platform_key.sign(text.encode(), PKCS1v15(), SHA256())).decode()


def _verified(sandbox: Sandbox, params: dict[str, str]) -> bool:
    try:
        sandbox.keys.alipay_app_public_key.verify(
            base64.b64decode(params.get("sign", "")), _content(params, ("sign",)).encode(), PKCS1v15(), SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return params.get("sign_type") == "RSA2"


def answer(sandbox: Sandbox, method: str, content: dict[str, Any]) -> Response:
    inner = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    key = method.replace(".", "_") + "_response"
    body = f'{{"{key}":{inner},"sign":"{sign(sandbox, inner)}"}}'
    return Response(content=body.encode(), media_type="application/json;charset=utf-8")


def ok(**fields: Any) -> dict[str, Any]:
    return {"code": "10000", "msg": "Success", **fields}


def failed(sub_code: str, sub_msg: str, code: str = "40004") -> dict[str, Any]:
    return {
        "code": code,
        "msg": "Business Failed" if code == "40004" else "Invalid Arguments",
        "sub_code": sub_code,
        "sub_msg": sub_msg,
    }


def notification_form(keys: SandboxKeys, fields: dict[str, str]) -> bytes:
    """An asynchronous notification (异步通知) as Alipay sends it: a form signed RSA2 with Alipay's key."""
    signed = dict(fields, sign_type="RSA2")
    content = _content(signed).encode()
    signed["sign"] = base64.b64encode(keys.alipay_platform_key.sign(content, PKCS1v15(), SHA256())).decode()
    return urlencode(signed).encode()


def notification_fields(
    order: SandboxOrder, notify_id: str, *, refund: SandboxRefund | None = None, amount_fen: int | None = None
) -> dict[str, str]:
    total = order.amount_fen if amount_fen is None else amount_fen
    fields = {
        "notify_time": now().astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
        "notify_type": "trade_status_sync",
        "notify_id": notify_id,
        "app_id": ALIPAY_APP_ID,
        "auth_app_id": ALIPAY_APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "trade_no": order.transaction_id,
        "out_trade_no": order.out_trade_no,
        "seller_id": order.merchant,
        "subject": order.description,
        "total_amount": yuan(total),
        "receipt_amount": yuan(total),
        "buyer_pay_amount": yuan(total),
        "gmt_create": order.created_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
        "gmt_payment": order.paid_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),  # type: ignore[union-attr]
        "trade_status": "TRADE_SUCCESS",
    }
    if refund is not None:
        fields.update(
            out_biz_no=refund.out_refund_no,
            refund_fee=yuan(order.refunded_fen),
            gmt_refund=refund.success_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S.000"),  # type: ignore[union-attr]
            trade_status="TRADE_CLOSED" if order.refunded_fen == order.amount_fen else "TRADE_SUCCESS",
        )
    return fields


def notify(
    sandbox: Sandbox,
    order: SandboxOrder,
    *,
    refund: SandboxRefund | None = None,
    amount_fen: int | None = None,
    label: str,
    copies: int = 1,
) -> None:
    """Sent until the answer is "success"; every copy and attempt carries the same notify_id."""
    notify_id = secrets.token_hex(16)

    def build() -> tuple[dict[str, str], bytes]:
        form = notification_form(
            sandbox.keys, notification_fields(order, notify_id, refund=refund, amount_fen=amount_fen)
        )
        return {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, form

    for copy in range(copies):
        sandbox.notifier.send(
            Delivery(
                order.notify_url, build, lambda response: response.text.strip() == "success", f"{label} #{copy + 1}"
            ),
            hold=sandbox.state.faults.hold_notifications,
        )


def notify_paid(sandbox: Sandbox, order: SandboxOrder, *, amount_fen: int | None = None, copies: int = 1) -> None:
    notify(sandbox, order, amount_fen=amount_fen, label=f"alipay paid {order.out_trade_no}", copies=copies)


@route("/alipay/gateway.do", http_method=["GET", "POST"], include_in_schema=False)
async def gateway(request: Request) -> Response:
    sandbox = sandbox_of(request)
    # parse_qsl, not the framework's parser: "+" in the SDK's quote_plus encoding is a space.
    params = dict(parse_qsl(request.url.query, keep_blank_values=True))
    if request.method == "POST":
        params.update(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    method = params.get("method", "")
    browser = method in BROWSER_METHODS
    if params.get("app_id") != ALIPAY_APP_ID:
        problem = failed("isv.invalid-app-id", "无效的AppID参数", "40002")
        return pages.cashier_error(problem) if browser else answer(sandbox, method, problem)
    if not _verified(sandbox, params):
        problem = failed("isv.invalid-signature", "验签出错", "40002")
        return pages.cashier_error(problem) if browser else answer(sandbox, method, problem)
    merchant = sandbox.keys.alipay_merchants.get(params.get("app_auth_token", ""))
    if merchant is None:
        problem = failed("aop.invalid-app-auth-token", "无效的应用授权令牌", "20001")
        return pages.cashier_error(problem) if browser else answer(sandbox, method, problem)
    try:
        biz = json.loads(params.get("biz_content", "{}"))
    except ValueError:
        biz = {}
    if browser:
        return open_cashier(sandbox, merchant, params, biz, method)
    handler = HANDLERS.get(method)
    if handler is None:
        return answer(sandbox, method, failed("isv.invalid-method", "不存在的方法名", "40002"))
    return answer(sandbox, method, handler(sandbox, merchant, biz))


def open_cashier(sandbox: Sandbox, merchant: str, params: dict[str, str], biz: dict[str, Any], method: str) -> Response:
    """The senior's browser arrives at the cashier: the trade exists from now on (WAIT_BUYER_PAY)."""
    try:
        amount = fen_from_yuan(str(biz["total_amount"]))
        out_trade_no = biz["out_trade_no"]
    except (KeyError, ValueError):
        return pages.cashier_error(failed("ACQ.INVALID_PARAMETER", "参数无效"))
    order = sandbox.state.find("alipay", out_trade_no)
    if order and (order.amount_fen != amount or order.merchant != merchant):
        return pages.cashier_error(failed("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改"))
    if order is None:
        expires = (
            dt.datetime.strptime(biz["time_expire"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
            if biz.get("time_expire")
            else now() + dt.timedelta(hours=2)
        )
        order = sandbox.state.add(
            SandboxOrder(
                provider="alipay",
                out_trade_no=out_trade_no,
                merchant=merchant,
                amount_fen=amount,
                description=biz.get("subject", ""),
                channel="page" if method.endswith("page.pay") else "wap",
                notify_url=params.get("notify_url", ""),
                return_url=params.get("return_url", ""),
                expires_at=expires,
            )
        )
    return pages.phone_page(order)


def _trade(sandbox: Sandbox, merchant: str, biz: dict[str, Any]) -> SandboxOrder | None:
    order = sandbox.state.find("alipay", biz.get("out_trade_no", "")) or sandbox.state.by_transaction(
        biz.get("trade_no", "")
    )
    return order if order and order.provider == "alipay" and order.merchant == merchant else None


STATUS_NAMES = {
    "NOTPAY": "WAIT_BUYER_PAY",
    "SUCCESS": "TRADE_SUCCESS",
    "REFUND": "TRADE_SUCCESS",
    "CLOSED": "TRADE_CLOSED",
}


def query(sandbox: Sandbox, merchant: str, biz: dict[str, Any]) -> dict[str, Any]:
    order = _trade(sandbox, merchant, biz)
    if order is None:
        return failed("ACQ.TRADE_NOT_EXIST", "交易不存在")
    status = STATUS_NAMES[order.state]
    if order.state == "REFUND" and order.refunded_fen == order.amount_fen:
        status = "TRADE_CLOSED"
    fields = ok(
        out_trade_no=order.out_trade_no,
        trade_status=status,
        total_amount=yuan(order.amount_fen),
        buyer_logon_id="sen***@sandbox.com",
    )
    if order.transaction_id and order.paid_at is not None:
        fields.update(
            trade_no=order.transaction_id, send_pay_date=order.paid_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        )
    return fields


def close(sandbox: Sandbox, merchant: str, biz: dict[str, Any]) -> dict[str, Any]:
    order = _trade(sandbox, merchant, biz)
    if order is None:
        return failed("ACQ.TRADE_NOT_EXIST", "交易不存在")
    if order.status == "SUCCESS":
        return failed("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
    order.status = "CLOSED"
    return ok(out_trade_no=order.out_trade_no)


def refund(sandbox: Sandbox, merchant: str, biz: dict[str, Any]) -> dict[str, Any]:
    order = _trade(sandbox, merchant, biz)
    if order is None or order.status != "SUCCESS":
        return failed("ACQ.TRADE_NOT_EXIST", "交易不存在")
    request_no = biz.get("out_request_no") or order.out_trade_no
    done = order.refund(request_no)
    common = {
        "trade_no": order.transaction_id,
        "out_trade_no": order.out_trade_no,
        "buyer_logon_id": "sen***@sandbox.com",
    }
    if done:
        return ok(fund_change="N", refund_fee=yuan(order.refunded_fen), **common)
    try:
        amount = fen_from_yuan(str(biz["refund_amount"]))
    except (KeyError, ValueError):
        return failed("ACQ.INVALID_PARAMETER", "参数无效")
    if amount <= 0 or amount > order.amount_fen - order.refunded_fen:
        return failed("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
    if sandbox.state.faults.failing_refunds > 0:
        sandbox.state.faults.failing_refunds -= 1
        return failed("ACQ.SELLER_BALANCE_NOT_ENOUGH", "卖家余额不足")
    record = SandboxRefund(request_no, "", amount, "SUCCESS", now(), order.notify_url, now())
    order.refunds.append(record)
    if order.notify_url:
        notify(sandbox, order, refund=record, label=f"alipay refund {request_no}")
    return ok(
        fund_change="Y",
        refund_fee=yuan(order.refunded_fen),
        gmt_refund_pay=record.success_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),  # type: ignore[union-attr]
        **common,
    )


def refund_query(sandbox: Sandbox, merchant: str, biz: dict[str, Any]) -> dict[str, Any]:
    order = _trade(sandbox, merchant, biz)
    if order is None:
        return failed("ACQ.TRADE_NOT_EXIST", "交易不存在")
    record = order.refund(biz.get("out_request_no", ""))
    if record is None:
        return ok(out_trade_no=order.out_trade_no, trade_no=order.transaction_id)  # no refund_status: none made
    return ok(
        out_trade_no=order.out_trade_no,
        trade_no=order.transaction_id,
        out_request_no=record.out_refund_no,
        refund_amount=yuan(record.amount_fen),
        total_amount=yuan(order.amount_fen),
        refund_status="REFUND_SUCCESS",
        gmt_refund_pay=record.success_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),  # type: ignore[union-attr]
    )


BILL_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,"
    "商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,"
    "卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
)


def _signed_yuan(fen: int) -> str:
    return ("-" if fen < 0 else "") + yuan(abs(fen))


def trade_bill(sandbox: Sandbox, merchant: str, day: dt.date) -> bytes:
    """A zip with the day's 业务明细 CSV (GBK, comment lines starting with #), as Alipay serves it."""
    rows = ["#支付宝业务明细查询", f"#账号：[{merchant}]", f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]", BILL_HEADER]
    for _kind, order, record in sandbox.state.day_lines("alipay", merchant, day):
        created = order.created_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        if record is None:
            done = order.paid_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[union-attr]
            cells = [order.transaction_id, order.out_trade_no, "交易", order.description, created, done, "", "", "", "",
                     "sen***@sandbox.com", yuan(order.amount_fen), yuan(order.amount_fen), "0.00", "0.00", "0.00", "0.00",
                     "0.00", "", "0.00", "0.00", "", _signed_yuan(-fee_for(order.amount_fen)), "0.00", ""]  # fmt: skip
        else:
            done = record.success_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[union-attr]
            cells = [order.transaction_id, order.out_trade_no, "退款", order.description, created, done, "", "", "", "",
                     "sen***@sandbox.com", _signed_yuan(-record.amount_fen), _signed_yuan(-record.amount_fen), "0.00",
                     "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", record.out_refund_no,
                     _signed_yuan(fee_for(record.amount_fen)), "0.00", ""]  # fmt: skip
        rows.append(",".join(cell + "\t" if cell else cell for cell in cells))
    rows.append("#-----------------------------------------业务明细列表结束------------------------------------")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{merchant}_{day:%Y%m%d}_业务明细.csv", ("\n".join(rows) + "\n").encode("gbk"))
    return buffer.getvalue()


def bill_url(sandbox: Sandbox, merchant: str, biz: dict[str, Any]) -> dict[str, Any]:
    try:
        day = dt.date.fromisoformat(biz.get("bill_date", ""))
    except ValueError:
        return failed("isp.bill_date_invalid", "账单日期格式错误")
    if biz.get("bill_type") != "trade":
        return failed("isp.bill_type_invalid", "账单类型错误")
    if day > now().astimezone(CHINA).date():
        return failed("isp.bill_not_exist", "账单不存在")
    token = secrets.token_urlsafe(16)
    sandbox.bills[token] = trade_bill(sandbox, merchant, day)
    return ok(bill_download_url=f"{sandbox.base_url}/alipay/bill?token={token}")


HANDLERS = {
    "alipay.trade.query": query,
    "alipay.trade.close": close,
    "alipay.trade.refund": refund,
    "alipay.trade.fastpay.refund.query": refund_query,
    "alipay.data.dataservice.bill.downloadurl.query": bill_url,
}


@route("/alipay/bill", http_method=["GET"], include_in_schema=False)
async def download_bill(request: Request) -> Response:
    content = sandbox_of(request).bills.get(request.query_params.get("token", ""))
    if content is None:
        return Response(content=b"not found", status_code=404, media_type="text/plain")
    return Response(content=content, media_type="application/zip")


ROUTES = [gateway, download_bill]
