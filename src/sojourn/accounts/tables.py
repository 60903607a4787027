"""Accounts, their roles and scopes, and API tokens."""

from enum import Enum

from piccolo.columns import Array, Boolean, ForeignKey, Integer, OnDelete, SmallInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from sojourn.alliance.tables import Member
from sojourn.bases.tables import Base


class Role(str, Enum):
    traveller = "traveller"  # a senior or a family member, booking for the travellers it manages
    agent = "agent"  # hotline staff, booking for seniors who consented
    operator = "operator"  # base staff, scoped to named bases
    coordinator = "coordinator"  # alliance staff: aggregates for the whole alliance or named members
    admin = "admin"


class AccountStatus(str, Enum):
    active = "active"
    disabled = "disabled"


class Account(Table, tablename="account"):
    """Someone who signs in, by mainland mobile number or e-mail address."""

    role = Varchar(length=12, choices=Role, default=Role.traveller)
    phone = Varchar(length=11, null=True, default=None, unique=True)
    email = Varchar(length=254, null=True, default=None, unique=True)
    password_hash = Varchar(length=200)
    display_name = Varchar(length=60)
    locale = Varchar(length=8, default="zh_CN")
    elder_mode = Boolean(default=False)
    status = Varchar(length=10, choices=AccountStatus, default=AccountStatus.active)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)

    account_has_a_login = Check("phone IS NOT NULL OR email IS NOT NULL")
    account_email_is_lowercase = Check("email IS NULL OR email = lower(email)")


class AccountBase(Table, tablename="account_base"):
    """A base an operator account works for."""

    account = ForeignKey(Account, on_delete=OnDelete.cascade, null=False)
    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)

    account_base_once = Unique(["account", "base"])


class AccountMember(Table, tablename="account_member"):
    """A member a coordinator account is limited to (none: the whole alliance)."""

    account = ForeignKey(Account, on_delete=OnDelete.cascade, null=False)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False)

    account_member_once = Unique(["account", "member"])


class ApiToken(Table, tablename="api_token"):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    account = ForeignKey(Account, on_delete=OnDelete.cascade, null=False)
    token_hash = Varchar(length=64, unique=True)
    label = Varchar(length=60, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class OperatorInvitation(Table, tablename="operator_invitation"):
    """A base staff account to be: asked for by a coordinator or an admin, approved by an admin,
    then accepted by the person with a one-time code (kept only as a keyed digest) with which
    they set their own password. Nobody else ever knows an operator's password."""

    login = Varchar(length=254)
    display_name = Varchar(length=60)
    base_ids = Array(Integer())
    status = Varchar(length=10, default="requested")  # requested, approved, declined, accepted
    requested_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    requested_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    code_hash = Varchar(length=64, null=True, default=None, unique=True)
    expires_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    account = ForeignKey(Account, on_delete=OnDelete.set_null, null=True, default=None)

    operator_invitation_status = Check("status IN ('requested', 'approved', 'declined', 'accepted')")


class BaseGrantRequest(Table, tablename="base_grant_request"):
    """A coordinator asks that an operator also work for a base; an administrator decides."""

    account = ForeignKey(Account, on_delete=OnDelete.cascade, null=False)
    base = ForeignKey(Base, on_delete=OnDelete.cascade, null=False)
    status = Varchar(length=10, default="pending")  # pending, approved, declined
    requested_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    requested_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)

    base_grant_request_status = Check("status IN ('pending', 'approved', 'declined')")


class OneTimeCode(Table, tablename="one_time_code"):
    """A short code sent to a phone or e-mail address: to reset a password, or to show at
    registration that the number is one's own. Kept as a keyed digest; few tries; expires."""

    purpose = Varchar(length=10)  # reset, register
    login = Varchar(length=254, index=True)
    code_hash = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    attempts = SmallInt(default=0)
    used_at = Timestamptz(null=True, default=None)

    one_time_code_purpose = Check("purpose IN ('reset', 'register')")
