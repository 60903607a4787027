"""The notification outbox: written in the same transaction as the event it announces."""

from enum import Enum

from piccolo.columns import JSONB, ForeignKey, OnDelete, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sojourn.accounts.tables import Account


class OutboxStatus(str, Enum):
    pending = "pending"
    # Claimed by a delivery run until ``deliver_after`` (the lease): then it may be claimed again.
    sending = "sending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry


class OutboxMessage(Table, tablename="outbox_message"):
    kind = Varchar(length=40)  # hold_made, booking_confirmed, offer_made, declaration_due, ...
    account = ForeignKey(Account, on_delete=OnDelete.cascade, null=False)
    payload = JSONB(default={})
    # Makes "never sent twice" a constraint: one message per event and recipient.
    dedupe_key = Varchar(length=120, unique=True)
    status = Varchar(length=8, choices=OutboxStatus, default=OutboxStatus.pending)
    attempts = SmallInt(default=0)
    deliver_after = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
