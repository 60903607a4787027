"""What the sandbox provider knows: orders, their refunds, and the faults asked for.

The provider's own truth, in memory (a restart forgets it, as a test double may). Times are real
time: the sandbox is another party with its own clock, like the real providers.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

FEE_PER_MILLE = 6  # 0.6 %, as WeChat Pay and Alipay charge many merchants
CHINA = dt.timezone(dt.timedelta(hours=8))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fee_for(amount_fen: int) -> int:
    return (amount_fen * FEE_PER_MILLE + 500) // 1000


@dataclass
class SandboxRefund:
    out_refund_no: str
    refund_id: str
    amount_fen: int
    status: str  # PROCESSING | SUCCESS | ABNORMAL
    created_at: dt.datetime
    notify_url: str = ""
    success_at: dt.datetime | None = None

    @property
    def fee_fen(self) -> int:
        return -fee_for(self.amount_fen)


@dataclass
class SandboxOrder:
    provider: str  # wechat | alipay
    out_trade_no: str
    merchant: str  # WeChat sub_mchid, or the Alipay merchant's PID
    amount_fen: int
    description: str
    channel: str
    notify_url: str
    expires_at: dt.datetime
    return_url: str = ""
    token: str = field(default_factory=lambda: secrets.token_urlsafe(12))  # names the order on the phone page
    status: str = "NOTPAY"  # NOTPAY | SUCCESS | CLOSED
    transaction_id: str = ""
    paid_at: dt.datetime | None = None
    created_at: dt.datetime = field(default_factory=now)
    refunds: list[SandboxRefund] = field(default_factory=list)

    @property
    def expired(self) -> bool:
        return self.status == "NOTPAY" and now() >= self.expires_at

    @property
    def state(self) -> str:
        """As a query sees it: an unpaid order past its time is closed."""
        if self.expired:
            return "CLOSED"
        if self.status == "SUCCESS" and self.refunded_fen:
            return "REFUND"
        return self.status

    @property
    def refunded_fen(self) -> int:
        return sum(r.amount_fen for r in self.refunds if r.status in ("PROCESSING", "SUCCESS"))

    def refund(self, out_refund_no: str) -> SandboxRefund | None:
        return next((r for r in self.refunds if r.out_refund_no == out_refund_no), None)


@dataclass
class Faults:
    """Misbehaviour asked for by a test or a demo (POST /sandbox/control/faults)."""

    failing_refunds: int = 0  # the next n refund requests are refused (merchant balance too low)
    abnormal_refunds: int = 0  # WeChat: the next n refunds are accepted, then end ABNORMAL
    hold_notifications: bool = False  # keep notifications until released (to deliver out of order)


@dataclass
class SandboxState:
    orders: dict[tuple[str, str], SandboxOrder] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)

    def add(self, order: SandboxOrder) -> SandboxOrder:
        self.orders[(order.provider, order.out_trade_no)] = order
        return order

    def find(self, provider: str, out_trade_no: str) -> SandboxOrder | None:
        return self.orders.get((provider, out_trade_no))

    def by_token(self, token: str) -> SandboxOrder | None:
        return next((o for o in self.orders.values() if o.token == token), None)

    def by_transaction(self, transaction_id: str) -> SandboxOrder | None:
        return next((o for o in self.orders.values() if o.transaction_id == transaction_id), None)

    def mark_paid(self, order: SandboxOrder) -> bool:
        """The senior pays. False if the order can no longer be paid."""
        if order.status != "NOTPAY" or order.expired:
            return False
        order.status = "SUCCESS"
        order.paid_at = now()
        stamp = order.paid_at.astimezone(CHINA).strftime("%Y%m%d")
        digits = "".join(secrets.choice("0123456789") for _ in range(14))
        order.transaction_id = f"4200{stamp}{digits}" if order.provider == "wechat" else f"{stamp}2200{digits}"
        return True

    def day_lines(
        self, provider: str, merchant: str, day: dt.date
    ) -> list[tuple[str, SandboxOrder, SandboxRefund | None]]:
        """Payments and refunds completed on ``day`` (Beijing date) for one merchant, for its bill."""
        lines: list[tuple[str, SandboxOrder, SandboxRefund | None]] = []
        for order in self.orders.values():
            if order.provider != provider or order.merchant != merchant:
                continue
            if order.paid_at and order.paid_at.astimezone(CHINA).date() == day:
                lines.append(("payment", order, None))
            for refund in order.refunds:
                if (
                    refund.status == "SUCCESS"
                    and refund.success_at
                    and refund.success_at.astimezone(CHINA).date() == day
                ):
                    lines.append(("refund", order, refund))
        return lines
