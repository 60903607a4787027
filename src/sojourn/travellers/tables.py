"""The people trips are for, managed by an account; and hotline agents' consents to act for them."""

from enum import Enum

from piccolo.columns import Boolean, Bytea, Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check
from piccolo.table import Table

from sojourn.accounts.tables import Account


class Gender(str, Enum):
    female = "female"
    male = "male"
    unspecified = "unspecified"


class Traveller(Table, tablename="traveller"):
    """A senior (or a companion) who travels. The identity number is stored encrypted."""

    account = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=60)
    birth_date = Date()
    gender = Varchar(length=12, choices=Gender, default=Gender.unspecified)
    phone = Varchar(length=11, null=True, default=None)
    home_province_code = Varchar(length=6)
    # No masked copy in clear: with the birth date and province stored, any digits kept would
    # narrow the number to a handful of candidates. Pages mask what they decrypt.
    id_number_cipher = Bytea(null=True, default=None)
    # HMAC of the identity number: lets a hotline agent find a senior without decrypting anything.
    id_number_digest = Varchar(length=64, null=True, default=None, index=True)
    emergency_name = Varchar(length=60, default="")
    emergency_phone = Varchar(length=20, default="")
    emergency_relation = Varchar(length=30, default="")
    is_account_holder = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    traveller_province_code_shape = Check("home_province_code ~ '^[1-9][0-9]0000$'")


class AgentMandate(Table, tablename="agent_mandate"):
    """A senior's consent that hotline agents may book and declare on their behalf."""

    traveller = ForeignKey(Traveller, on_delete=OnDelete.restrict, null=False)
    recorded_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    method = Varchar(length=20, default="phone_call")  # phone_call, in_person, written
    reference = Varchar(length=60, default="")  # e.g. the hotline call id
    recorded_at = Timestamptz(default=TimestamptzNow())
    withdrawn_at = Timestamptz(null=True, default=None)
