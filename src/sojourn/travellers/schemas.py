"""Travellers as the API reads and writes them. The identity number goes in, only its mask comes out."""

import datetime as dt
from typing import Annotated

import msgspec

from sojourn.dates import BoundedDates
from sojourn.travellers.tables import Gender

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Phone = Annotated[str, msgspec.Meta(pattern=r"^1[3-9]\d{9}$", description="Mainland mobile number")]
ContactPhone = Annotated[str, msgspec.Meta(pattern=r"^[0-9+\- ]{7,20}$")]
ProvinceCode = Annotated[str, msgspec.Meta(pattern=r"^[1-9][0-9]0000$", description="GB/T 2260 province code")]
Relation = Annotated[str, msgspec.Meta(min_length=1, max_length=30)]
IdNumber = Annotated[str, msgspec.Meta(max_length=24, description="18-character resident identity number")]


class EmergencyContact(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    phone: ContactPhone
    relation: Relation


class TravellerIn(BoundedDates, forbid_unknown_fields=True):
    name: Name
    birth_date: dt.date
    home_province_code: ProvinceCode
    emergency_contact: EmergencyContact
    gender: Gender = Gender.unspecified
    phone: Phone | None = None
    id_number: IdNumber | None = None
    is_account_holder: bool = False


class TravellerPatch(BoundedDates, forbid_unknown_fields=True):
    name: Name | None = None
    birth_date: dt.date | None = None
    home_province_code: ProvinceCode | None = None
    emergency_contact: EmergencyContact | None = None
    gender: Gender | None = None
    phone: Phone | None = None
    id_number: IdNumber | None = None


class TravellerOut(msgspec.Struct):
    id: int
    name: str
    birth_date: dt.date
    age: int
    gender: str
    phone: str | None
    home_province_code: str
    id_number_masked: str | None
    emergency_contact: EmergencyContact
    is_account_holder: bool
