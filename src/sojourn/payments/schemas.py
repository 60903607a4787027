"""Payments, refund schedules and fapiao requests as the API reads and writes them."""

import datetime as dt
from typing import Annotated, Literal

import msgspec

Openid = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class PaymentIn(msgspec.Struct, forbid_unknown_fields=True):
    provider: Literal["wechat", "alipay"]
    channel: Literal["native", "h5", "jsapi", "page", "wap"]
    openid: Openid | None = None  # WeChat JSAPI only: the payer inside WeChat


class PaymentOut(msgspec.Struct):
    id: int
    status: str  # pending | paid | closed | failed
    provider: str
    channel: str
    kind: str  # the instalment paid: full | deposit | balance
    amount_fen: int
    expires_at: dt.datetime
    out_trade_no: str
    transaction_id: str | None = None
    paid_at: dt.datetime | None = None
    code_url: str | None = None
    pay_url: str | None = None
    jsapi_params: dict[str, str] | None = None


class RefundWindowOut(msgspec.Struct):
    first_day: dt.date
    last_day: dt.date
    refund_percent: int
    refund_fen: int


class PaymentsOut(msgspec.Struct):
    items: list[PaymentOut]
    total: int
    paid_fen: int
    refunded_fen: int
    refund_status: str
    # What cancelling on each day gives back of what has been paid so far (base's dates).
    refund_schedule: list[RefundWindowOut]


Title = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
TaxNumber = Annotated[str, msgspec.Meta(pattern=r"^[0-9A-HJ-NPQRTUWXY]{15,20}$")]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class InvoiceRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    tax_number: TaxNumber | None = None  # a company title needs one (统一社会信用代码)
    email: Email | None = None


class InvoiceRequestOut(msgspec.Struct):
    id: int
    booking_id: int
    title_kind: str  # personal | company
    title: str
    tax_number: str
    email: str
    amount_fen: int
    status: str  # requested | issued | cancelled
    requested_at: dt.datetime
