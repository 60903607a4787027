"""The alliance context's rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class MemberRow(msgspec.Struct, frozen=True):
    """A row of ``member``."""

    id: int
    code: str
    name_zh: str
    name_en: str
    organisation_zh: str
    organisation_en: str
    status: str
    joined_on: dt.date | None


class EditableMember(MemberRow, frozen=True):
    """A member with whether the caller may change it (``admin.list_members``)."""

    editable: bool


class AgreementRow(msgspec.Struct, frozen=True):
    """An agreement with both members' names (``admin.AGREEMENT_SELECT``)."""

    id: int
    member_a: int
    member_b: int
    modes: list[str]
    signed_on: dt.date
    expires_on: dt.date | None
    note: str
    a_name_zh: str
    a_name_en: str
    b_name_zh: str
    b_name_en: str


class AdminBaseRow(msgspec.Struct, frozen=True):
    """A base with its member's names (``admin_bases.BASE_SELECT``)."""

    id: int
    name_zh: str
    name_en: str
    member: int
    province_code: str
    city_zh: str
    city_en: str
    total_beds: int
    status: str
    member_name_zh: str
    member_name_en: str


class OperatorRow(msgspec.Struct, frozen=True):
    """A base staff account with its bases (``admin_bases.OPERATORS_SQL``)."""

    id: int
    display_name: str
    login: str
    status: str
    bases: Any  # JSON text or a list of {id, name_zh, name_en}


class GrantRequestRow(msgspec.Struct, frozen=True):
    """A row of ``base_grant_request``."""

    id: int
    account: int
    base: int
    status: str
    requested_by: int
    requested_at: dt.datetime


class GrantRow(GrantRequestRow, frozen=True):
    """A request with the operator's and the base's names (``base_grants.GRANT_SELECT``)."""

    operator_name: str
    name_zh: str
    name_en: str


class InvitationRow(msgspec.Struct, frozen=True):
    """A row of ``operator_invitation``."""

    id: int
    login: str
    display_name: str
    base_ids: list[int]
    status: str
    requested_by: int
    requested_at: dt.datetime
    expires_at: dt.datetime | None
