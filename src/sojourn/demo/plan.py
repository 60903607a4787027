"""The whole demo as a pure function of the day it is seeded: ``plan_demo(today)``.

No database: the plan says which tours exist (the past year's and the catalogue's), who
travels, every stay with its status, feedback and health declarations, and the waiting
list. ``plan_rules.problems`` checks it against every rule the booking engine enforces, and
``plan_rules.missing_features`` that it shows every feature, so a test can sweep every day
of several years in seconds. The seed then writes the past with plain SQL and books the
present through the real services (``seed_history``, ``seed_present``).

Every moment in the plan lies before ``today`` (00:00 at the bases): the demo may start at
any time of that day and find all of it already done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.seed_accounts import DAUGHTER, SENIOR, DemoAccount
from sojourn.demo.seed_catalogue import (
    CAPACITY_NIGHTS,
    HISTORY_NIGHTS,
    PlannedTour,
    beds_on,
    plan_past_tours,
    plan_tours,
)

CHINA = dt.timezone(dt.timedelta(hours=8))  # every demo base is in Asia/Shanghai
BED_HOLDING = ("confirmed", "checked_in", "checked_out", "no_show")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment on ``day`` at the bases (China time)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)


def day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


@dataclass(frozen=True)
class Person:
    key: str  # unique in the plan: a demo traveller's name, or "<household key>.<n>"
    name: str
    birth_date: dt.date
    gender: str
    province: str


@dataclass(frozen=True)
class Household:
    """An account and the travellers in it."""

    key: str  # a demo account's login, or "history017"
    people: tuple[Person, ...]


@dataclass(frozen=True)
class Review:
    """One traveller's feedback on a stay; what it says is drawn from ``seed`` when it is
    written (``plan_history.review_content``), so planning thousands of days stays quick."""

    seed: int
    quality: float  # the base's reputation the ratings scatter around
    written_at: dt.datetime


@dataclass(frozen=True)
class Declaration:
    """A traveller's health declaration; its answers are drawn from ``seed`` when needed
    (``plan_answers.answers_of``)."""

    person: str
    seed: int
    submitted_at: dt.datetime
    decision: str | None = None  # accept or request_info; None: waiting for the base
    reviewed_at: dt.datetime | None = None


@dataclass(frozen=True)
class Stay:
    tour: str  # PlannedTour.slug
    household: str
    people: tuple[str, ...]  # Person.key
    arrival: dt.date
    departure: dt.date
    booked_at: dt.datetime
    status: str  # confirmed, checked_in, checked_out, no_show, cancelled
    purpose: str = "history"  # what the stay is there to show (plan_rules.missing_features)
    by_engine: bool = False  # booked through the booking engine (hold, confirm) rather than written as history
    booked_by: str | None = None  # a demo login acting for the household (the hotline)
    cancelled_at: dt.datetime | None = None
    reviews: tuple[tuple[str, Review], ...] = ()  # (person, review)
    declarations: tuple[Declaration, ...] = ()

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    @property
    def holds_beds(self) -> bool:
        return self.status in BED_HOLDING


@dataclass(frozen=True)
class WaitingEntry:
    tour: str
    household: str
    people: tuple[str, ...]
    joined_at: dt.datetime


@dataclass
class DemoPlan:
    today: dt.date
    tours: dict[str, PlannedTour]  # past (closed) and catalogue tours, by slug
    catalogue: list[PlannedTour]  # the ones plan_tours(today) lays out
    households: dict[str, Household]
    stays: list[Stay] = field(default_factory=list)
    waiting: list[WaitingEntry] = field(default_factory=list)
    desk_base: str = ""

    @property
    def first_night(self) -> dt.date:
        return self.today - dt.timedelta(days=HISTORY_NIGHTS)

    @property
    def last_night(self) -> dt.date:
        return self.today + dt.timedelta(days=CAPACITY_NIGHTS - 1)

    @property
    def start(self) -> dt.datetime:
        """The first moment of ``today``: everything planned happened before it."""
        return at(self.today, 0)

    def people(self) -> dict[str, Person]:
        return {person.key: person for household in self.households.values() for person in household.people}


def demo_household(account: DemoAccount) -> Household:
    return Household(
        account.login,
        tuple(Person(t.name, t.name, t.birth_date, t.gender, t.home_province_code) for t in account.travellers),
    )


class Allocator:
    """What is left while the plan is made: beds per base and night, seats, quotas, and when
    each traveller is away. Rules here only steer the planning; ``plan_rules`` checks the result."""

    def __init__(self, today: dt.date, tours: dict[str, PlannedTour]) -> None:
        self.today = today
        self.tours = tours
        self.first = today - dt.timedelta(days=HISTORY_NIGHTS)
        nights = HISTORY_NIGHTS + CAPACITY_NIGHTS
        months = [(self.first + dt.timedelta(days=n)).month for n in range(nights)]
        self.free = {}
        for base in BASES:
            by_month = {month: beds_on(base, dt.date(2000, month, 1)) for month in range(1, 13)}
            self.free[base.slug] = [by_month[month] for month in months]
        self.seats = {slug: tour.seats for slug, tour in tours.items() if tour.seats is not None}
        self.quotas = {slug: dict(tour.quotas) for slug, tour in tours.items() if tour.quotas}
        self.away: dict[str, list[tuple[dt.date, dt.date]]] = {}

    def dates_fit(self, tour: PlannedTour, arrival: dt.date, departure: dt.date) -> bool:
        if tour.mode != "migratory":
            return arrival == tour.starts_on and departure == tour.ends_on
        nights = (departure - arrival).days
        return (
            tour.starts_on <= arrival < departure <= tour.ends_on
            and nights >= (tour.min_nights or 1)
            and (tour.max_nights is None or nights <= tour.max_nights)
        )

    def fits(self, slug: str, people: tuple[Person, ...], arrival: dt.date, departure: dt.date) -> bool:
        tour = self.tours[slug]
        size = len(people)
        if not self.dates_fit(tour, arrival, departure):
            return False
        if slug in self.seats and self.seats[slug] < size:
            return False
        if tour.mode == "interactive":
            provinces = {person.province for person in people}
            if len(provinces) != 1 or self.quotas[slug].get(provinces.pop(), 0) < size:
                return False
        start, end = (arrival - self.first).days, (departure - self.first).days
        free = self.free[tour.base_slug]
        if start < 0 or end > len(free) or min(free[start:end]) < size:
            return False
        return not any(a < departure and arrival < d for person in people for a, d in self.away.get(person.key, ()))

    def take(self, slug: str, people: tuple[Person, ...], arrival: dt.date, departure: dt.date) -> None:
        tour = self.tours[slug]
        size = len(people)
        if slug in self.seats:
            self.seats[slug] -= size
        if tour.mode == "interactive":
            self.quotas[slug][people[0].province] -= size
        free = self.free[tour.base_slug]
        for night in range((arrival - self.first).days, (departure - self.first).days):
            free[night] -= size
        for person in people:
            self.away.setdefault(person.key, []).append((arrival, departure))


def plan_demo(today: dt.date) -> DemoPlan:
    """The whole demo for a seed on ``today`` (the date at the bases)."""
    from sojourn.demo import plan_history, plan_present

    past, catalogue = plan_past_tours(today), plan_tours(today)
    tours = {tour.slug: tour for tour in (*past, *catalogue)}
    households = {household.key: household for household in plan_history.history_households()}
    for account in (SENIOR, DAUGHTER):
        households[account.login] = demo_household(account)
    plan = DemoPlan(today=today, tours=tours, catalogue=catalogue, households=households)
    allocator = Allocator(today, tours)
    plan_present.plan_present(plan, allocator)  # first: what the demo must show gets its beds
    plan_history.plan_history(plan, allocator)
    return plan
