"""The base console's JSON: bases, the dashboard, occupancy per night, manifests, arrivals."""

from __future__ import annotations

import datetime as dt

import msgspec

from sojourn.health.schemas import Person
from sojourn.travellers.schemas import EmergencyContact


class BaseRef(msgspec.Struct):
    id: int
    name: str
    time_zone: str
    member_id: int  # the alliance member that runs the base (organiser of its tours)


class NightOut(msgspec.Struct):
    """One night at a base. ``taken``: confirmed and past stays; ``held``: holds still running
    (a hold that ran out counts nowhere); ``free`` = beds - taken - held."""

    date: dt.date
    beds: int
    taken: int
    held: int
    free: int
    open: bool  # False: no beds were ever set for this night


class OccupancyOut(msgspec.Struct):
    base_id: int
    start: dt.date
    end: dt.date  # exclusive
    nights: list[NightOut]


class TravellerAttendance(msgspec.Struct):
    """One traveller at the front desk: expected, checked_in, checked_out or no_show, with the
    health declaration's status (none, draft, submitted, info_requested, accepted, declined ...)."""

    traveller_id: int
    name: str
    attendance: str
    declaration_status: str
    checked_in_at: dt.datetime | None = None
    checked_out_at: dt.datetime | None = None
    no_show_at: dt.datetime | None = None
    can_undo: bool = False  # its last step was taken today at the base


class StayItem(msgspec.Struct):
    booking_id: int
    reference: str
    status: str
    tour_id: int
    tour_title: str
    arrival: dt.date
    departure: dt.date
    party_size: int
    travellers: list[str]
    checked_in_at: dt.datetime | None = None
    checked_out_at: dt.datetime | None = None
    people: list[TravellerAttendance] = msgspec.field(default_factory=list)


class HoldItem(msgspec.Struct):
    booking_id: int
    reference: str
    tour_id: int
    tour_title: str
    arrival: dt.date
    departure: dt.date
    party_size: int
    hold_expires_at: dt.datetime
    minutes_left: int


class DashboardOut(msgspec.Struct):
    base_id: int
    base_name: str
    today: dt.date  # at the base, in its time zone
    arrivals: list[StayItem]
    departures: list[StayItem]
    staying: int  # travellers checked in now
    declarations_awaiting: int  # sent by travellers, waiting for the base's decision
    holds_expiring: list[HoldItem]  # running out within the next 30 minutes
    occupancy: list[NightOut]  # the next 90 nights


class AttendanceOut(msgspec.Struct):
    id: int
    reference: str
    status: str
    base_id: int
    tour_id: int
    arrival: dt.date
    departure: dt.date
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    travellers: list[TravellerAttendance] = msgspec.field(default_factory=list)
    # Said, never blocking: e.g. a traveller checked in whose health form is missing or not approved.
    warnings: list[str] = msgspec.field(default_factory=list)


class DayAtTheDesk(msgspec.Struct):
    day: dt.date
    arriving: list[StayItem]
    leaving: list[StayItem]


class WeekOut(msgspec.Struct):
    """Arrivals and departures at a base for seven days from ``start``."""

    base_id: int
    start: dt.date
    days: list[DayAtTheDesk]


class ManifestRow(msgspec.Struct):
    """One traveller. The care fields (diet, mobility aid, companion) are filled only where the
    traveller agreed to share the declaration with the base (``care_shared``); otherwise they are
    null. The emergency contact is there for everyone: the shared declaration's, or the profile's."""

    booking_id: int
    booking_reference: str
    booking_status: str
    traveller_id: int
    name: str
    age: int
    gender: str
    arrival: dt.date
    departure: dt.date
    declaration_status: str  # none, draft, submitted, info_requested, accepted, declined, shredded
    care_shared: bool
    diet: list[str] | None = None
    mobility_aid: str | None = None
    travels_alone: bool | None = None
    companion: Person | None = None
    emergency_contact: EmergencyContact | None = None


class ManifestOut(msgspec.Struct):
    kind: str  # "tour": everyone on a departure; "arrivals": everyone arriving at a base on a day
    base_id: int
    base_name: str
    title: str
    generated_at: dt.datetime
    travellers: int
    rows: list[ManifestRow]
    time_zone: str = "Asia/Shanghai"  # the base's: what a page or print shows ``generated_at`` in
    tour_id: int | None = None
    date: dt.date | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class TrailEntry(msgspec.Struct):
    """Who opened or decided on a declaration, and when (from the audit log)."""

    at: dt.datetime
    action: str
    actor_id: int | None
    actor_name: str
    actor_role: str
