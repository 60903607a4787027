"""Screening rules are data: the condition language, every default rule on its edges, overrides
per base and tour, and the promise that age alone never refuses anyone."""

import datetime as dt
import json

import asyncpg
import msgspec
import pytest

from sojourn import db as database
from sojourn.health import rules
from sojourn.health.schemas import DeclarationAnswers
from sojourn.health.screening import Trip, facts_for, load_rules, screen
from tests.health_helpers import (
    COMPANION,
    book,
    declaration_body,
    fetchval,
    operator,
    rules_migration,
    seed_default_rules,
    with_companion,
)

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
ALONE_NO_PAPERS = {"travels_alone": True}


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
async def default_rules(db):
    await seed_default_rules()
    async with database.connection() as conn:
        return await load_rules(conn, 0, 0)


def _screen(rule_rows, answers: dict, **trip) -> dict:
    return screen(rule_rows, facts_for(msgspec.convert(answers, DeclarationAnswers), _trip(**trip)))


@pytest.mark.parametrize(
    ("answers", "trip", "code", "flagged"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_default_rule_edges(default_rules, answers, trip, code, flagged):
    result = _screen(default_rules, answers, **trip)
    assert (code in {flag["code"] for flag in result["flags"]}) is flagged, result["flags"]


def test_every_default_rule_has_an_edge_case():
    assert {case[3] for case in CASES if case[4]} == {rule[0] for rule in rules_migration().DEFAULT_RULES}


async def test_overall_risk_is_the_highest_flag(default_rules):
    assert _screen(default_rules, _answers(), age=66) == {"risk": "low", "flags": []}
    mixed = _screen(default_rules, _answers(travels_alone=True, epilepsy=True), age=80, altitude=3500)
    assert mixed["risk"] == "high"
    assert [flag["risk"] for flag in mixed["flags"]] == sorted(
        (flag["risk"] for flag in mixed["flags"]), key=["high", "medium", "low"].index
    )
    assert {flag["effect"] for flag in mixed["flags"]} == {"review", "companion"}
    assert all(flag["explanation_zh"] and flag["explanation_en"] for flag in mixed["flags"])


async def test_an_unreadable_rule_asks_for_a_person_instead_of_being_skipped(default_rules):
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


# ---------------------------------------------------------------- rules as rows, through the API


def _codes(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {flag["code"] for flag in response.json()["screening"]["flags"]}


async def test_editing_a_threshold_row_changes_the_result(client, world):
    booked = await book(client, world, "13800000001", birth=dt.date(1956, 1, 1))  # 71 at arrival
    body = declaration_body(submit=False, certificate={"has": False})
    assert "age_70_certificate" in _codes(await client.put(booked.path, json=body, headers=booked.booker.headers))
    async with database.connection() as conn:
        await conn.execute(
            "UPDATE screening_rule SET condition = jsonb_set(condition, '{all,0,value}', '72') "
            "WHERE code = 'age_70_certificate' AND base IS NULL AND tour IS NULL"
        )
    assert "age_70_certificate" not in _codes(await client.put(booked.path, json=body, headers=booked.booker.headers))


async def test_base_and_tour_rules_override_and_extend_the_alliance_rules(client, world):
    booked = await book(client, world, "13800000001", birth=dt.date(1956, 1, 1))  # 71 at arrival
    body = declaration_body(submit=False, certificate={"has": False})
    base_id, tour_id = world.bases["sanya"]["id"], world.tours["migratory"]["id"]
    default = await _default_row("age_70_certificate")
    async with database.connection() as conn:
        # The base switches the alliance's certificate rule off ...
        await conn.execute(
            "INSERT INTO screening_rule (code, base, condition, effect, risk, explanation_zh, explanation_en, active) "
            "VALUES ('age_70_certificate', $1, $2, 'certificate', 'low', '', '', FALSE)",
            base_id,
            default["condition"],
        )
        # ... and adds its own rule for everyone who uses a walker or a wheelchair.
        await conn.execute(
            "INSERT INTO screening_rule (code, base, condition, effect, risk, explanation_zh, explanation_en) "
            "VALUES ('sanya_stairs', $1, $2, 'warning', 'medium', '本基地没有电梯。', 'This base has no lift.')",
            base_id,
            json.dumps({"fact": "mobility_aid", "op": "in", "value": ["walker", "wheelchair"]}),
        )
    codes = _codes(
        await client.put(booked.path, json={**body, "mobility_aid": "walker"}, headers=booked.booker.headers)
    )
    assert "age_70_certificate" not in codes and "sanya_stairs" in codes
    async with database.connection() as conn:
        # The tour brings the certificate back, from 71.
        await conn.execute(
            "INSERT INTO screening_rule (code, tour, condition, effect, risk, explanation_zh, explanation_en) "
            "VALUES ('age_70_certificate', $1, $2, 'certificate', 'medium', '请带健康证明。', 'Bring a certificate.')",
            tour_id,
            json.dumps(
                {
                    "all": [
                        {"fact": "age", "op": ">=", "value": 71},
                        {"fact": "has_certificate", "op": "==", "value": False},
                    ]
                }
            ),
        )
    response = await client.put(booked.path, json=body, headers={**booked.booker.headers, "Accept-Language": "en"})
    flags = {flag["code"]: flag for flag in response.json()["screening"]["flags"]}
    assert (
        flags["age_70_certificate"]["message"] == "Bring a certificate."
        and flags["age_70_certificate"]["risk"] == "medium"
    )
    # Other bases keep the alliance's rule.
    other = await _default_row("age_70_certificate")
    assert other["active"] is True


async def _default_row(code: str) -> dict:
    async with database.connection() as conn:
        return dict(
            await conn.fetchrow(
                "SELECT * FROM screening_rule WHERE code = $1 AND base IS NULL AND tour IS NULL",
                code,
            )
        )


async def test_rules_cannot_refuse_and_a_code_is_unique_per_scope(world):
    async with database.connection() as conn:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO screening_rule (code, condition, effect, risk, explanation_zh, explanation_en) "
                "VALUES ('too_old', '{\"fact\": \"age\", \"op\": \">=\", \"value\": 80}', 'refuse', 'high', '', '')"
            )
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(
                "INSERT INTO screening_rule (code, condition, effect, risk, explanation_zh, explanation_en) "
                "VALUES ('age_75_companion', '{\"all\": []}', 'companion', 'low', '', '')"
            )


async def test_a_healthy_90_year_old_with_a_companion_is_not_refused(client, world):
    booked = await book(client, world, "13800000001", birth=dt.date(1936, 6, 1))  # 90 at arrival
    insured = {"has": True, "insurer": "人保", "policy_number": "RB-1", "age_limit": 100}
    response = await client.put(booked.path, json=with_companion(insurance=insured), headers=booked.booker.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "submitted"
    assert response.json()["screening"] == {"risk": "low", "flags": []}
    # Even alone and without a certificate, age only asks for paperwork, at low risk.
    alone = await book(client, world, "13800000002", birth=dt.date(1936, 6, 1), arrival_offset=40)
    papers = await client.put(
        alone.path,
        json=declaration_body(certificate={"has": False}, insurance=insured),
        headers=alone.booker.headers,
    )
    assert papers.json()["status"] == "submitted" and papers.json()["screening"]["risk"] == "low"
    assert {(flag["code"], flag["effect"]) for flag in papers.json()["screening"]["flags"]} == {
        ("age_75_companion", "companion"),
        ("age_70_certificate", "certificate"),
    }
    assert await fetchval("SELECT count(*) FROM booking WHERE status = 'confirmed'") == 2
    # And the base can accept them.
    headers = await operator(client, "op@sanya.cn", world.bases["sanya"]["id"])
    declaration_id = response.json()["id"]
    accepted = await client.post(
        f"/api/v1/operator/declarations/{declaration_id}/review",
        json={"decision": "accept"},
        headers=headers,
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


async def test_the_insurers_age_limit_is_a_warning_not_a_refusal(client, world):
    booked = await book(client, world, "13800000001", birth=dt.date(1950, 1, 1))  # 77 at arrival
    body = with_companion(insurance={"has": True, "insurer": "某保险", "policy_number": "X1", "age_limit": 75})
    response = await client.put(booked.path, json=body, headers={**booked.booker.headers, "Accept-Language": "en"})
    assert response.json()["status"] == "submitted"
    flags = response.json()["screening"]["flags"]
    assert [(flag["code"], flag["effect"], flag["risk"]) for flag in flags] == [
        ("insurance_age_limit", "warning", "low")
    ]
    assert "age limit" in flags[0]["message"]
