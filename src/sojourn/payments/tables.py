"""Money: payment terms of tours, provincial prepayment rules, payees (merchant accounts),
instalments of a booking, payments and refunds at the providers, the ledger, fapiao requests,
the providers' notifications as received, and what the nightly reconciliation found.

Amounts are integer fen. Statuses are plain strings checked by the database. See docs/payments.md.
"""

from enum import Enum

from piccolo.columns import (
    JSONB,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from sojourn.accounts.tables import Account
from sojourn.alliance.tables import Member
from sojourn.bases.tables import Base
from sojourn.bookings.tables import Booking
from sojourn.tours.tables import Tour


class Provider(str, Enum):
    wechat = "wechat"
    alipay = "alipay"


class TourPaymentTerms(Table, tablename="tour_payment_terms"):
    """How a tour is paid. No row, or no ``balance_days_before``: everything at booking.

    Otherwise a deposit at booking (``deposit_fen`` per traveller, or ``deposit_percent`` of the
    total) and the balance by ``balance_days_before`` days before arrival (in the base's time zone).
    """

    tour = ForeignKey(Tour, on_delete=OnDelete.cascade, null=False, unique=True)
    balance_days_before = SmallInt(null=True, default=None)
    deposit_fen = Integer(null=True, default=None)
    deposit_percent = SmallInt(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())

    tour_payment_terms_shape = Check(
        "(balance_days_before IS NULL AND deposit_fen IS NULL AND deposit_percent IS NULL) OR "
        "(balance_days_before BETWEEN 1 AND 365 AND (deposit_fen IS NULL) <> (deposit_percent IS NULL) "
        "AND coalesce(deposit_fen, 1) > 0 AND coalesce(deposit_percent, 1) BETWEEN 1 AND 99)"
    )


class PrepaymentRule(Table, tablename="prepayment_rule"):
    """A member's (province's) limits on money taken before the stay, e.g. Ningxia: 6 months, 12x."""

    member = ForeignKey(Member, on_delete=OnDelete.cascade, null=False, unique=True)
    max_prepaid_months = SmallInt(null=True, default=None)  # fees paid ahead: at most this many months
    deposit_cap_months = SmallInt(null=True, default=None)  # a deposit: at most this many monthly bed fees
    source = Text(default="")  # the regulation, for the error message and the admin
    updated_at = Timestamptz(default=TimestamptzNow())

    prepayment_rule_positive = Check(
        "coalesce(max_prepaid_months, 1) BETWEEN 1 AND 120 AND coalesce(deposit_cap_months, 1) BETWEEN 1 AND 120"
    )


class Payee(Table, tablename="payee"):
    """A merchant account that receives seniors' money: a base's own, or its member's.

    WeChat Pay: a sub-merchant (``sub_mchid``) under the alliance's service-provider account.
    Alipay: a merchant that authorised the alliance's third-party app (``app_auth_token``,
    encrypted). The money settles into the merchant's own account, which is its escrow account.
    """

    provider = Varchar(length=8, choices=Provider)
    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=True, default=None)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None)
    merchant_name = Varchar(length=120, default="")
    wechat_sub_mchid = Varchar(length=32, null=True, default=None)
    alipay_merchant_pid = Varchar(length=32, null=True, default=None)
    alipay_app_auth_token_cipher = Bytea(null=True, default=None)
    escrow_bank = Varchar(length=80, default="")  # 存管银行: where the merchant's settlement account is
    escrow_account_tail = Varchar(length=8, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())

    payee_one_per_base = Unique(["provider", "base"])
    payee_one_per_member = Unique(["provider", "member"])
    payee_owner = Check("(base IS NULL) <> (member IS NULL)")
    payee_account_for_provider = Check(
        "(provider = 'wechat' AND wechat_sub_mchid IS NOT NULL) OR "
        "(provider = 'alipay' AND alipay_merchant_pid IS NOT NULL AND alipay_app_auth_token_cipher IS NOT NULL)"
    )


class InstalmentKind(str, Enum):
    full = "full"
    deposit = "deposit"
    balance = "balance"


class InstalmentStatus(str, Enum):
    due = "due"
    pending = "pending"  # a payment for it is open at a provider
    paid = "paid"
    overdue = "overdue"
    waived = "waived"  # no longer owed (cancelled before it was due)


class Instalment(Table, tablename="payment_instalment"):
    """One amount a booking owes, and by when."""

    booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=False)
    seq = SmallInt()
    kind = Varchar(length=8, choices=InstalmentKind)
    amount_fen = Integer()
    due_at = Timestamptz()
    status = Varchar(length=8, choices=InstalmentStatus, default=InstalmentStatus.due)
    paid_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    payment_instalment_once = Unique(["booking", "seq"])
    payment_instalment_amount = Check("amount_fen > 0")


class PaymentStatus(str, Enum):
    creating = "creating"  # written before the provider is asked, so no order exists only there
    pending = "pending"  # the provider has the order; the senior may pay
    paid = "paid"
    closed = "closed"  # expired or given up, closed at the provider, nothing paid
    failed = "failed"  # the provider refused to create it


class Payment(Table, tablename="payment"):
    """One order at a provider for one instalment."""

    booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=False)
    instalment = ForeignKey(Instalment, on_delete=OnDelete.restrict, null=False)
    payee = ForeignKey(Payee, on_delete=OnDelete.restrict, null=False)
    provider = Varchar(length=8, choices=Provider)
    channel = Varchar(length=8)
    out_trade_no = Varchar(length=32, unique=True)
    amount_fen = Integer()
    status = Varchar(length=8, choices=PaymentStatus, default=PaymentStatus.creating)
    provider_transaction_id = Varchar(length=64, null=True, default=None, unique=True)
    expires_at = Timestamptz()
    code_url = Text(default="")
    pay_url = Text(default="")
    prepay_id = Varchar(length=64, default="")
    created_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")

    payment_amount = Check("amount_fen > 0")
    payment_channel = Check(
        "(provider = 'wechat' AND channel IN ('native', 'h5', 'jsapi')) OR "
        "(provider = 'alipay' AND channel IN ('page', 'wap'))"
    )
    payment_paid_has_transaction = Check(
        "status <> 'paid' OR (provider_transaction_id IS NOT NULL AND paid_at IS NOT NULL)"
    )


class RefundStatus(str, Enum):
    scheduled = "scheduled"  # waits for ``not_before`` (the undo window) or its next attempt
    processing = "processing"  # the provider accepted it; the money is on its way
    paid = "paid"
    failed = "failed"  # gave up after the last attempt: an admin must act
    cancelled = "cancelled"  # the cancellation was undone before the refund went out


class Refund(Table, tablename="payment_refund"):
    """Money going back to the senior, through the provider and merchant that took it."""

    booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=False)
    payment = ForeignKey(Payment, on_delete=OnDelete.restrict, null=False)
    out_refund_no = Varchar(length=64, unique=True)
    amount_fen = Integer()
    status = Varchar(length=10, choices=RefundStatus, default=RefundStatus.scheduled)
    reason = Varchar(length=80, default="")
    attempts = SmallInt(default=0)
    not_before = Timestamptz()
    next_attempt_at = Timestamptz()
    provider_refund_id = Varchar(length=64, null=True, default=None, unique=True)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)

    payment_refund_amount = Check("amount_fen > 0")


class LedgerKind(str, Enum):
    payment = "payment"
    refund = "refund"
    fee = "fee"


class LedgerEntry(Table, tablename="ledger_entry"):
    """Money that moved, in fen: payments in (+), refunds and provider fees out (−).

    Written once per provider transaction or refund id (the unique constraint makes a replayed
    notification harmless). Entries are never updated or deleted.
    """

    booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=False)
    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False)  # the base's member: whose escrow
    payee = ForeignKey(Payee, on_delete=OnDelete.restrict, null=False)
    payment = ForeignKey(Payment, on_delete=OnDelete.restrict, null=True, default=None)
    refund = ForeignKey(Refund, on_delete=OnDelete.restrict, null=True, default=None)
    provider = Varchar(length=8, choices=Provider)
    kind = Varchar(length=8, choices=LedgerKind)
    provider_ref = Varchar(length=64)
    amount_fen = Integer()
    occurred_at = Timestamptz()
    recorded_at = Timestamptz(default=TimestamptzNow())

    ledger_entry_once = Unique(["provider", "kind", "provider_ref"])
    ledger_entry_sign = Check(
        "(kind = 'payment' AND amount_fen > 0 AND payment IS NOT NULL) OR "
        "(kind = 'refund' AND amount_fen < 0 AND refund IS NOT NULL) OR (kind = 'fee' AND amount_fen <> 0)"
    )


class InvoiceStatus(str, Enum):
    requested = "requested"
    issued = "issued"
    cancelled = "cancelled"


class InvoiceRequest(Table, tablename="invoice_request"):
    """A request for a fapiao (发票); finance issues it on the tax platform and marks it issued."""

    booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=False)
    requested_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    title_kind = Varchar(length=8)  # personal | company
    title = Varchar(length=100)
    tax_number = Varchar(length=20, default="")
    email = Varchar(length=254, default="")
    amount_fen = Integer()
    status = Varchar(length=10, choices=InvoiceStatus, default=InvoiceStatus.requested)
    invoice_number = Varchar(length=40, default="")
    requested_at = Timestamptz(default=TimestamptzNow())
    issued_at = Timestamptz(null=True, default=None)  # when finance recorded it
    issued_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)
    issued_on = Date(null=True, default=None)  # the date printed on the fapiao (开票日期)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Varchar(length=40, default="")  # a code, shown in words (invoices.CANCEL_REASONS)

    invoice_request_kind = Check("(title_kind = 'personal') OR (title_kind = 'company' AND tax_number <> '')")
    invoice_request_issued = Check(
        "status <> 'issued' OR (invoice_number <> '' AND issued_on IS NOT NULL AND issued_at IS NOT NULL)"
    )


class NotificationOutcome(str, Enum):
    processed = "processed"
    quarantined = "quarantined"  # verified, but it does not fit (unknown order, wrong amount): an admin looks
    ignored = "ignored"  # verified and harmless (an event we do not act on, an older state)


class ProviderNotification(Table, tablename="payment_notification"):
    """A verified notification from a provider, once per provider event id (dedupe and audit).

    Notifications that fail verification are never stored (they could come from anyone): they
    are logged and answered with the provider's failure format.
    """

    provider = Varchar(length=8, choices=Provider)
    notify_id = Varchar(length=64)
    event_type = Varchar(length=40)
    out_trade_no = Varchar(length=32, default="")
    out_refund_no = Varchar(length=64, default="")
    outcome = Varchar(length=12, choices=NotificationOutcome)
    reason = Text(default="")
    payload = JSONB(default={})
    received_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)

    payment_notification_once = Unique(["provider", "notify_id"])


class ReconciliationDifference(Table, tablename="reconciliation_difference"):
    """A line of a provider's daily bill that the ledger does not match, or the other way round."""

    provider = Varchar(length=8, choices=Provider)
    payee = ForeignKey(Payee, on_delete=OnDelete.restrict, null=False)
    bill_date = Date()
    kind = Varchar(length=20)  # missing_in_ledger | missing_in_bill | amount_differs
    reference = Varchar(length=64)  # the provider's transaction or refund id
    out_trade_no = Varchar(length=64, default="")
    bill_amount_fen = Integer(null=True, default=None)
    ledger_amount_fen = Integer(null=True, default=None)
    found_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)
    note = Text(default="")

    reconciliation_difference_once = Unique(["provider", "payee", "bill_date", "kind", "reference"])


class ReconciliationRun(Table, tablename="reconciliation_run"):
    """That a payee's bill of one day was compared, and how it went."""

    provider = Varchar(length=8, choices=Provider)
    payee = ForeignKey(Payee, on_delete=OnDelete.restrict, null=False)
    bill_date = Date()
    bill_lines = Integer(default=0)
    differences = Integer(default=0)
    error = Text(default="")
    ran_at = Timestamptz()

    reconciliation_run_once = Unique(["provider", "payee", "bill_date"])
