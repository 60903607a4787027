"""Health declarations, consents and reviews as the API reads and writes them.

The declaration's answers are the same structure going in (``PUT``) and coming out (``GET``),
so a client can send back what it was given, prefilled or saved.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import msgspec

from sojourn.dates import BoundedDates
from sojourn.health.tables import ConsentPurpose
from sojourn.travellers.schemas import ContactPhone, EmergencyContact, Name, Relation

ShortText = Annotated[str, msgspec.Meta(max_length=200)]
MedicineText = Annotated[str, msgspec.Meta(max_length=300)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]


class Diet(str, Enum):
    none = "none"
    diabetic = "diabetic"
    low_salt = "low_salt"
    soft = "soft"
    halal = "halal"


class MobilityAid(str, Enum):
    none = "none"
    cane = "cane"
    walker = "walker"
    wheelchair = "wheelchair"


class Decision(str, Enum):
    accept = "accept"
    request_info = "request_info"
    decline = "decline"


# Yes/no questions start unanswered (None): a question left out is missing, never "no". A draft
# may leave some unanswered; a submission answers every one (answers.check_complete).
class ConditionAnswer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    has: bool | None = None
    controlled: bool | None = None


def _condition() -> ConditionAnswer:
    return ConditionAnswer()


CONDITION_NAMES = ("hypertension", "heart_disease", "diabetes", "copd_asthma", "stroke_history")


class ChronicConditions(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    hypertension: ConditionAnswer = msgspec.field(default_factory=_condition)
    heart_disease: ConditionAnswer = msgspec.field(default_factory=_condition)  # incl. irregular heartbeat
    diabetes: ConditionAnswer = msgspec.field(default_factory=_condition)
    copd_asthma: ConditionAnswer = msgspec.field(default_factory=_condition)
    stroke_history: ConditionAnswer = msgspec.field(default_factory=_condition)
    other: ShortText = ""


class HospitalStay(BoundedDates, forbid_unknown_fields=True, kw_only=True):
    """An operation or a hospital stay in the last months."""

    had: bool | None = None
    date: dt.date | None = None
    reason: ShortText = ""


class Medications(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    takes: bool | None = None
    names: MedicineText = ""
    supply_lasts_stay: bool | None = None


class Person(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A companion on the trip, or the adult relative who co-signs (LB/T 052, 75 and over)."""

    name: Name
    relation: Relation
    phone: ContactPhone | None = None


class Certificate(BoundedDates, forbid_unknown_fields=True, kw_only=True):
    """A doctor's health certificate and the date written on it."""

    has: bool | None = None
    dated: dt.date | None = None


class Insurance(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    has: bool | None = None
    insurer: Annotated[str, msgspec.Meta(max_length=60)] = ""
    policy_number: Annotated[str, msgspec.Meta(max_length=40)] = ""
    age_limit: Annotated[int, msgspec.Meta(ge=18, le=120)] | None = None


class DeclarationAnswers(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    conditions: ChronicConditions = msgspec.field(default_factory=ChronicConditions)
    recent_hospital_stay: HospitalStay = msgspec.field(default_factory=HospitalStay)
    cognitive_impairment: bool | None = None
    epilepsy: bool | None = None
    medications: Medications = msgspec.field(default_factory=Medications)
    allergies: ShortText = ""
    diet: Annotated[list[Diet], msgspec.Meta(max_length=5)] = msgspec.field(default_factory=list)
    mobility_aid: MobilityAid = MobilityAid.none
    oxygen: bool | None = None
    cpap: bool | None = None
    travels_alone: bool | None = None
    companion: Person | None = None
    co_signer: Person | None = None
    emergency_contact: EmergencyContact | None = None
    certificate: Certificate = msgspec.field(default_factory=Certificate)
    insurance: Insurance = msgspec.field(default_factory=Insurance)


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Two separate consents (PIPL 单独同意): to collect health data, and to pass it to the base."""

    collect: bool = False
    share_with_base: bool = False


class DeclarationIn(DeclarationAnswers, forbid_unknown_fields=True, kw_only=True):
    consent: ConsentIn | None = None
    submit: bool = False
    # The answer to the base's question, needed when sending a form the base asked about.
    answer: Note = ""


class ReviewMessageOut(msgspec.Struct):
    """One turn of the conversation about a declaration; ``at`` in the base's time zone."""

    side: str  # base, booker
    text: str
    at: dt.datetime
    author_name: str | None = None  # the booker's name; the base speaks as the base


class Flag(msgspec.Struct):
    code: str
    effect: str  # certificate, companion, review, warning
    risk: str
    message: str


class Screening(msgspec.Struct):
    risk: str
    flags: list[Flag]


class ConsentState(msgspec.Struct):
    collect: bool
    share_with_base: bool
    version: str
    collect_granted_at: dt.datetime | None = None
    share_granted_at: dt.datetime | None = None
    share_withdrawn_at: dt.datetime | None = None


class PrefillSource(msgspec.Struct):
    source: str  # previous_declaration, traveller_record
    declaration_id: int | None = None
    booking_id: int | None = None
    booking_reference: str | None = None
    filled_at: dt.datetime | None = None


class DeclarationOut(DeclarationAnswers, kw_only=True):
    id: int | None
    booking_id: int
    traveller_id: int
    traveller_name: str
    status: str  # new (not saved yet), draft, submitted, info_requested, accepted, declined, shredded
    editable: bool
    due_on: dt.date
    submitted_at: dt.datetime | None = None
    reviewed_at: dt.datetime | None = None
    review_note: str | None = None
    screening: Screening | None = None
    consent: ConsentState
    prefilled_from: PrefillSource | None = None
    # The base's question waiting for an answer, and the whole conversation so far.
    question: ReviewMessageOut | None = None
    thread: list[ReviewMessageOut] = msgspec.field(default_factory=list)


class WithdrawConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    purpose: ConsentPurpose


class ConsentTerms(msgspec.Struct):
    version: str
    collect: str
    share_with_base: str
    withdraw: str


class QueueItem(msgspec.Struct):
    declaration_id: int | None
    booking_id: int
    booking_reference: str
    booking_status: str
    base_id: int
    tour_id: int
    traveller_id: int
    traveller_name: str
    age_at_arrival: int
    arrival: dt.date
    due_on: dt.date
    status: str  # "none" when nothing was saved yet
    risk: str | None
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    shared: bool


class OperatorDeclarationOut(msgspec.Struct):
    id: int
    booking_id: int
    booking_reference: str
    base_id: int
    tour_id: int
    traveller_id: int
    traveller_name: str
    age_at_arrival: int
    arrival: dt.date
    status: str
    risk: str | None
    due_on: dt.date
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    shared: bool
    # Only while the traveller's consent to share with the base stands (and never for drafts).
    details: DeclarationAnswers | None = None
    screening: Screening | None = None
    review_note: str | None = None
    hidden_because: str | None = None
    refund_fen: int | None = None  # after a decline: what the cancelled booking refunds
    # Questions and answers, oldest first (only while the details are shown).
    thread: list[ReviewMessageOut] = msgspec.field(default_factory=list)


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: Decision
    note: Note = ""


class CareNotes(msgspec.Struct):
    """What the arrival list needs, nothing medical: meals, getting about, who comes along."""

    diet: list[str]
    mobility_aid: str
    travels_alone: bool | None
    companion: Person | None
    emergency_contact: EmergencyContact | None
