"""Alliance administration as the API reads and writes it: members, agreements, bases, base staff."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from sojourn.alliance.tables import TripMode
from sojourn.dates import BoundedDates
from sojourn.ids import RowId

ProvinceCode = Annotated[str, msgspec.Meta(pattern=r"^[1-9][0-9]0000$", description="GB/T 2260 province code")]
NameZh = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
NameEn = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
OrganisationZh = Annotated[str, msgspec.Meta(max_length=120)]
OrganisationEn = Annotated[str, msgspec.Meta(max_length=160)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]
Modes = Annotated[list[TripMode], msgspec.Meta(min_length=1, max_length=3)]
Id = RowId


class MemberIn(BoundedDates, forbid_unknown_fields=True, kw_only=True):
    code: ProvinceCode
    name_zh: NameZh
    name_en: NameEn
    organisation_zh: OrganisationZh = ""
    organisation_en: OrganisationEn = ""
    joined_on: dt.date | None = None


class MemberEdit(BoundedDates, forbid_unknown_fields=True, kw_only=True):
    """What can change about a member (its province code never does: history is counted by it)."""

    name_zh: NameZh
    name_en: NameEn
    organisation_zh: OrganisationZh = ""
    organisation_en: OrganisationEn = ""
    joined_on: dt.date | None = None


class AdminMemberOut(msgspec.Struct):
    id: int
    code: str
    name: str
    name_zh: str
    name_en: str
    organisation_zh: str
    organisation_en: str
    joined_on: dt.date | None
    status: str  # active or suspended
    editable: bool  # whether the caller may change it


class AgreementIn(BoundedDates, forbid_unknown_fields=True, kw_only=True):
    member_a_id: Id
    member_b_id: Id
    modes: Modes
    signed_on: dt.date
    expires_on: dt.date | None = None
    note: Note = ""


class AgreementEdit(BoundedDates, forbid_unknown_fields=True, kw_only=True):
    modes: Modes
    signed_on: dt.date
    expires_on: dt.date | None = None
    note: Note = ""


class AgreementOut(msgspec.Struct):
    id: int
    member_a_id: int
    member_a_name: str
    member_b_id: int
    member_b_name: str
    modes: list[str]
    signed_on: dt.date
    expires_on: dt.date | None
    note: str


class AdminBaseOut(msgspec.Struct):
    id: int
    name: str
    member_id: int
    member_name: str
    province_code: str
    city: str
    total_beds: int
    status: str  # pending, admitted or suspended


class OperatorIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    login: Annotated[str, msgspec.Meta(min_length=3, max_length=254, description="Mobile number or e-mail")]
    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    base_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=50)]
    # No longer taken: operators set their own password with an invitation code. Sending one is
    # refused with a field error rather than ignored, so an old integration learns why.
    password: Annotated[str, msgspec.Meta(max_length=128, description="Not accepted any more")] | None = None


class BaseAssignIn(msgspec.Struct, forbid_unknown_fields=True):
    base_id: Id


class OperatorBase(msgspec.Struct):
    id: int
    name: str


class OperatorOut(msgspec.Struct):
    id: int
    display_name: str
    login: str
    status: str
    bases: list[OperatorBase]


class InvitationOut(msgspec.Struct):
    id: int
    login: str
    display_name: str
    base_ids: list[int]
    status: str  # requested, approved, declined, accepted
    requested_by: int
    requested_at: dt.datetime
    expires_at: dt.datetime | None = None
    # Only in the answer that issues it (an administrator's approval): shown once, kept hashed.
    code: str | None = None


class InvitationAcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    password: Annotated[str, msgspec.Meta(max_length=128)]


class BaseGrantOut(msgspec.Struct):
    id: int
    account_id: int
    operator_name: str
    base_id: int
    base_name: str
    status: str  # pending, approved, declined
    requested_by: int
    requested_at: dt.datetime


class BaseGrantDecisionOut(msgspec.Struct):
    grant: BaseGrantOut
    operator: OperatorOut
