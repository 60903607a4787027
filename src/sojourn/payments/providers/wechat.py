"""WeChat Pay API v3 in service-provider mode (服务商模式) through ``wechatpayv3``.

The alliance signs every request with its service-provider key; each order names the base's or
member's sub-merchant (``sub_mchid``), into whose account the money settles. WeChat's answers and
notifications are verified with WeChat Pay's public key; notification resources are decrypted
(AES-256-GCM) with the APIv3 key. The SDK's gateway is the production one unless the settings
name another (the sandbox): that is the only difference.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from typing import Any

import arrow
import requests
from wechatpayv3 import WeChatPay, WeChatPayType

from sojourn.config import Settings
from sojourn.payments.providers import (
    Acknowledgement,
    BillLine,
    CreatedOrder,
    Merchant,
    Notice,
    NotificationRejected,
    OrderRequest,
    OrderState,
    ProviderRefused,
    ProviderUnavailable,
    RefundRequest,
    RefundState,
    fen_from_yuan,
)

log = logging.getLogger(__name__)

PAY_TYPES = {"native": WeChatPayType.NATIVE, "h5": WeChatPayType.H5, "jsapi": WeChatPayType.JSAPI}
TRADE_STATES = {
    "SUCCESS": "paid",
    "REFUND": "paid",  # paid, then (partly) refunded: the payment itself happened
    "NOTPAY": "pending",
    "USERPAYING": "pending",
    "CLOSED": "closed",
    "REVOKED": "closed",
    "PAYERROR": "closed",
}
REFUND_STATES = {"SUCCESS": "paid", "PROCESSING": "processing", "ABNORMAL": "failed", "CLOSED": "failed"}
TIMEOUT = (5, 15)


class WeChatPayProvider:
    name = "wechat"

    def __init__(self, settings: Settings) -> None:
        assert settings.wechat_configured, "WeChat Pay settings are incomplete"
        self._appid = settings.wechat_sp_appid
        self._public_key_id = settings.wechat_public_key_id
        self._apiv3_key = settings.wechat_apiv3_key_file.read_text().strip()  # type: ignore[union-attr]
        self._max_age = dt.timedelta(minutes=settings.notification_max_age_minutes)
        self._client = WeChatPay(
            wechatpay_type=WeChatPayType.NATIVE,
            mchid=settings.wechat_sp_mchid,
            private_key=settings.wechat_private_key_file.read_text(),  # type: ignore[union-attr]
            cert_serial_no=settings.wechat_cert_serial_no,
            appid=settings.wechat_sp_appid,
            apiv3_key=self._apiv3_key,
            partner_mode=True,
            public_key=settings.wechat_public_key_file.read_text(),  # type: ignore[union-attr]
            public_key_id=settings.wechat_public_key_id,
            timeout=TIMEOUT,
            logger=log,
        )
        # The SDK has no setting for its gateway; production keeps WeChat's own.
        self._client._core._gate_way = settings.wechat_api_url.rstrip("/")

    async def _call(self, method: Any, /, **kwargs: Any) -> tuple[int, Any]:
        try:
            code, text = await asyncio.to_thread(method, **kwargs)
        except requests.RequestException as error:
            raise ProviderUnavailable(f"WeChat Pay not reached: {error}") from error
        except Exception as error:  # the SDK raises bare Exception for a response that fails verification
            raise ProviderUnavailable(f"WeChat Pay answer not accepted: {error}") from error
        if code >= 500:
            raise ProviderUnavailable(f"WeChat Pay answered {code}: {str(text)[:200]}")
        body = json.loads(text) if isinstance(text, str) and text else text
        return code, body

    @staticmethod
    def _refused(code: int, body: Any) -> ProviderRefused:
        if isinstance(body, dict):
            return ProviderRefused(str(body.get("code", code)), str(body.get("message", "")))
        return ProviderRefused(str(code), str(body)[:200])

    async def create(self, merchant: Merchant, order: OrderRequest, *, now: dt.datetime) -> CreatedOrder:
        extra: dict[str, Any] = {}
        if order.channel == "h5":
            extra["scene_info"] = {"payer_client_ip": order.client_ip, "h5_info": {"type": "Wap"}}
        if order.channel == "jsapi":
            extra["payer"] = {"sp_openid": order.openid}
        code, body = await self._call(
            self._client.pay,
            description=order.description,
            out_trade_no=order.out_trade_no,
            amount={"total": order.amount_fen, "currency": "CNY"},
            time_expire=arrow.get(order.expires_at).to("Asia/Shanghai").isoformat(timespec="seconds"),
            notify_url=order.notify_url,
            sub_mchid=merchant.sub_mchid,
            pay_type=PAY_TYPES[order.channel],
            **extra,
        )
        if code != 200:
            raise self._refused(code, body)
        if order.channel == "native":
            return CreatedOrder(code_url=body["code_url"])
        if order.channel == "h5":
            return CreatedOrder(pay_url=body["h5_url"])
        return CreatedOrder(prepay_id=body["prepay_id"], jsapi_params=self._jsapi_params(body["prepay_id"], now))

    def _jsapi_params(self, prepay_id: str, now: dt.datetime) -> dict[str, str]:
        """What the page inside WeChat hands to WeixinJSBridge, signed with our key."""
        timestamp, nonce, package = str(int(now.timestamp())), secrets.token_hex(16), f"prepay_id={prepay_id}"
        signature = self._client.sign([self._appid, timestamp, nonce, package])
        return {
            "appId": self._appid,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": signature,
        }

    async def query(self, merchant: Merchant, out_trade_no: str) -> OrderState:
        code, body = await self._call(self._client.query, out_trade_no=out_trade_no, sub_mchid=merchant.sub_mchid)
        if code == 404:
            return OrderState(status="not_found")
        if code != 200:
            raise self._refused(code, body)
        return OrderState(
            status=TRADE_STATES.get(body["trade_state"], "pending"),
            transaction_id=body.get("transaction_id", ""),
            amount_fen=int(body.get("amount", {}).get("total", 0)),
            paid_at=_instant(body.get("success_time")),
        )

    async def close(self, merchant: Merchant, out_trade_no: str) -> None:
        code, body = await self._call(self._client.close, out_trade_no=out_trade_no, sub_mchid=merchant.sub_mchid)
        if code not in (200, 204):
            raise self._refused(code, body)

    async def refund(self, merchant: Merchant, refund: RefundRequest) -> RefundState:
        code, body = await self._call(
            self._client.refund,
            out_refund_no=refund.out_refund_no,
            amount={"refund": refund.amount_fen, "total": refund.payment_total_fen, "currency": "CNY"},
            transaction_id=refund.transaction_id,
            reason=refund.reason[:80] or None,
            notify_url=refund.notify_url,
            sub_mchid=merchant.sub_mchid,
        )
        if code != 200:
            raise self._refused(code, body)
        return _refund_state(body)

    async def query_refund(self, merchant: Merchant, out_refund_no: str, out_trade_no: str) -> RefundState:
        code, body = await self._call(
            self._client.query_refund, out_refund_no=out_refund_no, sub_mchid=merchant.sub_mchid
        )
        if code == 404:
            return RefundState(status="not_found")
        if code != 200:
            raise self._refused(code, body)
        return _refund_state(body)

    def parse_notification(self, headers: Mapping[str, str], body: bytes, *, now: dt.datetime) -> Notice:
        wanted = {name.lower(): value for name, value in headers.items() if name.lower().startswith("wechatpay-")}
        try:
            signed_at = dt.datetime.fromtimestamp(int(wanted.get("wechatpay-timestamp", "")), dt.UTC)
        except ValueError:
            raise NotificationRejected("no signature timestamp") from None
        if wanted.get("wechatpay-serial") != self._public_key_id:
            # Checked here: for an unknown serial the SDK would fetch certificates, blocking, from the gateway.
            raise NotificationRejected("signed with a key that is not WeChat Pay's public key")
        if abs(now - signed_at) > self._max_age:
            raise NotificationRejected(
                f"signed at {signed_at.isoformat()}, too far from now: a replay or a wrong clock"
            )
        try:
            # The SDK reads these lower-case names (its "fastapi" form), verifies RSA-SHA256, decrypts AES-256-GCM.
            data = self._client.callback(wanted, body.decode("utf-8"))
        except Exception as error:
            raise NotificationRejected(f"not verifiable: {error}") from None
        if not data:
            raise NotificationRejected("signature or decryption failed")
        resource = data["resource"]
        event = str(data.get("event_type", ""))
        try:
            if event.startswith("REFUND."):
                return Notice(
                    provider=self.name,
                    notify_id=str(data["id"]),
                    event_type=event,
                    kind="refund",
                    status=REFUND_STATES.get(resource["refund_status"], "processing"),
                    out_trade_no=resource["out_trade_no"],
                    merchant_ref=resource.get("sub_mchid", ""),
                    amount_fen=int(resource["amount"]["refund"]),
                    transaction_id=resource.get("transaction_id", ""),
                    out_refund_no=resource["out_refund_no"],
                    refund_id=resource.get("refund_id", ""),
                    occurred_at=_instant(resource.get("success_time")),
                    payload=resource,
                )
            return Notice(
                provider=self.name,
                notify_id=str(data["id"]),
                event_type=event,
                kind="payment",
                status=TRADE_STATES.get(resource["trade_state"], "pending"),
                out_trade_no=resource["out_trade_no"],
                merchant_ref=resource.get("sub_mchid", ""),
                amount_fen=int(resource["amount"]["total"]),
                transaction_id=resource.get("transaction_id", ""),
                occurred_at=_instant(resource.get("success_time")),
                payload=resource,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise NotificationRejected(f"unexpected shape: {error!r}") from None

    def acknowledge(self, accepted: bool, reason: str = "") -> Acknowledgement:
        # WeChat: 200 or 204 means received, with no body; anything else is retried, with its JSON form.
        if accepted:
            return Acknowledgement(200, "application/json", b"")
        body = json.dumps({"code": "FAIL", "message": reason or "失败"}, ensure_ascii=False).encode()
        return Acknowledgement(400, "application/json", body)

    async def fetch_bill(self, merchant: Merchant, day: dt.date) -> list[BillLine]:
        code, body = await self._call(
            self._client.trade_bill, bill_date=day.isoformat(), bill_type="ALL", sub_mchid=merchant.sub_mchid
        )
        if code == 400 and isinstance(body, dict) and body.get("code") == "NO_STATEMENT_EXIST":
            return []
        if code != 200:
            raise self._refused(code, body)
        code, content = await self._call(self._client.download_bill, url=body["download_url"])
        if code != 200 or not isinstance(content, bytes):
            raise ProviderUnavailable(f"WeChat Pay bill download answered {code}")
        data = gzip.decompress(content)
        if hashlib.sha1(data).hexdigest() != str(body.get("hash_value", "")).lower():
            raise ProviderUnavailable("WeChat Pay bill does not match its hash")
        return parse_trade_bill(data.decode("utf-8-sig"))


def _refund_state(body: Mapping[str, Any]) -> RefundState:
    return RefundState(
        status=REFUND_STATES.get(body.get("status", ""), "processing"),
        refund_id=body.get("refund_id", ""),
        amount_fen=int(body.get("amount", {}).get("refund", 0)),
        finished_at=_instant(body.get("success_time")),
        error=body.get("status", "") if body.get("status") in ("ABNORMAL", "CLOSED") else "",
    )


def _instant(text: str | None) -> dt.datetime | None:
    return arrow.get(text).to("UTC").datetime if text else None


def parse_trade_bill(text: str) -> list[BillLine]:
    """WeChat's trade bill: a header row, data rows whose cells start with a backtick, then totals."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = lines[0].split(",")
    rows: list[BillLine] = []
    for line in lines[1:]:
        cells = [cell.lstrip("`") for cell in line.split(",")]
        if len(cells) != len(header):
            break  # the totals section
        row = dict(zip(header, cells, strict=True))
        fee = -fen_from_yuan(row["手续费"] or "0")  # WeChat states the fee charged: as money, it goes out
        if row["交易状态"] == "REFUND":
            rows.append(
                BillLine(
                    "refund",
                    row["微信退款单号"],
                    row["商户订单号"],
                    fen_from_yuan(row["退款金额"]),
                    fee,
                    row["商户退款单号"],
                )
            )
        else:
            rows.append(
                BillLine("payment", row["微信订单号"], row["商户订单号"], fen_from_yuan(row["应结订单金额"]), fee)
            )
    return rows
