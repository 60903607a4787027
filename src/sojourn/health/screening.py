"""Screening a declaration: facts from the answers and the trip, rules from ``screening_rule``.

Each rule that holds gives a flag (certificate, companion, review or warning) with its risk
and a plain explanation in Chinese and English; the overall risk is the highest flag's (low
when nothing holds). Nothing here refuses anyone: flags ask for paperwork or a human review.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from sojourn.db import rows
from sojourn.health import rules
from sojourn.health.rows import DeclarationTarget, ScreeningRuleRow
from sojourn.health.schemas import CONDITION_NAMES, DeclarationAnswers, Flag, Screening
from sojourn.i18n import lazy_gettext as _l
from sojourn.i18n import using_locale
from sojourn.localized import pick
from sojourn.travellers.identity import age_on

log = logging.getLogger(__name__)

RISK_ORDER = {"low": 0, "medium": 1, "high": 2}
UNREADABLE_RULE = _l("This declaration needs a check by the base's staff before the trip.")

RULES_SQL = """
SELECT id, code, base, tour, condition, effect, risk, explanation_zh, explanation_en, active, priority
FROM screening_rule
WHERE (base IS NULL AND tour IS NULL) OR base = $1 OR tour = $2
"""


@dataclass(frozen=True)
class Trip:
    """What the rules may know about the stay, the place and the traveller's age."""

    arrival: dt.date
    nights: int
    birth_date: dt.date
    mode: str
    requirements: tuple[str, ...]
    altitude_m: int
    hospital_distance_km: float
    medical_level: str

    @classmethod
    def from_row(cls, row: DeclarationTarget) -> Trip:
        return cls(
            arrival=row.arrival,
            nights=row.nights,
            birth_date=row.birth_date,
            mode=row.mode,
            requirements=tuple(row.health_requirements or ()),
            altitude_m=row.altitude_m,
            hospital_distance_km=float(row.hospital_distance_km),
            medical_level=row.medical_level,
        )


def facts_for(answers: DeclarationAnswers, trip: Trip) -> dict[str, Any]:
    """The facts named in ``rules.FACTS``."""
    facts: dict[str, Any] = {
        "age": age_on(trip.birth_date, trip.arrival),
        "nights": trip.nights,
        "mode": trip.mode,
        "requirements": list(trip.requirements),
        "altitude_m": trip.altitude_m,
        "hospital_distance_km": trip.hospital_distance_km,
        "medical_level": trip.medical_level,
    }
    for name in CONDITION_NAMES:
        condition = getattr(answers.conditions, name)
        facts[name] = condition.has
        facts[f"{name}_controlled"] = condition.controlled if condition.has else None
    stay, certificate, insurance = (
        answers.recent_hospital_stay,
        answers.certificate,
        answers.insurance,
    )
    facts.update(
        has_other_condition=bool(answers.conditions.other),
        days_since_hospital_stay=((trip.arrival - stay.date).days if stay.had and stay.date else None),
        cognitive_impairment=answers.cognitive_impairment,
        epilepsy=answers.epilepsy,
        takes_medication=answers.medications.takes,
        medication_supply_lasts=(answers.medications.supply_lasts_stay if answers.medications.takes else None),
        has_allergies=bool(answers.allergies),
        diet=[need.value for need in answers.diet if need.value != "none"],
        mobility_aid=answers.mobility_aid.value,
        oxygen=answers.oxygen,
        cpap=answers.cpap,
        travels_alone=answers.travels_alone,
        has_companion=answers.travels_alone is False and answers.companion is not None,
        has_co_signer=answers.co_signer is not None,
        has_certificate=certificate.has,
        certificate_age_days=(
            (trip.arrival - certificate.dated).days if certificate.has and certificate.dated else None
        ),
        has_insurance=insurance.has,
        insurance_age_limit=insurance.age_limit if insurance.has else None,
    )
    return facts


def _unreadable_rule(row: ScreeningRuleRow) -> dict[str, Any]:
    """A rule that cannot be read must not be skipped silently: a person looks instead."""
    with using_locale("zh_CN"):
        chinese = str(UNREADABLE_RULE)
    with using_locale("en"):
        english = str(UNREADABLE_RULE)
    return {
        "code": row.code,
        "effect": "review",
        "risk": "medium",
        "explanation_zh": chinese,
        "explanation_en": english,
    }


def screen(rule_rows: Sequence[ScreeningRuleRow], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The stored screening: overall risk and the flags with both explanations."""
    flags: list[dict[str, Any]] = []
    for row in rules.effective_rules(list(rule_rows)):
        condition = row.condition
        if isinstance(condition, str):
            condition = json.loads(condition)
        try:
            matched = rules.holds(condition, facts)
        except rules.BadCondition as error:
            log.error("screening rule %s (id %s) cannot be read: %s", row.code, row.id, error)
            flags.append(_unreadable_rule(row))
            continue
        if matched:
            flags.append(
                {
                    "code": row.code,
                    "effect": row.effect,
                    "risk": row.risk,
                    "explanation_zh": row.explanation_zh,
                    "explanation_en": row.explanation_en,
                }
            )
    flags.sort(key=lambda flag: -RISK_ORDER.get(flag["risk"], 1))  # stable: rule priority within a risk
    risk = max((flag["risk"] for flag in flags), key=lambda r: RISK_ORDER.get(r, 1), default="low")
    return {"risk": risk, "flags": flags}


def screening_out(stored: Mapping[str, Any] | None) -> Screening | None:
    """The stored screening in the reader's language."""
    if stored is None:
        return None
    return Screening(
        risk=stored["risk"],
        flags=[
            Flag(
                code=flag["code"],
                effect=flag["effect"],
                risk=flag["risk"],
                message=pick(flag, "explanation"),
            )
            for flag in stored["flags"]
        ],
    )


async def load_rules(conn: asyncpg.Connection, base_id: int, tour_id: int) -> list[ScreeningRuleRow]:
    return rows.rows(ScreeningRuleRow, await conn.fetch(RULES_SQL, base_id, tour_id))


async def screen_declaration(
    conn: asyncpg.Connection, answers: DeclarationAnswers, trip: Trip, base_id: int, tour_id: int
) -> dict[str, Any]:
    return screen(await load_rules(conn, base_id, tour_id), facts_for(answers, trip))
