"""The past year of the demo, planned: 240 households and their stays, feedback and declarations.

Households come from the provinces that send seniors south in winter and north in summer
(the Northeast and Beijing send about half of Hainan's migrants: domain.md). Each tour that
began before today gets stays within the beds the base has left (beds belong to the base:
a season stay and a package at the same base share them), its seats and its quotas; a
traveller is never on two stays at once. Stays under way today are checked in. Those who
stayed give feedback three times in four; every stay has its travellers' declarations.

Deterministic: the households from a fixed seed, the stays from the date.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.history_people import COMMENTS_EN, COMMENTS_ZH, household_names
from sojourn.demo.plan import Allocator, Declaration, DemoPlan, Household, Person, Review, Stay, at
from sojourn.demo.plan_answers import declarations_for
from sojourn.demo.seed_catalogue import PlannedTour

HOUSEHOLDS = 240
# Where the travellers come from, weighted (northeast and Beijing first).
ORIGINS = {
    "230000": 20, "220000": 12, "210000": 12, "110000": 10, "150000": 10, "370000": 6, "130000": 6,
    "120000": 4, "310000": 5, "610000": 3, "640000": 3, "140000": 3, "620000": 2, "440000": 4,
}  # fmt: skip
MAX_HISTORY_NIGHTS = 120
REVIEW_SHARE = 0.75


def between(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint(low, high)``, several times quicker (the sweep plans hundreds of days)."""
    return low + int(rng.random() * (high - low + 1))


@cache
def history_households() -> tuple[Household, ...]:
    """The same 240 households whatever the date (their ages are counted from 2026)."""
    rng = random.Random(20261123)
    provinces = rng.choices(list(ORIGINS), weights=list(ORIGINS.values()), k=HOUSEHOLDS)
    households = []
    for number, (province, names) in enumerate(zip(provinces, household_names(rng, HOUSEHOLDS), strict=True)):
        key = f"history{number:03d}"
        people = []
        for position, name in enumerate(names):
            # Three in four travellers are under 75 (Hainan's 2018 survey); all are 60 or more.
            age = rng.randint(60, 74) if rng.random() < 0.75 else rng.randint(75, 88)
            birth = dt.date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
            gender = "female" if position % 2 == 0 else "male"
            people.append(Person(f"{key}.{position}", name, birth, gender, province))
        households.append(Household(key, tuple(people)))
    return tuple(households)


def plan_history(plan: DemoPlan, allocator: Allocator) -> None:
    """Fill every tour that began before today with past stays (after the present is planned)."""
    rng = random.Random(plan.today.toordinal())
    households = [household for household in plan.households.values() if household.key.startswith("history")]
    quality = {base.slug: 3.6 + rng.random() * 1.1 for base in BASES}  # each base earns its own reputation
    for tour in sorted(plan.tours.values(), key=lambda tour: (tour.starts_on, tour.slug)):
        if tour.starts_on < plan.today and tour.status != "draft":
            _fill(plan, allocator, rng, tour, households, quality[tour.base_slug])


def _fill(
    plan: DemoPlan,
    allocator: Allocator,
    rng: random.Random,
    tour: PlannedTour,
    households: list[Household],
    quality: float,
) -> None:
    today = plan.today
    for household in rng.sample(households, 60 if tour.mode == "migratory" else 40):
        if tour.mode == "migratory":
            min_nights = tour.min_nights or 1
            latest = min((tour.ends_on - tour.starts_on).days - min_nights, (today - tour.starts_on).days - 1)
            if latest < 0:
                return
            arrival = tour.starts_on + dt.timedelta(days=between(rng, 0, latest))
            room = (tour.ends_on - arrival).days
            longest = min(room, MAX_HISTORY_NIGHTS, tour.max_nights or room)
            departure = arrival + dt.timedelta(days=between(rng, min_nights, max(min_nights, longest)))
        else:
            arrival, departure = tour.starts_on, tour.ends_on
        if not allocator.fits(tour.slug, household.people, arrival, departure):
            continue
        if departure < today:
            draw = rng.random()
            status = "checked_out" if draw < 0.88 else "cancelled" if draw < 0.97 else "no_show"
        else:  # still there today, or leaving today
            status = "checked_in" if rng.random() < 0.92 else "cancelled"
        if status != "cancelled":
            allocator.take(tour.slug, household.people, arrival, departure)
        plan.stays.append(_stay(rng, tour, household, arrival, departure, status, quality, today))


def _stay(
    rng: random.Random,
    tour: PlannedTour,
    household: Household,
    arrival: dt.date,
    departure: dt.date,
    status: str,
    quality: float,
    today: dt.date,
) -> Stay:
    booked_at = at(arrival - dt.timedelta(days=between(rng, 20, 90)), 10)
    cancelled_at = None
    if status == "cancelled":
        latest = min(arrival, today) - dt.timedelta(days=1)
        cancelled_at = min(booked_at + dt.timedelta(days=between(rng, 1, 10)), at(latest, 18))
    people = tuple(person.key for person in household.people)
    reviews: tuple[tuple[str, Review], ...] = ()
    if status == "checked_out" and rng.random() < REVIEW_SHARE:
        reviews = tuple((person, review(rng, quality, departure, today)) for person in people)
    declarations: tuple[Declaration, ...] = ()
    if status != "cancelled":
        due_on = arrival - dt.timedelta(days=tour.declaration_due_days)
        declarations = declarations_for(rng, household, booked_at, due_on, decision="accept")
    return Stay(
        tour=tour.slug,
        household=household.key,
        people=people,
        arrival=arrival,
        departure=departure,
        booked_at=booked_at,
        status=status,
        cancelled_at=cancelled_at,
        reviews=reviews,
        declarations=declarations,
    )


def review(rng: random.Random, quality: float, departure: dt.date, today: dt.date) -> Review:
    """Feedback written within a week of leaving (and before today)."""
    written_on = min(departure + dt.timedelta(days=between(rng, 0, 6)), today - dt.timedelta(days=1))
    return Review(rng.getrandbits(32), quality, at(written_on, 20))


def review_content(review: Review) -> tuple[tuple[int, ...], int, str]:
    """Ratings (feedback.tables.RATING_ASPECTS, in order) around the base's quality, NPS, comment."""
    rng, quality = random.Random(review.seed), review.quality
    ratings = tuple(max(1, min(5, round(rng.gauss(quality, 0.7)))) for _ in range(8))
    nps = max(0, min(10, round(rng.gauss(quality * 2 - 0.2, 1.6))))
    comments = COMMENTS_ZH if rng.random() < 0.9 else COMMENTS_EN
    comment = rng.choice(comments[int(quality >= 4.2)]) if rng.random() < 0.6 else ""
    return ratings, nps, comment
