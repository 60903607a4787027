"""Checking a demo plan without a database: the booking engine's rules, and the features it must show.

``problems(plan)`` is written apart from the planner (it shares none of its bookkeeping), so
a planner that gets a rule wrong is caught: beds per base and night (a base's season stay
and its packages share them), seats, member quotas of exchanges, season windows, minimum
and maximum nights, booking before arrival, declaration deadlines, statuses that fit the
dates, feedback only after a stay, and no traveller on two stays at once.
``missing_features(plan)`` lists what a newcomer signing in would not find.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from itertools import pairwise

from sojourn.demo.catalogue_bases import BASES
from sojourn.demo.plan import DemoPlan, Stay, day_of
from sojourn.demo.plan_answers import answers_of
from sojourn.demo.seed_accounts import DAUGHTER, SENIOR
from sojourn.demo.seed_catalogue import beds_on
from sojourn.feedback.entries import SUBMIT_WINDOW
from sojourn.stats.health_counts import facets
from sojourn.stats.health_mix import MIN_CELL, suppressed_cells

HOLDING = {"confirmed", "checked_in", "checked_out", "no_show"}
STATUSES = HOLDING | {"cancelled"}


def problems(plan: DemoPlan) -> list[str]:
    found: list[str] = []
    for stay in plan.stays:
        found += [f"{_name(stay)}: {problem}" for problem in _stay_problems(plan, stay)]
    found += _bed_problems(plan)
    found += _seat_and_quota_problems(plan)
    found += _traveller_overlaps(plan)
    found += _waiting_problems(plan)
    return found


def _name(stay: Stay) -> str:
    return f"{stay.purpose} stay of {stay.household} on {stay.tour} {stay.arrival}–{stay.departure}"


def _stay_problems(plan: DemoPlan, stay: Stay) -> list[str]:
    tour = plan.tours.get(stay.tour)
    if tour is None:
        return ["no such tour"]
    today, start = plan.today, plan.start
    members = {person.key: person for person in plan.households[stay.household].people}
    found = []
    if not stay.people or len(set(stay.people)) != len(stay.people) or not set(stay.people) <= set(members):
        found.append("travellers are not the household's, or repeated")
    if tour.mode != "migratory":
        if (stay.arrival, stay.departure) != (tour.starts_on, tour.ends_on):
            found.append("a fixed-date tour's dates are not kept")
    else:
        if not tour.starts_on <= stay.arrival < stay.departure <= tour.ends_on:
            found.append(f"outside the season window {tour.starts_on}–{tour.ends_on}")
        if stay.nights < (tour.min_nights or 1) or (tour.max_nights and stay.nights > tour.max_nights):
            found.append(f"{stay.nights} nights, the tour allows {tour.min_nights}–{tour.max_nights}")
    if tour.mode == "interactive":
        provinces = {members[key].province for key in stay.people if key in members}
        if len(provinces) != 1 or not provinces <= {code for code, _ in tour.quotas}:
            found.append("an exchange party from several provinces or from outside the two members")
    if stay.status not in STATUSES:
        found.append(f"unknown status {stay.status}")
    # The status must fit the dates (check-in at 15:00 on arrival, check-out at 10:00 on departure).
    fits = {
        "checked_out": stay.departure < today,
        "no_show": stay.arrival < today,
        "checked_in": stay.arrival < today <= stay.departure,
        "confirmed": stay.arrival >= today or stay.departure > today,
        "cancelled": stay.cancelled_at is not None and stay.booked_at <= stay.cancelled_at < start,
    }
    if not fits.get(stay.status, True):
        found.append(f"status {stay.status} does not fit the dates")
    if not (stay.booked_at < start and day_of(stay.booked_at) < stay.arrival):
        found.append(f"booked on {day_of(stay.booked_at)}: not before arrival, or not before today")
    if stay.by_engine and (tour.status != "published" or stay.status == "cancelled"):
        found.append(f"booked through the engine on a tour that is {tour.status}")
    if stay.by_engine and stay.status in ("checked_out", "no_show"):
        found.append("the engine's stays in this plan are not over")
    for person, review in stay.reviews:
        if stay.status != "checked_out" or person not in stay.people:
            found.append("feedback on a stay that did not take place, or by someone not on it")
        elif not (stay.departure <= day_of(review.written_at) and review.written_at < start):
            found.append("feedback written before leaving, or not before today")
        elif today - stay.departure > SUBMIT_WINDOW:
            found.append("feedback on a stay ended more than a year ago")
    if len(stay.reviews) != len({person for person, _ in stay.reviews}):
        found.append("two feedbacks from one traveller")
    found += _declaration_problems(plan, stay, tour.declaration_due_days)
    return found


def _declaration_problems(plan: DemoPlan, stay: Stay, due_days: int) -> list[str]:
    found = []
    due_on = stay.arrival - dt.timedelta(days=due_days)
    people = [declaration.person for declaration in stay.declarations]
    if len(set(people)) != len(people) or not set(people) <= set(stay.people):
        found.append("declarations repeated or for someone not on the stay")
    for declaration in stay.declarations:
        if not (stay.booked_at < declaration.submitted_at < plan.start and day_of(declaration.submitted_at) <= due_on):
            found.append(f"declaration sent on {day_of(declaration.submitted_at)}, due {due_on}")
        if declaration.decision not in (None, "accept", "request_info"):
            found.append(f"unknown decision {declaration.decision}")
        if (declaration.decision is None) != (declaration.reviewed_at is None):
            found.append("a decision without its moment, or the other way round")
        if declaration.reviewed_at and not (declaration.submitted_at < declaration.reviewed_at < plan.start):
            found.append("reviewed before it was sent, or not before today")
        if declaration.decision and stay.status == "cancelled":
            found.append("a declaration reviewed on a cancelled booking")
    if stay.status == "confirmed" and stay.arrival >= plan.today and due_on <= plan.today:
        filed = {d.person for d in stay.declarations if d.decision in (None, "accept")}
        if filed != set(stay.people):
            found.append(f"declarations due {due_on} are not all filed")
    return found


def _bed_problems(plan: DemoPlan) -> list[str]:
    """Per base and night, the travellers of every stay that holds beds, against the beds."""
    first, last = plan.first_night, plan.last_night
    length = (last - first).days + 1
    change: dict[str, list[int]] = defaultdict(lambda: [0] * (length + 1))
    found = []
    for stay in plan.stays:
        if stay.status not in HOLDING:
            continue
        if stay.arrival < first or stay.departure > last + dt.timedelta(days=1):
            found.append(f"{_name(stay)}: nights outside the calendar {first}–{last}")
            continue
        counts = change[plan.tours[stay.tour].base_slug]
        counts[(stay.arrival - first).days] += len(stay.people)
        counts[(stay.departure - first).days] -= len(stay.people)
    bases = {base.slug: base for base in BASES}
    nights = [first + dt.timedelta(days=n) for n in range(length)]
    for slug, counts in change.items():
        beds = {month: beds_on(bases[slug], dt.date(2000, month, 1)) for month in range(1, 13)}
        taken = 0
        for n, night in enumerate(nights):
            taken += counts[n]
            if taken > beds[night.month]:
                found.append(f"{slug} on {night}: {taken} travellers, {beds_on(bases[slug], night)} beds")
    return found


def _seat_and_quota_problems(plan: DemoPlan) -> list[str]:
    people = plan.people()
    seats: Counter[str] = Counter()
    quotas: Counter[tuple[str, str]] = Counter()
    for stay in plan.stays:
        if stay.status in HOLDING:
            seats[stay.tour] += len(stay.people)
            if plan.tours[stay.tour].mode == "interactive":
                quotas[(stay.tour, people[stay.people[0]].province)] += len(stay.people)
    found = [
        f"{slug}: {taken} travellers on {plan.tours[slug].seats} seats"
        for slug, taken in seats.items()
        if plan.tours[slug].seats is not None and taken > plan.tours[slug].seats  # type: ignore[operator]
    ]
    for (slug, province), taken in quotas.items():
        allowed = dict(plan.tours[slug].quotas).get(province, 0)
        if taken > allowed:
            found.append(f"{slug}: {taken} travellers from {province}, quota {allowed}")
    return found


def _away(plan: DemoPlan) -> dict[str, list[Stay]]:
    away: dict[str, list[Stay]] = defaultdict(list)
    for stay in plan.stays:
        if stay.status in HOLDING:
            for person in stay.people:
                away[person].append(stay)
    return away


def _traveller_overlaps(plan: DemoPlan) -> list[str]:
    found = []
    for person, stays in _away(plan).items():
        stays.sort(key=lambda stay: stay.arrival)
        for before, after in pairwise(stays):
            if after.arrival < before.departure:
                found.append(f"{person} is on two stays at once: {_name(before)} and {_name(after)}")
    return found


def _waiting_problems(plan: DemoPlan) -> list[str]:
    found = []
    away = _away(plan)
    for entry in plan.waiting:
        tour = plan.tours[entry.tour]
        taken = sum(len(s.people) for s in plan.stays if s.tour == entry.tour and s.status in HOLDING)
        if tour.status != "published" or tour.starts_on <= plan.today or entry.joined_at >= plan.start:
            found.append(f"waiting list of {entry.tour}: not open for bookings, or joined today")
        if tour.seats is None or taken + len(entry.people) <= tour.seats:
            found.append(f"waiting list of {entry.tour}: seats are free, so the engine would refuse the entry")
        for person in entry.people:
            if any(s.arrival < tour.ends_on and tour.starts_on < s.departure for s in away.get(person, ())):
                found.append(f"waiting list of {entry.tour}: {person} is away then")
    return found


def missing_features(plan: DemoPlan) -> list[str]:
    """What the demo must show on its first start ("The demo shows every feature", issue 13)."""
    today = plan.today
    desk = [s for s in plan.stays if plan.tours[s.tour].base_slug == plan.desk_base]
    senior = [s for s in plan.stays if s.household == SENIOR.login]
    wanted = {
        "a senior's past stay awaiting feedback": any(
            s.status == "checked_out" and not s.reviews and today - s.departure <= SUBMIT_WINDOW for s in senior
        ),
        "a senior's past stay with feedback given": any(s.status == "checked_out" and s.reviews for s in senior),
        "arrivals today at the desk base": any(s.arrival == today and s.status == "confirmed" for s in desk),
        "departures today at the desk base": any(s.departure == today and s.status == "checked_in" for s in desk),
        "a no-show to record at the desk base": any(
            s.status == "confirmed" and s.arrival < today < s.departure for s in desk
        ),
        "declarations waiting for the desk base": any(
            d.decision is None and s.status == "confirmed" for s in desk for d in s.declarations
        ),
        "a declaration where the desk base asked for more": any(
            d.decision == "request_info" for s in desk for d in s.declarations
        ),
        "health-mix cells at the suppression threshold": _health_mix_shows(plan),
        "sold stays for flows, occupancy and bookings": any(
            s.status in HOLDING and s.arrival < today for s in plan.stays
        ),
        "exchange trips for the exchange balance": any(
            s.status in HOLDING and plan.tours[s.tour].mode == "interactive" for s in plan.stays
        ),
        "feedback for satisfaction": any(s.reviews for s in plan.stays),
        "the hotline's consenting senior with travellers, and one without": bool(DAUGHTER.travellers)
        and bool(SENIOR.travellers),
        "a waiting-list entry on a sold-out stay": bool(plan.waiting) and not _waiting_problems(plan),
        "a senior's stay booked for later": any(s.status == "confirmed" and s.arrival > today for s in senior),
        "the hotline's booking for a senior": any(s.booked_by for s in plan.stays),
        "a phone number for every base": all(base.contact_phone for base in BASES),
    }
    return [feature for feature, shown in wanted.items() if not shown]


def _health_mix_shows(plan: DemoPlan) -> bool:
    """Some base has enough declarations that a condition's count is shown (all time)."""
    people = plan.people()
    by_base: dict[str, list[Stay]] = defaultdict(list)
    for stay in plan.stays:
        by_base[plan.tours[stay.tour].base_slug].append(stay)
    for stays in by_base.values():  # answers are drawn on demand: stop at the first base that shows
        cells: Counter[tuple[str, str]] = Counter()
        for stay in stays:
            for declaration in stay.declarations:
                age = stay.arrival.year - people[declaration.person].birth_date.year
                answers = answers_of(declaration, plan.households[stay.household])
                cells.update(facets(answers, "low", age))
        total = cells[("all", "declarations")]
        hidden = suppressed_cells(total, dict(cells))
        if total >= MIN_CELL and any(cell[0] == "condition" and cell not in hidden for cell in cells):
            return True
    return False
