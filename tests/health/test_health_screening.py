"""Screening rules are data in a table: the default rules as stored, overrides per base and tour,
edits that change results, and the promise that age alone never refuses anyone. The condition
language and each default rule on its edges: tests/unit/test_screening_rules.py."""

import datetime as dt
import json

import asyncpg
import msgspec
import pytest

from sojourn import db as database
from sojourn.health.screening import load_rules
from tests.health_helpers import (
    book,
    declaration_body,
    default_rule_rows,
    fetchval,
    operator,
    with_companion,
)


async def test_the_default_rules_in_the_table_are_the_rows_the_unit_tests_screen_with(world):
    def comparable(rows) -> list[dict]:
        return sorted(
            (
                {**row, "id": None, "condition": json.loads(row["condition"])}
                if isinstance(row["condition"], str)
                else {**row, "id": None}
                for row in rows
            ),
            key=lambda row: row["code"],
        )

    async with database.connection() as conn:
        stored = await load_rules(conn, 0, 0)
    assert len(stored) == len(default_rule_rows()) > 0
    assert comparable([msgspec.structs.asdict(rule) for rule in stored]) == comparable(default_rule_rows())


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
