"""The hotline's rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt

import msgspec

from sojourn.travellers.rows import TravellerRow


class SeniorAccount(msgspec.Struct, frozen=True):
    """A traveller account as the desk finds it."""

    id: int
    display_name: str
    phone: str | None


class FoundTraveller(msgspec.Struct, frozen=True):
    """A traveller of an account a search found, with what its mask needs (``find_seniors``)."""

    id: int
    account: int
    name: str
    birth_date: dt.date
    phone: str | None
    id_number_cipher: bytes | None
    home_province_code: str
    mandate_active: bool
    matched: bool


class ServedTraveller(TravellerRow, frozen=True):
    """A traveller of a served senior, with whether the agent may see it in full (``senior_overview``)."""

    visible: bool
    mandate_active: bool


class MandateRow(msgspec.Struct, frozen=True):
    """A row of ``agent_mandate``."""

    id: int
    traveller: int
    method: str
    reference: str
    recorded_by: int
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None


class MandateWithNames(MandateRow, frozen=True):
    """A consent with the traveller's and the recording agent's names (``senior_overview``)."""

    traveller_name: str
    recorded_by_name: str


class RecentConsentRow(msgspec.Struct, frozen=True):
    account: int
    traveller_id: int
    name: str
    reference: str
    recorded_at: dt.datetime


class TravellerOfSenior(msgspec.Struct, frozen=True):
    """A traveller with its senior's account (``booking_for.group_by_senior``)."""

    id: int
    account_id: int
    display_name: str
