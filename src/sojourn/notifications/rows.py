"""The notifications' rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class ClaimedMessage(msgspec.Struct, frozen=True):
    """An outbox message claimed for sending, with its recipient (``delivery.CLAIM_SQL``)."""

    id: int
    kind: str
    payload: Any  # JSON text or a mapping
    attempts: int
    account_id: int
    locale: str
    display_name: str
    email: str | None
    phone: str | None
    account_status: str


class StayStartingSoon(msgspec.Struct, frozen=True):
    """A confirmed stay that starts soon and has no reminder yet (``reminders.CANDIDATES_SQL``)."""

    id: int
    reference: str
    account: int
    arrival: dt.date
    base: int
    name_zh: str
    name_en: str
    time_zone: str
