"""One small interface for both payment providers, so the rest of Sojourn never branches on the
provider except to pick one (``registry.provider``).

Every method talks to the provider through its real SDK (``wechatpayv3``, ``python-alipay-sdk``);
the SDKs are synchronous, so calls run in a worker thread. A provider that cannot be reached, or
answers with a signature that does not verify, raises ``ProviderUnavailable`` (try again later,
nothing is known); a provider that answers "no" raises ``ProviderRefused``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True)
class Merchant:
    """The payee an order is for: a WeChat Pay sub-merchant, or an Alipay merchant's authorisation."""

    payee_id: int
    sub_mchid: str = ""
    app_auth_token: str = ""
    alipay_pid: str = ""


@dataclass(frozen=True)
class OrderRequest:
    out_trade_no: str
    amount_fen: int
    description: str
    channel: str  # wechat: native | h5 | jsapi; alipay: page | wap
    expires_at: dt.datetime
    notify_url: str
    return_url: str = ""  # where Alipay's cashier sends the senior back
    client_ip: str = "127.0.0.1"  # WeChat H5 needs the payer's address
    openid: str = ""  # WeChat JSAPI: the payer inside WeChat


@dataclass(frozen=True)
class CreatedOrder:
    code_url: str = ""  # WeChat Native: shown as a QR code
    pay_url: str = ""  # WeChat H5 or Alipay: where the senior's browser goes
    prepay_id: str = ""
    jsapi_params: dict[str, str] = field(default_factory=dict)  # WeChat JSAPI: for WeixinJSBridge


@dataclass(frozen=True)
class OrderState:
    """What the provider says about an order: pending, paid, closed, or not_found."""

    status: str
    transaction_id: str = ""
    amount_fen: int = 0
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class RefundRequest:
    out_refund_no: str
    out_trade_no: str
    transaction_id: str
    amount_fen: int
    payment_total_fen: int
    reason: str
    notify_url: str


@dataclass(frozen=True)
class RefundState:
    """processing, paid, failed, or not_found."""

    status: str
    refund_id: str = ""
    amount_fen: int = 0
    finished_at: dt.datetime | None = None
    error: str = ""


@dataclass(frozen=True)
class Notice:
    """A verified, decoded notification. ``kind`` is payment or refund; ``status`` as in the states above."""

    provider: str
    notify_id: str
    event_type: str
    kind: str
    status: str
    out_trade_no: str
    merchant_ref: str  # sub_mchid or Alipay seller id: whose order it says this is
    amount_fen: int
    transaction_id: str = ""
    out_refund_no: str = ""
    refund_id: str = ""
    occurred_at: dt.datetime | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BillLine:
    """One line of a provider's daily bill: a payment in or a refund out, with the provider's fee."""

    kind: str  # payment | refund
    reference: str  # transaction id, or refund id
    out_trade_no: str
    amount_fen: int  # positive, as money moved
    fee_fen: int = 0  # the provider's fee as money for the merchant: negative when charged, positive when given back
    out_refund_no: str = ""


@dataclass(frozen=True)
class Acknowledgement:
    """The answer a provider expects to a notification."""

    status_code: int
    media_type: str
    body: bytes


class ProviderUnavailable(Exception):
    """Not reached, timed out, or an answer we could not verify: the outcome is unknown."""


class ProviderRefused(Exception):
    """The provider answered and said no (``code`` is its own)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class NotificationRejected(Exception):
    """A notification that does not verify (signature, decryption, age, shape): nothing is done."""


class PaymentProvider(Protocol):
    name: str

    async def create(self, merchant: Merchant, order: OrderRequest, *, now: dt.datetime) -> CreatedOrder: ...

    async def query(self, merchant: Merchant, out_trade_no: str) -> OrderState: ...

    async def close(self, merchant: Merchant, out_trade_no: str) -> None: ...

    async def refund(self, merchant: Merchant, refund: RefundRequest) -> RefundState: ...

    async def query_refund(self, merchant: Merchant, out_refund_no: str, out_trade_no: str) -> RefundState: ...

    def parse_notification(self, headers: Mapping[str, str], body: bytes, *, now: dt.datetime) -> Notice: ...

    def acknowledge(self, accepted: bool, reason: str = "") -> Acknowledgement: ...

    async def fetch_bill(self, merchant: Merchant, day: dt.date) -> list[BillLine]: ...


def yuan(fen: int) -> str:
    """Fen as the yuan string Alipay and bills use: 12345 -> "123.45"."""
    return f"{fen // 100}.{fen % 100:02d}"


def fen_from_yuan(text: str) -> int:
    """ "123.45" -> 12345, exactly; anything else is a ValueError."""
    value = Decimal(text.strip()) * 100
    if value != value.to_integral_value():
        raise ValueError(f"not a whole number of fen: {text!r}")
    return int(value)
