"""The audit log of sensitive actions. Append-only; it references ids without foreign keys
so that erasing a person never has to rewrite history."""

from piccolo.columns import JSONB, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = Integer(null=True, default=None, index=True)
    actor_role = Varchar(length=12, default="")
    on_behalf_of_account_id = Integer(null=True, default=None)
    action = Varchar(length=40, index=True)
    object_type = Varchar(length=30, default="")
    object_id = Integer(null=True, default=None)
    ip = Varchar(length=45, default="")
    detail = JSONB(default={})
