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
# Checked in words by invoices.check_request (length, characters, the GB 32100 check character).
TaxNumber = Annotated[str, msgspec.Meta(max_length=40)]
Email = Annotated[str, msgspec.Meta(max_length=254)]  # its form is checked in words by invoices.check_request
# 数电票 (fully digital fapiao): 20 digits; a paper fapiao's number: 8 digits.
InvoiceNumber = Annotated[str, msgspec.Meta(max_length=40)]


class InvoiceRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    # personal | company; left out: a company when a tax number is given, else personal
    title_kind: Literal["personal", "company"] | None = None
    tax_number: TaxNumber | None = None  # a company title needs one (统一社会信用代码)
    email: Email | None = None


class InvoiceRequestOut(msgspec.Struct):
    id: int
    booking_id: int
    title_kind: str  # personal | company
    title: str
    tax_number: str
    email: str
    amount_fen: int  # paid and not refunded, less what issued fapiao cover (now, while requested)
    status: str  # requested | issued | cancelled
    requested_at: dt.datetime
    invoice_number: str = ""
    issued_on: dt.date | None = None
    cancel_reason: str = ""  # refunded_in_full
    on_behalf: bool = False  # asked by the hotline for the senior


class InvoiceQueueItem(msgspec.Struct):
    """A fapiao request as finance reads it."""

    id: int
    booking_id: int
    booking_reference: str
    member_id: int
    member_name: str
    base_name: str
    title_kind: str
    title: str
    tax_number: str
    email: str
    amount_fen: int
    status: str
    requested_at: dt.datetime
    on_behalf: bool
    invoice_number: str
    issued_on: dt.date | None
    cancel_reason: str
    # Issued, then refunded: what the issued fapiao cover beyond the money kept (a red-letter fapiao may be due).
    refunded_after_issue_fen: int


class InvoiceIssuedIn(msgspec.Struct, forbid_unknown_fields=True):
    invoice_number: InvoiceNumber
    issued_on: dt.date
