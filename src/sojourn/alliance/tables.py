"""Alliance members (provincial organisations) and their bilateral agreements."""

from enum import Enum

from piccolo.columns import Array, Date, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table


class TripMode(str, Enum):
    migratory = "migratory"  # 候鸟式: seasonal long stays inside a window
    vacation = "vacation"  # 度假式: fixed-date resort stays
    interactive = "interactive"  # 互动式: reciprocal exchange between two members


class MemberStatus(str, Enum):
    active = "active"
    suspended = "suspended"


class Member(Table, tablename="member"):
    """A provincial organisation in the alliance, named by its GB/T 2260 province code."""

    code = Varchar(length=6, unique=True)
    name_zh = Varchar(length=40)
    name_en = Varchar(length=60)
    organisation_zh = Varchar(length=120, default="")
    organisation_en = Varchar(length=160, default="")
    status = Varchar(length=12, choices=MemberStatus, default=MemberStatus.active)
    joined_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    member_province_code_shape = Check("code ~ '^[1-9][0-9]0000$'")


class Agreement(Table, tablename="agreement"):
    """A bilateral cooperation agreement between two members, for some trip modes.

    The pair is stored once, lowest member id first.
    """

    member_a = ForeignKey(Member, on_delete=OnDelete.restrict, null=False)
    member_b = ForeignKey(Member, on_delete=OnDelete.restrict, null=False)
    modes = Array(Varchar(length=12))
    signed_on = Date()
    expires_on = Date(null=True, default=None)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())

    agreement_one_agreement_per_pair = Unique(["member_a", "member_b"])
    agreement_pair_is_ordered = Check("member_a < member_b")
    agreement_modes_are_known = Check(
        "cardinality(modes) > 0 AND modes <@ ARRAY['migratory','vacation','interactive']::varchar[]"
    )
