"""The sandbox's WeChat Pay API v3, service-provider paths: requests are verified like WeChat does
(the ``Authorization`` header's RSA-SHA256 signature with the service provider's registered key;
a bad one is 401 SIGN_ERROR), answers are signed with the platform key, and notifications carry
signature headers and an AES-256-GCM encrypted resource."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import gzip
import hashlib
import json
import re
import secrets
import time
import uuid
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from litestar import Request, Response, get, post

from sojourn.payments.sandbox.context import Sandbox, sandbox_of
from sojourn.payments.sandbox.keys import SP_APPID, SP_MCHID, SandboxKeys
from sojourn.payments.sandbox.notifier import Delivery
from sojourn.payments.sandbox.orders import CHINA, SandboxOrder, SandboxRefund, fee_for, now

AUTH = re.compile(r'(\w+)="([^"]*)"')
MAX_CLOCK_SKEW = 300
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"


def signed_headers(keys: SandboxKeys, body: str, timestamp: int) -> dict[str, str]:
    stamp, nonce = str(timestamp), secrets.token_hex(16).upper()
    signature = keys.wechat_platform_key.sign(f"{stamp}\n{nonce}\n{body}\n".encode(), PKCS1v15(), SHA256())
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": base64.b64encode(signature).decode(),
        "Wechatpay-Serial": keys.wechat_public_key_id,
        "Wechatpay-Signature-Type": SIGNATURE_TYPE,
        "Request-ID": uuid.uuid4().hex,
    }


def answer(sandbox: Sandbox, status: int, content: dict[str, Any] | None = None) -> Response:
    body = json.dumps(content, ensure_ascii=False) if content is not None else ""
    headers = signed_headers(sandbox.keys, body, int(time.time()))
    if content is None:
        return Response(content=b"", status_code=status, headers=headers)
    return Response(content=body.encode(), status_code=status, media_type="application/json", headers=headers)


def error(sandbox: Sandbox, status: int, code: str, message: str) -> Response:
    return answer(sandbox, status, {"code": code, "message": message})


async def _verified(request: Request) -> tuple[Sandbox, str, Response | None]:
    """The request body, or the error WeChat gives a request whose signature does not hold."""
    sandbox = sandbox_of(request)
    body = (await request.body()).decode()
    header = request.headers.get("authorization", "")
    if not header.startswith(SIGNATURE_TYPE + " "):
        return sandbox, body, error(sandbox, 401, "SIGN_ERROR", "Authorization 头缺失或格式错误")
    fields = dict(AUTH.findall(header))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if fields.get("mchid") != SP_MCHID or fields.get("serial_no") != sandbox.keys.wechat_merchant_serial:
        return sandbox, body, error(sandbox, 401, "SIGN_ERROR", "商户号或证书序列号有误")
    try:
        if abs(time.time() - int(fields.get("timestamp", "0"))) > MAX_CLOCK_SKEW:
            return sandbox, body, error(sandbox, 401, "SIGN_ERROR", "请求时间戳超出允许范围")
        message = f"{request.method}\n{target}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
        sandbox.keys.wechat_merchant_public_key.verify(
            base64.b64decode(fields.get("signature", "")), message.encode(), PKCS1v15(), SHA256()
        )
    except (InvalidSignature, KeyError, ValueError):
        return sandbox, body, error(sandbox, 401, "SIGN_ERROR", "签名错误")
    return sandbox, body, None


def transaction_resource(order: SandboxOrder, amount_fen: int | None = None) -> dict[str, Any]:
    total = order.amount_fen if amount_fen is None else amount_fen
    resource: dict[str, Any] = {
        "sp_appid": SP_APPID,
        "sp_mchid": SP_MCHID,
        "sub_mchid": order.merchant,
        "out_trade_no": order.out_trade_no,
        "trade_type": order.channel.upper() if order.channel != "h5" else "MWEB",
        "trade_state": order.state,
        "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭", "REFUND": "转入退款"}.get(
            order.state, ""
        ),
        "amount": {"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"},
    }
    if order.transaction_id:
        resource.update(
            transaction_id=order.transaction_id,
            bank_type="OTHERS",
            success_time=order.paid_at.astimezone(CHINA).isoformat(timespec="seconds"),  # type: ignore[union-attr]
            payer={"sp_openid": "o" + hashlib.sha1(order.token.encode()).hexdigest()[:27]},
        )
    return resource


def refund_resource(order: SandboxOrder, refund: SandboxRefund) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "sp_mchid": SP_MCHID,
        "sub_mchid": order.merchant,
        "out_trade_no": order.out_trade_no,
        "transaction_id": order.transaction_id,
        "out_refund_no": refund.out_refund_no,
        "refund_id": refund.refund_id,
        "refund_status": refund.status,
        "status": refund.status,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": refund.created_at.astimezone(CHINA).isoformat(timespec="seconds"),
        "amount": {
            "total": order.amount_fen,
            "refund": refund.amount_fen,
            "payer_total": order.amount_fen,
            "payer_refund": refund.amount_fen,
            "currency": "CNY",
        },
    }
    if refund.success_at:
        resource["success_time"] = refund.success_at.astimezone(CHINA).isoformat(timespec="seconds")
    return resource


def notification_message(
    keys: SandboxKeys, notification_id: str, event_type: str, summary: str, resource: dict[str, Any], timestamp: int
) -> tuple[dict[str, str], bytes]:
    """A notification as WeChat Pay sends it: the resource AES-256-GCM encrypted with the APIv3 key,
    the body signed (RSA-SHA256) with the platform key in the Wechatpay-* headers."""
    original_type = "refund" if event_type.startswith("REFUND.") else "transaction"
    nonce = secrets.token_hex(6)
    sealed = AESGCM(keys.apiv3_key.encode()).encrypt(
        nonce.encode(), json.dumps(resource, ensure_ascii=False).encode(), original_type.encode()
    )
    body = json.dumps(
        {
            "id": notification_id,
            "create_time": now().astimezone(CHINA).isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(sealed).decode(),
                "associated_data": original_type,
                "nonce": nonce,
            },
        },
        ensure_ascii=False,
    )
    headers = signed_headers(keys, body, timestamp)
    headers["Content-Type"] = "application/json"
    return headers, body.encode()


def notify(
    sandbox: Sandbox, url: str, event_type: str, summary: str, resource: dict[str, Any], *, label: str, copies: int = 1
) -> None:
    """One notification (the same id on every attempt and copy), signed anew and encrypted for each attempt."""
    notification_id = str(uuid.uuid4())

    def build() -> tuple[dict[str, str], bytes]:
        return notification_message(sandbox.keys, notification_id, event_type, summary, resource, int(time.time()))

    for copy in range(copies):
        sandbox.notifier.send(
            Delivery(url, build, lambda response: 200 <= response.status_code < 300, f"{label} #{copy + 1}"),
            hold=sandbox.state.faults.hold_notifications,
        )


def notify_paid(sandbox: Sandbox, order: SandboxOrder, *, amount_fen: int | None = None, copies: int = 1) -> None:
    resource = transaction_resource(order, amount_fen)
    notify(
        sandbox,
        order.notify_url,
        "TRANSACTION.SUCCESS",
        "支付成功",
        resource,
        label=f"wechat paid {order.out_trade_no}",
        copies=copies,
    )


def notify_refund(sandbox: Sandbox, order: SandboxOrder, refund: SandboxRefund) -> None:
    event = "REFUND.SUCCESS" if refund.status == "SUCCESS" else "REFUND.ABNORMAL"
    summary = "退款成功" if refund.status == "SUCCESS" else "退款异常"
    notify(
        sandbox,
        refund.notify_url,
        event,
        summary,
        refund_resource(order, refund),
        label=f"wechat refund {refund.out_refund_no}",
    )


@post("/v3/pay/partner/transactions/{kind:str}", include_in_schema=False, status_code=200)
async def create_order(request: Request, kind: str) -> Response:
    sandbox, body, refused = await _verified(request)
    if refused:
        return refused
    data = json.loads(body)
    if kind not in ("native", "h5", "jsapi"):
        return error(sandbox, 404, "NOT_FOUND", "未知的接口")
    if data.get("sp_mchid") != SP_MCHID or data.get("sp_appid") != SP_APPID:
        return error(sandbox, 400, "INVALID_REQUEST", "服务商商户号或 AppID 有误")
    if data.get("sub_mchid") not in sandbox.keys.wechat_sub_mchids:
        return error(sandbox, 400, "INVALID_REQUEST", "特约商户号与服务商不存在绑定关系")
    amount = data.get("amount", {}).get("total")
    if not isinstance(amount, int) or amount <= 0 or not data.get("out_trade_no") or not data.get("notify_url"):
        return error(sandbox, 400, "PARAM_ERROR", "参数错误")
    existing = sandbox.state.find("wechat", data["out_trade_no"])
    if existing and (existing.amount_fen != amount or existing.merchant != data["sub_mchid"]):
        return error(sandbox, 400, "INVALID_REQUEST", "商户订单号重复，且参数不一致")
    if existing and existing.status == "SUCCESS":
        return error(sandbox, 400, "ORDERPAID", "该订单已支付")
    order = existing or sandbox.state.add(
        SandboxOrder(
            provider="wechat",
            out_trade_no=data["out_trade_no"],
            merchant=data["sub_mchid"],
            amount_fen=amount,
            description=data.get("description", ""),
            channel=kind,
            notify_url=data["notify_url"],
            expires_at=dt.datetime.fromisoformat(data["time_expire"])
            if data.get("time_expire")
            else now() + dt.timedelta(hours=2),
        )
    )
    if kind == "native":
        return answer(sandbox, 200, {"code_url": f"weixin://wxpay/bizpayurl?pr={order.token}"})
    if kind == "h5":
        return answer(sandbox, 200, {"h5_url": f"{sandbox.base_url}/sandbox/wechat/h5?prepay_id=wx{order.token}"})
    return answer(sandbox, 200, {"prepay_id": f"wx{order.token}"})


def _order_for(sandbox: Sandbox, request: Request, out_trade_no: str) -> SandboxOrder | None:
    order = sandbox.state.find("wechat", out_trade_no)
    if order is None or order.merchant != request.query_params.get("sub_mchid", order.merchant):
        return None
    return order


@get("/v3/pay/partner/transactions/out-trade-no/{out_trade_no:str}", include_in_schema=False)
async def query_order(request: Request, out_trade_no: str) -> Response:
    sandbox, _, refused = await _verified(request)
    if refused:
        return refused
    order = _order_for(sandbox, request, out_trade_no)
    if order is None:
        return error(sandbox, 404, "ORDER_NOT_EXIST", "订单不存在")
    return answer(sandbox, 200, transaction_resource(order))


@post("/v3/pay/partner/transactions/out-trade-no/{out_trade_no:str}/close", include_in_schema=False)
async def close_order(request: Request, out_trade_no: str) -> Response:
    sandbox, body, refused = await _verified(request)
    if refused:
        return refused
    order = sandbox.state.find("wechat", out_trade_no)
    if order is None or order.merchant != json.loads(body).get("sub_mchid"):
        return error(sandbox, 404, "ORDER_NOT_EXIST", "订单不存在")
    if order.status == "SUCCESS":
        return error(sandbox, 400, "ORDERPAID", "订单已支付，不能关闭")
    order.status = "CLOSED"
    return answer(sandbox, 204)


@post("/v3/refund/domestic/refunds", include_in_schema=False, status_code=200)
async def create_refund(request: Request) -> Response:
    sandbox, body, refused = await _verified(request)
    if refused:
        return refused
    data = json.loads(body)
    order = sandbox.state.by_transaction(data.get("transaction_id", "")) or sandbox.state.find(
        "wechat", data.get("out_trade_no", "")
    )
    if order is None or order.merchant != data.get("sub_mchid") or order.status != "SUCCESS":
        return error(sandbox, 404, "RESOURCE_NOT_EXISTS", "订单不存在或未支付")
    existing = order.refund(data.get("out_refund_no", ""))
    if existing:
        return answer(sandbox, 200, refund_resource(order, existing))
    amount = data.get("amount", {}).get("refund", 0)
    if amount <= 0 or amount > order.amount_fen - order.refunded_fen or data["amount"].get("total") != order.amount_fen:
        return error(sandbox, 400, "INVALID_REQUEST", "退款金额有误")
    faults = sandbox.state.faults
    if faults.failing_refunds > 0:
        faults.failing_refunds -= 1
        return error(sandbox, 403, "NOT_ENOUGH", "基本账户余额不足，请充值后重新发起")
    refund = SandboxRefund(
        out_refund_no=data["out_refund_no"],
        refund_id=f"5030{secrets.randbelow(10**24):024d}",
        amount_fen=amount,
        status="PROCESSING",
        created_at=now(),
        notify_url=data.get("notify_url", ""),
    )
    order.refunds.append(refund)
    abnormal = faults.abnormal_refunds > 0
    faults.abnormal_refunds -= 1 if abnormal else 0
    settle_later(sandbox, order, refund, abnormal=abnormal)
    return answer(sandbox, 200, refund_resource(order, refund))


def settle_later(sandbox: Sandbox, order: SandboxOrder, refund: SandboxRefund, *, abnormal: bool) -> None:
    """WeChat pays a refund out a moment after accepting it, then notifies."""

    async def settle() -> None:
        await asyncio.sleep(0.2)
        refund.status = "ABNORMAL" if abnormal else "SUCCESS"
        refund.success_at = None if abnormal else now()
        if refund.notify_url:
            notify_refund(sandbox, order, refund)

    sandbox.notifier.spawn(settle())


@get("/v3/refund/domestic/refunds/{out_refund_no:str}", include_in_schema=False)
async def query_refund(request: Request, out_refund_no: str) -> Response:
    sandbox, _, refused = await _verified(request)
    if refused:
        return refused
    for order in sandbox.state.orders.values():
        refund = order.refund(out_refund_no) if order.provider == "wechat" else None
        if refund and order.merchant == request.query_params.get("sub_mchid"):
            return answer(sandbox, 200, refund_resource(order, refund))
    return error(sandbox, 404, "RESOURCE_NOT_EXISTS", "退款单不存在")


BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
    "手续费,费率,订单金额,申请退款金额,费率备注"
)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def trade_bill(sandbox: Sandbox, sub_mchid: str, day: dt.date) -> str:
    rows = [BILL_HEADER]
    paid = refunded = fees = 0
    for _kind, order, refund in sandbox.state.day_lines("wechat", sub_mchid, day):
        when = (order.paid_at if refund is None else refund.success_at).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[union-attr]
        if refund is None:
            fee = fee_for(order.amount_fen)
            cells = [when, SP_APPID, SP_MCHID, sub_mchid, "", order.transaction_id, order.out_trade_no, "o-payer",
                     order.channel.upper(), "SUCCESS", "OTHERS", "CNY", _yuan(order.amount_fen), "0.00", "0", "0",
                     "0.00", "0.00", "", "", order.description, "", _yuan(fee), "0.60%", _yuan(order.amount_fen), "0.00", ""]  # fmt: skip
            paid += order.amount_fen
        else:
            fee = refund.fee_fen
            cells = [when, SP_APPID, SP_MCHID, sub_mchid, "", order.transaction_id, order.out_trade_no, "o-payer",
                     order.channel.upper(), "REFUND", "OTHERS", "CNY", "0.00", "0.00", refund.refund_id,
                     refund.out_refund_no, _yuan(refund.amount_fen), "0.00", "ORIGINAL", "SUCCESS", order.description,
                     "", _yuan(fee), "0.60%", _yuan(order.amount_fen), _yuan(refund.amount_fen), ""]  # fmt: skip
            refunded += refund.amount_fen
        fees += fee
        rows.append(",".join("`" + cell for cell in cells))
    count = len(rows) - 1
    rows.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额")
    rows.append(
        ",".join(
            "`" + c
            for c in [str(count), _yuan(paid), _yuan(refunded), "0.00", _yuan(fees), _yuan(paid), _yuan(refunded)]
        )
    )
    return "\n".join(rows) + "\n"


@get("/v3/bill/tradebill", include_in_schema=False)
async def request_bill(request: Request) -> Response:
    sandbox, _, refused = await _verified(request)
    if refused:
        return refused
    try:
        day = dt.date.fromisoformat(request.query_params.get("bill_date", ""))
    except ValueError:
        return error(sandbox, 400, "PARAM_ERROR", "账单日期格式错误")
    sub_mchid = request.query_params.get("sub_mchid", "")
    if sub_mchid not in sandbox.keys.wechat_sub_mchids:
        return error(sandbox, 400, "INVALID_REQUEST", "特约商户号与服务商不存在绑定关系")
    if day > now().astimezone(CHINA).date():  # the sandbox also gives today's bill so far (WeChat: from 10:00 next day)
        return error(sandbox, 400, "NO_STATEMENT_EXIST", "账单尚未生成")
    content = trade_bill(sandbox, sub_mchid, day).encode("utf-8")
    token = secrets.token_urlsafe(16)
    sandbox.bills[token] = gzip.compress(content)
    return answer(
        sandbox,
        200,
        {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(content).hexdigest(),
            "download_url": f"{sandbox.base_url}/v3/billdownload/file?token={token}",
        },
    )


@get("/v3/billdownload/file", include_in_schema=False)
async def download_bill(request: Request) -> Response:
    sandbox, _, refused = await _verified(request)
    if refused:
        return refused
    content = sandbox.bills.get(request.query_params.get("token", ""))
    if content is None:
        return error(sandbox, 404, "RESOURCE_NOT_EXISTS", "账单不存在或已过期")
    return Response(content=content, media_type="application/octet-stream")


ROUTES = [create_order, query_order, close_order, create_refund, query_refund, request_bill, download_bill]
