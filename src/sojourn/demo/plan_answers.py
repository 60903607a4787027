"""Health declarations for the demo's travellers: plausible answers, filed before the deadline.

About one senior in three lives with a chronic condition (Hainan 2018: 27.6% of those 65 and
over had one of nine common ones: domain.md); the shares below are *assumed* around that.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sojourn.demo.plan import Declaration, Household, Person, at
from sojourn.health.schemas import (
    Certificate,
    ChronicConditions,
    ConditionAnswer,
    DeclarationAnswers,
    Diet,
    HospitalStay,
    Insurance,
    Medications,
    MobilityAid,
)
from sojourn.health.schemas import Person as Companion
from sojourn.travellers.schemas import EmergencyContact

CONDITION_SHARES = {
    "hypertension": 0.30,
    "diabetes": 0.12,
    "heart_disease": 0.10,
    "copd_asthma": 0.06,
    "stroke_history": 0.04,
}
MEDICINES = {
    "hypertension": "氨氯地平",
    "diabetes": "二甲双胍",
    "heart_disease": "阿司匹林",
    "copd_asthma": "沙丁胺醇气雾剂",
    "stroke_history": "氯吡格雷",
}
MOBILITY = {MobilityAid.none: 80, MobilityAid.cane: 12, MobilityAid.walker: 5, MobilityAid.wheelchair: 3}


def answers_of(declaration: Declaration, household: Household) -> DeclarationAnswers:
    """The answers of ``declaration``, the same every time."""
    rng = random.Random(declaration.seed)
    filled_on = declaration.submitted_at.date()
    others = [other for other in household.people if other.key != declaration.person]
    has = {name: rng.random() < share for name, share in CONDITION_SHARES.items()}
    answered: dict[str, Any] = {
        name: ConditionAnswer(has=True, controlled=rng.random() < 0.9) if yes else ConditionAnswer(has=False)
        for name, yes in has.items()
    }
    conditions = ChronicConditions(**answered)
    medicines = [MEDICINES[name] for name, yes in has.items() if yes]
    diet = [Diet.low_salt] * has["hypertension"] + [Diet.diabetic] * has["diabetes"] or [Diet.none]
    companion = Companion(name=others[0].name, relation="老伴") if others else None
    return DeclarationAnswers(
        conditions=conditions,
        medications=Medications(takes=bool(medicines), names="、".join(medicines), supply_lasts_stay=True)
        if medicines
        else Medications(takes=False),
        recent_hospital_stay=HospitalStay(had=False),
        cognitive_impairment=False,
        epilepsy=False,
        oxygen=False,
        cpap=False,
        diet=diet,
        mobility_aid=rng.choices(list(MOBILITY), weights=list(MOBILITY.values()))[0],
        travels_alone=companion is None,
        companion=companion,
        emergency_contact=EmergencyContact(
            name=household.people[0].name[0] + "家人", phone="13900000000", relation="子女"
        ),
        certificate=Certificate(has=True, dated=filled_on - dt.timedelta(days=rng.randint(3, 20))),
        insurance=Insurance(
            has=True, insurer="中国人寿", policy_number=f"GL-{rng.randint(10**7, 10**8 - 1)}", age_limit=90
        ),
    )


def declarations_for(
    rng: random.Random,
    household: Household,
    booked_at: dt.datetime,
    due_on: dt.date,
    *,
    decision: str | None,
    people: tuple[Person, ...] | None = None,
) -> tuple[Declaration, ...]:
    """One declaration per traveller, sent a day or three after booking and by the deadline,
    reviewed the next morning when there is a ``decision``."""
    filed = []
    for person in people or household.people:
        submitted_at = min(booked_at + dt.timedelta(days=1 + int(rng.random() * 3)), at(due_on, 19))
        submitted_at = max(submitted_at, booked_at + dt.timedelta(minutes=30))
        reviewed_at = submitted_at + dt.timedelta(hours=15) if decision else None
        filed.append(Declaration(person.key, rng.getrandbits(32), submitted_at, decision, reviewed_at))
    return tuple(filed)
