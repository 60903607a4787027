"""The demo's present, planned first so that every feature has something to show on any day.

- At the front-desk base (Haikou, whose all-year recovery stays and winter season cover every
  date): guests arriving today, guests leaving today (checked in), one who was due yesterday
  and has not come (a no-show to record), and declarations waiting for the base's decision,
  one of them after the base asked for more information.
- The demo senior: a past stay with feedback given, a recent one awaiting feedback, and a
  winter (or summer) stay booked for later; her sister on the waiting list of a sold-out trip.
- The daughter's parents on that trip, booked by the hotline; the rest of it sold out.

Stays from today on are booked through the engine by the seed (``seed_present``); the two
past stays of the senior are history like any other.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import replace

from sojourn.demo.catalogue_stays import ALL_YEAR_STAYS
from sojourn.demo.plan import Allocator, DemoPlan, Household, Person, Stay, WaitingEntry, at
from sojourn.demo.plan_answers import declarations_for
from sojourn.demo.plan_history import review
from sojourn.demo.seed_accounts import AGENT, DAUGHTER, SENIOR
from sojourn.demo.seed_catalogue import PlannedTour

# The base with all-year stays is in business every day, its season or not: its front desk is the demo's.
DESK_BASE = ALL_YEAR_STAYS[0].base_slug
DESK_NIGHTS = (21, 14, 28, 30, 45)  # tried in this order, as the tours' minimum allows
HOME_NIGHTS = 60  # the senior's long stay
DAY = dt.timedelta(days=1)


class _Planner:
    def __init__(self, plan: DemoPlan, allocator: Allocator) -> None:
        self.plan, self.allocator = plan, allocator
        self.rng = random.Random(plan.today.toordinal() * 7 + 1)
        self.pool = [h for key, h in plan.households.items() if key.startswith("history")]

    def book(
        self,
        tour: PlannedTour,
        household: Household,
        people: tuple[Person, ...],
        arrival: dt.date,
        departure: dt.date,
        booked_at: dt.datetime,
        status: str,
        purpose: str,
        *,
        by_engine: bool = True,
        booked_by: str | None = None,
        decision: str | None = "accept",
        declare: bool = True,
    ) -> Stay:
        self.allocator.take(tour.slug, people, arrival, departure)
        due_on = arrival - dt.timedelta(days=tour.declaration_due_days)
        declarations = (
            declarations_for(self.rng, household, booked_at, due_on, decision=decision, people=people)
            if declare
            else ()
        )
        stay = Stay(
            tour=tour.slug,
            household=household.key,
            people=tuple(person.key for person in people),
            arrival=arrival,
            departure=departure,
            booked_at=booked_at,
            status=status,
            purpose=purpose,
            by_engine=by_engine,
            booked_by=booked_by,
            declarations=declarations,
        )
        self.plan.stays.append(stay)
        return stay

    def desk_stay(
        self, purpose: str, stays: Iterable[tuple[dt.date, dt.date]], booked_on: dt.date | None, status: str, **kw
    ) -> Stay | None:
        """A household from the pool on a desk-base stay with the first dates that fit."""
        tours = [
            tour
            for tour in self.plan.catalogue
            if tour.base_slug == DESK_BASE and tour.status == "published" and tour.mode == "migratory"
        ]
        options = list(stays)
        for household in self.pool:
            for arrival, departure in options:
                for tour in tours:
                    if self.allocator.fits(tour.slug, household.people, arrival, departure):
                        self.pool.remove(household)
                        booked_at = at(booked_on or arrival - dt.timedelta(days=30), 10)
                        return self.book(
                            tour, household, household.people, arrival, departure, booked_at, status, purpose, **kw
                        )
        return None


def plan_present(plan: DemoPlan, allocator: Allocator) -> None:
    planner = _Planner(plan, allocator)
    plan.desk_base = DESK_BASE
    _front_desk(planner, plan.today)
    _senior(planner, plan.today)
    _sold_out_trip(planner, plan.today)


def _front_desk(planner: _Planner, today: dt.date) -> None:
    def ending(day: dt.date) -> list[tuple[dt.date, dt.date]]:
        return [(day - dt.timedelta(days=n), day) for n in DESK_NIGHTS]

    def starting(day: dt.date) -> list[tuple[dt.date, dt.date]]:
        return [(day, day + dt.timedelta(days=n)) for n in DESK_NIGHTS]

    for _ in range(2):
        planner.desk_stay("arrives_today", starting(today), today - dt.timedelta(days=35), "confirmed")
        planner.desk_stay("leaves_today", ending(today), None, "checked_in")
    planner.desk_stay("late", starting(today - DAY), None, "confirmed")
    for offset in (16, 20):
        planner.desk_stay(
            "declarations_waiting",
            starting(today + dt.timedelta(days=offset)),
            today - dt.timedelta(days=4),
            "confirmed",
            decision=None,
        )
    planner.desk_stay(
        "information_requested",
        starting(today + dt.timedelta(days=24)),
        today - dt.timedelta(days=5),
        "confirmed",
        decision="request_info",
    )


def _fitting(
    planner: _Planner,
    tours: Iterable[PlannedTour],
    people: tuple[Person, ...],
    stays: Iterable[tuple[dt.date, dt.date]],
) -> tuple[PlannedTour, dt.date, dt.date] | None:
    tours = list(tours)
    for arrival, departure in stays:
        for tour in tours:
            if planner.allocator.fits(tour.slug, people, arrival, departure):
                return tour, arrival, departure
    return None


def _senior(planner: _Planner, today: dt.date) -> None:
    plan = planner.plan
    household = plan.households[SENIOR.login]
    couple = household.people[:2]
    past = [
        tour
        for tour in plan.tours.values()
        if tour.mode != "interactive" and tour.status != "draft" and tour.starts_on < today
    ]
    # A recent stay that awaits feedback, and an earlier one with feedback given.
    for purpose, latest, earliest in (("awaits_feedback", 2, 20), ("feedback_given", 30, 300)):
        departures = [today - dt.timedelta(days=days) for days in range(latest, earliest + 1)]
        found = None
        for departure in departures:
            found = _fitting(planner, past, couple, _past_stays_ending_on(past, departure))
            if found:
                break
        if found is None:
            continue
        tour, arrival, departure = found
        stay = planner.book(
            tour, household, couple, arrival, departure, at(arrival - dt.timedelta(days=40), 10), "checked_out",
            purpose, by_engine=False,
        )  # fmt: skip
        if purpose == "feedback_given":
            reviews = tuple((person, review(planner.rng, 4.6, departure, today)) for person in stay.people)
            plan.stays[-1] = replace(stay, reviews=reviews)
    # The long stay booked for later: winter in the south, or summer in the north.
    upcoming = [
        tour
        for tour in plan.catalogue
        if tour.mode == "migratory" and tour.status == "published" and tour.base_slug != DESK_BASE
    ]
    arrivals = [today + dt.timedelta(days=days) for days in range(20, 200, 5)]
    options = [(day, day + dt.timedelta(days=n)) for day in arrivals for n in (HOME_NIGHTS, 45, 30)]
    found = _fitting(planner, upcoming, couple, options)
    if found:
        tour, arrival, departure = found
        planner.book(
            tour, household, couple, arrival, departure, at(today - DAY, 20), "confirmed", "senior_upcoming",
            declare=False,
        )  # fmt: skip


def _past_stays_ending_on(tours: list[PlannedTour], departure: dt.date) -> Iterable[tuple[dt.date, dt.date]]:
    """Stays that end on ``departure`` (a fixed tour only if it ends that day)."""
    seen = set()
    for tour in tours:
        if tour.mode != "migratory" and tour.ends_on == departure:
            stay = (tour.starts_on, tour.ends_on)
        elif tour.mode == "migratory":
            stay = (departure - dt.timedelta(days=max(tour.min_nights or 1, 21)), departure)
        else:
            continue
        if stay not in seen:
            seen.add(stay)
            yield stay


def _sold_out_trip(planner: _Planner, today: dt.date) -> None:
    """A package trip sold out to its last seat, with the hotline's booking for the daughter's
    parents among them and the senior's sister on its waiting list."""
    plan, allocator = planner.plan, planner.allocator
    parents_household = plan.households[DAUGHTER.login]
    parents = parents_household.people
    for tour in plan.catalogue:
        if tour.mode != "vacation" or tour.status != "published" or tour.seats is None:
            continue
        if tour.starts_on - dt.timedelta(days=tour.declaration_due_days) <= today + DAY:
            continue  # their declarations are not due yet: the hotline can show how to file them
        start, end = (tour.starts_on - allocator.first).days, (tour.ends_on - allocator.first).days
        if min(allocator.free[tour.base_slug][start:end]) < tour.seats:
            continue
        if not allocator.fits(tour.slug, parents, tour.starts_on, tour.ends_on):
            continue
        planner.book(
            tour, parents_household, parents, tour.starts_on, tour.ends_on, at(today - DAY, 19), "confirmed",
            "hotline_booking", booked_by=AGENT.login, declare=False,
        )  # fmt: skip
        for household in list(planner.pool):
            left = allocator.seats[tour.slug]
            if left == 0:
                break
            if len(household.people) <= left and allocator.fits(
                tour.slug, household.people, tour.starts_on, tour.ends_on
            ):
                planner.pool.remove(household)
                booked_at = at(today - dt.timedelta(days=10 + left % 7), 10)
                planner.book(
                    tour, household, household.people, tour.starts_on, tour.ends_on, booked_at, "confirmed",
                    "sold_out", declare=False,
                )  # fmt: skip
        sister = plan.households[SENIOR.login].people[2:]
        plan.waiting.append(
            WaitingEntry(tour.slug, SENIOR.login, tuple(person.key for person in sister), at(today - DAY, 21))
        )
        return
