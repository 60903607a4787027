"""What the hotline desk reads and writes: masked look-up results, a senior's consent
(mandate), a new account made for a senior, and the overview of a senior the hotline serves."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

import msgspec

from sojourn.bookings.schemas import BookingOut
from sojourn.travellers.schemas import IdNumber, Name, Phone, TravellerIn, TravellerOut

Reference = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=60,
        description="Where the consent can be found again: the call id, the desk visit, the form's number",
    ),
]


class MandateMethod(str, Enum):
    phone_call = "phone_call"
    in_person = "in_person"
    written = "written"


class MandateTerms(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How the senior said yes to the hotline booking and declaring for them."""

    method: MandateMethod = MandateMethod.phone_call
    reference: Reference


class MandateIn(MandateTerms, forbid_unknown_fields=True, kw_only=True):
    """A consent for one traveller. The mobile or identity number the senior gave on the call
    must belong to this traveller or their account (not needed once the account already has an
    active consent): an id from a list is not enough to act for somebody."""

    senior_phone: Phone | None = None
    senior_id_number: IdNumber | None = None


class MandateOut(msgspec.Struct):
    id: int
    traveller_id: int
    account_id: int
    method: str
    reference: str
    recorded_by_account_id: int
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None
    active: bool


class MaskedTraveller(msgspec.Struct):
    """A traveller as an agent sees them before consent: enough to recognise, not to use."""

    id: int
    name_masked: str
    birth_year: int
    phone_masked: str | None
    id_number_masked: str | None
    home_province_code: str
    mandate_active: bool
    matched: bool  # this traveller's own mobile or identity number is what was searched for


class SeniorLookupIn(msgspec.Struct, forbid_unknown_fields=True):
    """Exactly one of the two, in a body: never in a URL."""

    phone: (
        Annotated[str, msgspec.Meta(pattern=r"^1[3-9]\d{9}$", description="The senior's mobile number (11 digits)")]
        | None
    ) = None
    id_number: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=15,
                max_length=24,
                description="The senior's 18-character identity number; matched by its keyed digest, never stored",
            ),
        ]
        | None
    ) = None


class SeniorMatch(msgspec.Struct):
    account_id: int
    display_name_masked: str
    phone_masked: str | None
    mandate_active: bool  # at least one traveller of this account has an active consent
    travellers: list[MaskedTraveller]


class SeniorIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new account for a senior who has none: their mobile number is the login; the password
    is random and never shown (they can be helped to set their own later)."""

    phone: Phone
    travellers: Annotated[list[TravellerIn], msgspec.Meta(min_length=1, max_length=6)]
    mandate: MandateTerms
    display_name: Name | None = None  # default: the first traveller's name
    locale: Literal["zh_CN", "en"] = "zh_CN"


class SeniorTravellerIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One more person for a senior's account, with that person's own consent."""

    traveller: TravellerIn
    mandate: MandateTerms
    senior_phone: Phone | None = None
    senior_id_number: IdNumber | None = None


class ConsentRecord(msgspec.Struct):
    id: int
    traveller_id: int
    traveller_name: str  # masked unless the traveller is visible to the caller
    method: str
    reference: str
    recorded_by_account_id: int
    recorded_by_name: str
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None


class SeniorOverview(msgspec.Struct):
    account_id: int
    display_name: str
    phone_masked: str | None
    travellers: list[TravellerOut]  # those under an active consent (admins: all)
    other_travellers: list[MaskedTraveller]  # the rest of the account, masked
    consents: list[ConsentRecord]
    bookings: list[BookingOut]
    book_url: str  # where the booking wizard starts for this senior
