"""The travellers context's rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt

import msgspec


class TravellerRow(msgspec.Struct, frozen=True):
    """A row of ``traveller`` (``SELECT t.*``)."""

    id: int
    account: int
    name: str
    birth_date: dt.date
    gender: str
    phone: str | None
    home_province_code: str
    id_number_cipher: bytes | None
    emergency_name: str
    emergency_phone: str
    emergency_relation: str
    is_account_holder: bool


class ListedTraveller(TravellerRow, frozen=True):
    """A traveller of a page of them, with how many there are in all (``list_travellers``)."""

    total: int


class TravellerWithStatus(TravellerRow, frozen=True):
    """A traveller with whether it is in use and the hotline's standing consent (``travellers_with_status``)."""

    in_use: bool
    mandate_method: str | None
    mandate_reference: str | None
    mandate_recorded_at: dt.datetime | None


class TravellerToDelete(msgspec.Struct, frozen=True):
    id: int
    account: int
    name: str
    in_use: bool
