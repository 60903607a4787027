"""Alipay through ``python-alipay-sdk``, as a third-party app acting for each merchant (ISV with
``app_auth_token``): page pay on a computer, wap pay on a phone browser, trade query, close,
refund, refund query, RSA2-verified notifications and the daily bill's download URL.

The money settles into the authorising merchant's own account. The SDK's gateway is Alipay's
production one unless the settings name another (the sandbox): that is the only difference.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import logging
import zipfile
from collections.abc import Callable, Mapping
from typing import Any
from urllib.error import URLError
from urllib.parse import parse_qsl

import arrow
import httpx
from alipay import AliPay, ISVAliPay
from alipay.exceptions import AliPayException, AliPayValidationError

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
    yuan,
)

log = logging.getLogger(__name__)

CHINA = "Asia/Shanghai"  # Alipay's times are Beijing time without an offset
TRADE_STATES = {
    "WAIT_BUYER_PAY": "pending",
    "TRADE_SUCCESS": "paid",
    "TRADE_FINISHED": "paid",
    "TRADE_CLOSED": "closed",
}
NOT_FOUND = ("ACQ.TRADE_NOT_EXIST",)


class AlipayProvider:
    name = "alipay"

    def __init__(self, settings: Settings) -> None:
        assert settings.alipay_configured, "Alipay settings are incomplete"
        self._app_id = settings.alipay_app_id
        self._gateway = settings.alipay_gateway_url
        self._private_key = settings.alipay_private_key_file.read_text()  # type: ignore[union-attr]
        self._alipay_public_key = settings.alipay_public_key_file.read_text()  # type: ignore[union-attr]
        self._verifier = AliPay(
            appid=self._app_id,
            app_private_key_string=self._private_key,
            alipay_public_key_string=self._alipay_public_key,
            sign_type="RSA2",
        )
        self._clients: dict[str, ISVAliPay] = {}

    def _client(self, merchant: Merchant) -> ISVAliPay:
        client = self._clients.get(merchant.app_auth_token)
        if client is None:
            client = ISVAliPay(
                appid=self._app_id,
                app_private_key_string=self._private_key,
                alipay_public_key_string=self._alipay_public_key,
                sign_type="RSA2",
                app_auth_token=merchant.app_auth_token,
            )
            client._gateway = self._gateway  # the SDK knows only Alipay's own gateways
            self._clients[merchant.app_auth_token] = client
        return client

    async def _call(self, method: Callable[..., Any], /, **kwargs: Any) -> dict[str, Any]:
        try:
            return await asyncio.to_thread(method, **kwargs)
        except AliPayValidationError as error:
            raise ProviderUnavailable("Alipay answer's signature did not verify") from error
        except AliPayException as error:
            raise ProviderUnavailable(f"Alipay answered without a signature: {error}") from error
        except (URLError, OSError, ValueError) as error:
            raise ProviderUnavailable(f"Alipay not reached: {error}") from error

    @staticmethod
    def _refused(answer: Mapping[str, Any]) -> ProviderRefused:
        return ProviderRefused(str(answer.get("sub_code") or answer.get("code")), str(answer.get("sub_msg", "")))

    async def create(self, merchant: Merchant, order: OrderRequest, *, now: dt.datetime) -> CreatedOrder:
        client = self._client(merchant)
        build = client.api_alipay_trade_page_pay if order.channel == "page" else client.api_alipay_trade_wap_pay
        signed = build(
            subject=order.description,
            out_trade_no=order.out_trade_no,
            total_amount=yuan(order.amount_fen),
            return_url=order.return_url or None,
            notify_url=order.notify_url,
            time_expire=arrow.get(order.expires_at).to(CHINA).format("YYYY-MM-DD HH:mm:ss"),
        )
        # Nothing is sent now: the senior's browser carries the signed request to Alipay's cashier.
        return CreatedOrder(pay_url=f"{self._gateway}?{signed}")

    async def query(self, merchant: Merchant, out_trade_no: str) -> OrderState:
        answer = await self._call(self._client(merchant).api_alipay_trade_query, out_trade_no=out_trade_no)
        if answer.get("code") != "10000":
            if answer.get("sub_code") in NOT_FOUND:
                return OrderState(status="not_found")
            raise self._refused(answer)
        return OrderState(
            status=TRADE_STATES.get(answer.get("trade_status", ""), "pending"),
            transaction_id=answer.get("trade_no", ""),
            amount_fen=fen_from_yuan(answer.get("total_amount", "0")),
            paid_at=_instant(answer.get("send_pay_date")),
        )

    async def close(self, merchant: Merchant, out_trade_no: str) -> None:
        answer = await self._call(self._client(merchant).api_alipay_trade_close, out_trade_no=out_trade_no)
        # Never opened at the cashier: Alipay has no trade to close, and none can be paid any more.
        if answer.get("code") != "10000" and answer.get("sub_code") not in NOT_FOUND:
            raise self._refused(answer)

    async def refund(self, merchant: Merchant, refund: RefundRequest) -> RefundState:
        answer = await self._call(
            self._client(merchant).api_alipay_trade_refund,
            refund_amount=yuan(refund.amount_fen),
            out_trade_no=refund.out_trade_no,
            out_request_no=refund.out_refund_no,
            refund_reason=refund.reason[:80],
        )
        if answer.get("code") != "10000":
            return RefundState(status="failed", error=str(answer.get("sub_code") or answer.get("code")))
        if answer.get("fund_change") != "Y":
            # The same request was made before (a retry): ask what became of it.
            return await self.query_refund(merchant, refund.out_refund_no, refund.out_trade_no)
        return RefundState(
            status="paid",
            refund_id=_refund_reference(answer.get("trade_no", refund.transaction_id), refund.out_refund_no),
            amount_fen=refund.amount_fen,
            finished_at=_instant(answer.get("gmt_refund_pay")),
        )

    async def query_refund(self, merchant: Merchant, out_refund_no: str, out_trade_no: str) -> RefundState:
        answer = await self._call(
            self._client(merchant).api_alipay_trade_fastpay_refund_query,
            out_request_no=out_refund_no,
            out_trade_no=out_trade_no,
        )
        if answer.get("code") != "10000":
            if answer.get("sub_code") in NOT_FOUND:
                return RefundState(status="not_found")
            raise self._refused(answer)
        if answer.get("refund_status") != "REFUND_SUCCESS":
            return RefundState(status="not_found")
        return RefundState(
            status="paid",
            refund_id=_refund_reference(answer.get("trade_no", ""), out_refund_no),
            amount_fen=fen_from_yuan(answer.get("refund_amount", "0")),
            finished_at=_instant(answer.get("gmt_refund_pay")),
        )

    def parse_notification(self, headers: Mapping[str, str], body: bytes, *, now: dt.datetime) -> Notice:
        try:
            data = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError):
            raise NotificationRejected("not a form") from None
        signature = data.pop("sign", "")
        try:
            verified = bool(signature) and self._verifier.verify(dict(data), signature)
        except (AliPayException, ValueError, TypeError) as error:
            raise NotificationRejected(f"not verifiable: {error}") from None
        if not verified:
            raise NotificationRejected("signature does not verify")
        if data.get("app_id") != self._app_id:
            raise NotificationRejected(f"for another app: {data.get('app_id')!r}")
        try:
            common: dict[str, Any] = {
                "provider": self.name,
                "notify_id": data["notify_id"],
                "event_type": data.get("trade_status", ""),
                "out_trade_no": data["out_trade_no"],
                "merchant_ref": data.get("seller_id", ""),
                "transaction_id": data.get("trade_no", ""),
                "payload": data,
            }
            if data.get("out_biz_no") and data.get("refund_fee"):
                return Notice(
                    kind="refund",
                    status="paid",
                    amount_fen=fen_from_yuan(data["refund_fee"]),
                    out_refund_no=data["out_biz_no"],
                    refund_id=_refund_reference(data.get("trade_no", ""), data["out_biz_no"]),
                    occurred_at=_instant(data.get("gmt_refund")),
                    **common,
                )
            return Notice(
                kind="payment",
                status=TRADE_STATES.get(data.get("trade_status", ""), "pending"),
                amount_fen=fen_from_yuan(data["total_amount"]),
                occurred_at=_instant(data.get("gmt_payment")),
                **common,
            )
        except (KeyError, ValueError, ArithmeticError) as error:
            raise NotificationRejected(f"unexpected shape: {error!r}") from None

    def acknowledge(self, accepted: bool, reason: str = "") -> Acknowledgement:
        # Alipay reads the body only: "success" stops its retries, anything else asks for them.
        return Acknowledgement(200 if accepted else 400, "text/plain", b"success" if accepted else b"fail")

    async def fetch_bill(self, merchant: Merchant, day: dt.date) -> list[BillLine]:
        answer = await self._call(
            self._client(merchant).server_api,
            api_name="alipay.data.dataservice.bill.downloadurl.query",
            biz_content={"bill_type": "trade", "bill_date": day.isoformat()},
        )
        if answer.get("code") != "10000":
            if answer.get("sub_code") == "isp.bill_not_exist":
                return []
            raise self._refused(answer)
        try:
            async with httpx.AsyncClient(timeout=15) as http:
                response = await http.get(answer["bill_download_url"])
        except httpx.HTTPError as error:
            raise ProviderUnavailable(f"Alipay bill not downloaded: {error}") from error
        if response.status_code != 200:
            raise ProviderUnavailable(f"Alipay bill download answered {response.status_code}")
        return parse_trade_bill(response.content)


def _refund_reference(trade_no: str, out_request_no: str) -> str:
    """Alipay gives a refund no id of its own: the trade and our request number name it."""
    return f"{trade_no}:{out_request_no}"


def _instant(text: str | None) -> dt.datetime | None:
    """Alipay's times are Beijing wall-clock times; refund times carry milliseconds ("2015-04-28 15:45:57.320")."""
    if not text:
        return None
    return arrow.get(text, ["YYYY-MM-DD HH:mm:ss.S", "YYYY-MM-DD HH:mm:ss"], tzinfo=CHINA).to("UTC").datetime


def parse_trade_bill(zipped: bytes) -> list[BillLine]:
    """Alipay's trade bill: a zip holding GBK CSV files; the 业务明细 one lists payments (交易) and refunds (退款)."""
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        names = [name for name in archive.namelist() if "业务明细" in name and "汇总" not in name]
        if not names:
            return []
        text = archive.read(names[0]).decode("gbk")
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    lines: list[BillLine] = []
    for row in csv.DictReader(rows):
        cells = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        kind = cells.get("业务类型")
        if kind == "交易":
            lines.append(
                BillLine(
                    "payment",
                    cells["支付宝交易号"],
                    cells["商户订单号"],
                    abs(fen_from_yuan(cells["订单金额（元）"])),
                    fen_from_yuan(cells["服务费（元）"] or "0"),
                )
            )
        elif kind == "退款":
            lines.append(
                BillLine(
                    "refund",
                    _refund_reference(cells["支付宝交易号"], cells["退款批次号/请求号"]),
                    cells["商户订单号"],
                    abs(fen_from_yuan(cells["订单金额（元）"])),
                    fen_from_yuan(cells["服务费（元）"] or "0"),
                    cells["退款批次号/请求号"],
                )
            )
    return lines
