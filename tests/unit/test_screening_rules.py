"""Screening rules are data: the condition language, and every default rule on its edges, run on
the rules as rows without a database (how they are stored and edited: tests/health/)."""

import datetime as dt
import json

import msgspec
import pytest

from sojourn.db import rows
from sojourn.health import rules
from sojourn.health.rows import ScreeningRuleRow
from sojourn.health.schemas import DeclarationAnswers
from sojourn.health.screening import Trip, facts_for, screen
from tests.health_helpers import COMPANION, default_rule_rows, rules_migration

ARRIVAL = dt.date(2027, 1, 15)

# ---------------------------------------------------------------- the language


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"all": []}, True),
        ({"any": []}, False),
        ({"fact": "age", "op": ">=", "value": 75}, True),
        ({"fact": "age", "op": ">", "value": 80}, False),
        ({"not": {"fact": "age", "op": ">", "value": 80}}, True),
        (
            {
                "all": [
                    {"fact": "age", "op": ">=", "value": 75},
                    {"fact": "travels_alone", "op": "==", "value": True},
                ]
            },
            True,
        ),
        (
            {
                "any": [
                    {"fact": "age", "op": "<", "value": 60},
                    {"fact": "diet", "op": "contains", "value": "soft"},
                ]
            },
            True,
        ),
        ({"fact": "mobility_aid", "op": "in", "value": ["walker", "wheelchair"]}, False),
        (
            {"fact": "insurance_age_limit", "op": "<", "value": 100},
            False,
        ),  # unknown: orderings are false
        ({"fact": "insurance_age_limit", "op": "==", "value": None}, True),
        ({"fact": "age", "op": ">", "value": {"fact": "certificate_age_days"}}, True),
        ({"fact": "age", "op": ">", "value": {"fact": "insurance_age_limit"}}, False),
    ],
)
def test_condition_language(condition, expected):
    facts = {
        "age": 80,
        "travels_alone": True,
        "diet": ["soft"],
        "mobility_aid": "cane",
        "insurance_age_limit": None,
        "certificate_age_days": 12,
    }
    assert rules.problems(condition) == []
    assert rules.holds(condition, facts) is expected


@pytest.mark.parametrize(
    "condition",
    [
        {"fact": "shoe_size", "op": ">", "value": 40},
        {"fact": "age", "op": "~", "value": 40},
        {"all": {"fact": "age", "op": ">", "value": 40}},
        {"fact": "age", "op": ">"},
        {"fact": "age", "op": ">", "value": {"fact": "nope"}},
        {"refuse": True},
        [],
    ],
)
def test_conditions_outside_the_language_are_reported(condition):
    assert rules.problems(condition)
    with pytest.raises(rules.BadCondition):
        rules.holds(condition, {"age": 70})


def test_every_default_rule_is_in_the_language():
    for code, condition, effect, risk, *_ in rules_migration().DEFAULT_RULES:
        assert rules.problems(condition) == [], code
        assert effect in ("certificate", "companion", "review", "warning") and risk in (
            "low",
            "medium",
            "high",
        )


# ---------------------------------------------------------------- default rules on their edges


def _trip(age: int, *, nights: int = 30, altitude: int = 10, distance: float = 5.0, requirements=()) -> Trip:
    return Trip(
        arrival=ARRIVAL,
        nights=nights,
        birth_date=ARRIVAL.replace(year=ARRIVAL.year - age),  # the birthday is the arrival day
        mode="migratory",
        requirements=tuple(requirements),
        altitude_m=altitude,
        hospital_distance_km=distance,
        medical_level="clinic_on_site",
    )


HEALTHY = {"travels_alone": True, "certificate": {"has": True, "dated": "2026-12-01"}}
ALONE_NO_PAPERS = {"travels_alone": True, "certificate": {"has": False}, "insurance": {"has": False}}


def _answers(**changes) -> dict:
    return {**HEALTHY, **changes}


def _condition(name: str, controlled=None) -> dict:
    return {"conditions": {name: {"has": True, "controlled": controlled}}}


# fmt: off
CASES = [
    # (id, answers, trip kwargs, rule code, flagged)
    ("69 without certificate", ALONE_NO_PAPERS, {"age": 69}, "age_70_certificate", False),
    ("70 without certificate", ALONE_NO_PAPERS, {"age": 70}, "age_70_certificate", True),
    ("70 with a fresh certificate", _answers(), {"age": 70}, "age_70_certificate", False),
    ("certificate 90 days old", _answers(certificate={"has": True, "dated": "2026-10-17"}), {"age": 72}, "age_70_certificate", False),
    ("certificate 91 days old", _answers(certificate={"has": True, "dated": "2026-10-16"}), {"age": 72}, "age_70_certificate", True),
    ("74 alone", _answers(), {"age": 74}, "age_75_companion", False),
    ("75 alone", _answers(), {"age": 75}, "age_75_companion", True),
    ("75 with a companion", _answers(travels_alone=False, companion=COMPANION), {"age": 75}, "age_75_companion", False),
    ("75 alone with a co-signer", _answers(co_signer=COMPANION), {"age": 75}, "age_75_companion", False),
    ("heart at 3000 m", _answers(**_condition("heart_disease", True)), {"age": 66, "altitude": 3000}, "high_altitude_heart_disease", False),
    ("heart at 3001 m", _answers(**_condition("heart_disease", True)), {"age": 66, "altitude": 3001}, "high_altitude_heart_disease", True),
    ("heart on a high-altitude tour", _answers(**_condition("heart_disease", True)), {"age": 66, "requirements": ["high_altitude"]}, "high_altitude_heart_disease", True),
    ("controlled hypertension at 3001 m", _answers(**_condition("hypertension", True)), {"age": 66, "altitude": 3001}, "high_altitude_hypertension", False),
    ("uncontrolled hypertension at 3001 m", _answers(**_condition("hypertension", False)), {"age": 66, "altitude": 3001}, "high_altitude_hypertension", True),
    ("uncontrolled hypertension at 3000 m", _answers(**_condition("hypertension", False)), {"age": 66, "altitude": 3000}, "high_altitude_hypertension", False),
    ("unanswered hypertension at 3001 m", _answers(**_condition("hypertension", None)), {"age": 66, "altitude": 3001}, "high_altitude_hypertension", True),
    ("uncontrolled COPD at 3001 m", _answers(**_condition("copd_asthma", False)), {"age": 66, "altitude": 3001}, "high_altitude_copd", True),
    ("controlled COPD at 3001 m", _answers(**_condition("copd_asthma", True)), {"age": 66, "altitude": 3001}, "high_altitude_copd", False),
    ("uncontrolled diabetes at 3001 m", _answers(**_condition("diabetes", False)), {"age": 66, "altitude": 3001}, "high_altitude_diabetes", True),
    ("controlled diabetes at 3001 m", _answers(**_condition("diabetes", True)), {"age": 66, "altitude": 3001}, "high_altitude_diabetes", False),
    ("epilepsy at 3001 m", _answers(epilepsy=True), {"age": 66, "altitude": 3001}, "high_altitude_epilepsy", True),
    ("epilepsy at 3000 m", _answers(epilepsy=True), {"age": 66, "altitude": 3000}, "high_altitude_epilepsy", False),
    ("30 nights, medicine short", _answers(medications={"takes": True, "names": "x", "supply_lasts_stay": False}), {"age": 66, "nights": 30}, "long_stay_medication", False),
    ("31 nights, medicine short", _answers(medications={"takes": True, "names": "x", "supply_lasts_stay": False}), {"age": 66, "nights": 31}, "long_stay_medication", True),
    ("31 nights, medicine enough", _answers(medications={"takes": True, "names": "x", "supply_lasts_stay": True}), {"age": 66, "nights": 31}, "long_stay_medication", False),
    ("long-stay tour, medicine short", _answers(medications={"takes": True, "names": "x", "supply_lasts_stay": False}), {"age": 66, "nights": 20, "requirements": ["long_stay"]}, "long_stay_medication", True),
    ("heart, hospital 30 km", _answers(**_condition("heart_disease", True)), {"age": 66, "distance": 30.0}, "far_from_hospital", False),
    ("heart, hospital 30.5 km", _answers(**_condition("heart_disease", True)), {"age": 66, "distance": 30.5}, "far_from_hospital", True),
    ("oxygen, far-from-hospital tour", _answers(oxygen=True), {"age": 66, "requirements": ["far_from_hospital"]}, "far_from_hospital", True),
    ("healthy, hospital 80 km", _answers(), {"age": 66, "distance": 80.0}, "far_from_hospital", False),
    ("cognitive impairment alone", _answers(cognitive_impairment=True), {"age": 66}, "cognitive_impairment_companion", True),
    ("cognitive impairment with companion", _answers(cognitive_impairment=True, travels_alone=False, companion=COMPANION), {"age": 66}, "cognitive_impairment_companion", False),
    ("insured up to 70, aged 70", _answers(insurance={"has": True, "insurer": "A", "policy_number": "1", "age_limit": 70}), {"age": 70}, "insurance_age_limit", False),
    ("insured up to 70, aged 71", _answers(insurance={"has": True, "insurer": "A", "policy_number": "1", "age_limit": 70}), {"age": 71}, "insurance_age_limit", True),
    ("no insurance limit given", _answers(insurance={"has": True, "insurer": "A", "policy_number": "1"}), {"age": 90}, "insurance_age_limit", False),
    ("hospital 89 days before", _answers(recent_hospital_stay={"had": True, "date": "2026-10-18"}), {"age": 66}, "recent_hospital_stay", True),
    ("hospital 90 days before", _answers(recent_hospital_stay={"had": True, "date": "2026-10-17"}), {"age": 66}, "recent_hospital_stay", False),
]
# fmt: on


@pytest.fixture
def default_rules() -> list[dict]:
    """The alliance's default rules as rows, as ``load_rules`` reads them from the table (which
    tests/health/test_health_screening.py checks)."""
    return default_rule_rows()


def _screen(rule_rows: list[dict], answers: dict, **trip) -> dict:
    return screen(
        rows.rows(ScreeningRuleRow, rule_rows), facts_for(msgspec.convert(answers, DeclarationAnswers), _trip(**trip))
    )


@pytest.mark.parametrize(
    ("answers", "trip", "code", "flagged"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_default_rule_edges(default_rules, answers, trip, code, flagged):
    result = _screen(default_rules, answers, **trip)
    assert (code in {flag["code"] for flag in result["flags"]}) is flagged, result["flags"]


def test_every_default_rule_has_an_edge_case():
    assert {case[3] for case in CASES if case[4]} == {rule[0] for rule in rules_migration().DEFAULT_RULES}


def test_overall_risk_is_the_highest_flag(default_rules):
    assert _screen(default_rules, _answers(), age=66) == {"risk": "low", "flags": []}
    mixed = _screen(default_rules, _answers(travels_alone=True, epilepsy=True), age=80, altitude=3500)
    assert mixed["risk"] == "high"
    assert [flag["risk"] for flag in mixed["flags"]] == sorted(
        (flag["risk"] for flag in mixed["flags"]), key=["high", "medium", "low"].index
    )
    assert {flag["effect"] for flag in mixed["flags"]} == {"review", "companion"}
    assert all(flag["explanation_zh"] and flag["explanation_en"] for flag in mixed["flags"])


def test_an_unreadable_rule_asks_for_a_person_instead_of_being_skipped(default_rules):
    broken = dict(
        default_rules[0],
        code="broken",
        condition=json.dumps({"fact": "shoe_size", "op": ">", "value": 1}),
    )
    result = _screen([*default_rules, broken], _answers(), age=66)
    assert result["flags"] == [
        {
            "code": "broken",
            "effect": "review",
            "risk": "medium",
            "explanation_zh": result["flags"][0]["explanation_zh"],
            "explanation_en": "This declaration needs a check by the base's staff before the trip.",
        }
    ]
