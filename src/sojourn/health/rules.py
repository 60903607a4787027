"""The screening rules' condition language: a small JSON language read from ``screening_rule``.

A condition is one of

- ``{"all": [c, ...]}`` — every part holds (an empty list holds);
- ``{"any": [c, ...]}`` — at least one part holds (an empty list does not);
- ``{"not": c}``;
- ``{"fact": name, "op": op, "value": v}`` — compares a fact with ``v``, where ``v`` is a JSON
  value or ``{"fact": other}`` (another fact, e.g. the insurer's age limit).

Operators: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in`` (the fact is one of a list),
``contains`` (a list fact holds the value). An unknown answer is ``null``: ``==``/``!=`` compare
it like any value; every ordering, ``in`` and ``contains`` with ``null`` is false.

Facts are named in ``FACTS`` (computed in ``screening.facts_for``). The language has no way to
refuse: a rule's effect is a column limited to certificate, companion, review and warning.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from sojourn.health.rows import ScreeningRuleRow

FACTS: dict[str, str] = {
    "age": "age at arrival, in years",
    "nights": "nights of this booking",
    "mode": "migratory, vacation or interactive",
    "requirements": "the tour's health requirements, e.g. high_altitude, long_stay, far_from_hospital",
    "altitude_m": "the base's altitude in metres",
    "hospital_distance_km": "distance from the base to the nearest hospital",
    "medical_level": "hospital_on_site, clinic_on_site, nurse_on_call or partner_hospital",
    "hypertension": "declared high blood pressure",
    "hypertension_controlled": "true, false, or null when not declared or not answered",
    "heart_disease": "declared heart disease or irregular heartbeat",
    "heart_disease_controlled": "true, false or null",
    "diabetes": "declared diabetes",
    "diabetes_controlled": "true, false or null",
    "copd_asthma": "declared COPD or asthma",
    "copd_asthma_controlled": "true, false or null",
    "stroke_history": "declared an earlier stroke",
    "stroke_history_controlled": "true, false or null",
    "has_other_condition": "wrote something under other conditions",
    "days_since_hospital_stay": "days from a recent operation or hospital stay to arrival, or null",
    "cognitive_impairment": "declared trouble with memory or thinking",
    "epilepsy": "declared epilepsy",
    "takes_medication": "takes regular medicines",
    "medication_supply_lasts": "true, false or null: enough medicine for the whole stay",
    "has_allergies": "wrote down allergies",
    "diet": "list of diet needs: diabetic, low_salt, soft, halal",
    "mobility_aid": "none, cane, walker or wheelchair",
    "oxygen": "uses oxygen at home",
    "cpap": "uses a CPAP machine",
    "travels_alone": "true, false or null when not answered",
    "has_companion": "travels with a named companion",
    "has_co_signer": "an adult relative co-signs the declaration",
    "has_certificate": "has a doctor's health certificate with its date",
    "certificate_age_days": "days from the certificate's date to arrival, or null",
    "has_insurance": "has travel or accident insurance",
    "insurance_age_limit": "the insurer's age limit, or null",
}


class BadCondition(ValueError):
    """A rule row whose condition the language cannot read."""


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def run(left: Any, right: Any) -> bool:
        if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
            return False
        try:
            return bool(compare(left, right))
        except TypeError:
            return False

    return run


def _in(left: Any, right: Any) -> bool:
    return left is not None and isinstance(right, list) and left in right


def _contains(left: Any, right: Any) -> bool:
    return isinstance(left, list) and right is not None and right in left


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda left, right: left == right,
    "!=": lambda left, right: left != right,
    "<": _ordered(operator.lt),
    "<=": _ordered(operator.le),
    ">": _ordered(operator.gt),
    ">=": _ordered(operator.ge),
    "in": _in,
    "contains": _contains,
}


def problems(condition: Any, path: str = "$") -> list[str]:
    """What is wrong with ``condition`` (empty when it can be evaluated); for editors and tests."""
    if not isinstance(condition, Mapping):
        return [f"{path}: a condition is an object"]
    keys = set(condition)
    if keys == {"all"} or keys == {"any"}:
        (key,) = keys
        parts = condition[key]
        if not isinstance(parts, list):
            return [f"{path}.{key}: a list of conditions"]
        return [problem for i, part in enumerate(parts) for problem in problems(part, f"{path}.{key}[{i}]")]
    if keys == {"not"}:
        return problems(condition["not"], f"{path}.not")
    if keys == {"fact", "op", "value"}:
        found = []
        if condition["fact"] not in FACTS:
            found.append(f"{path}.fact: unknown fact {condition['fact']!r}")
        if condition["op"] not in OPERATORS:
            found.append(f"{path}.op: unknown operator {condition['op']!r}")
        value = condition["value"]
        if isinstance(value, Mapping) and (set(value) != {"fact"} or value["fact"] not in FACTS):
            found.append(f"{path}.value: a value object names one known fact")
        return found
    return [f"{path}: use all, any, not, or fact/op/value"]


def holds(condition: Any, facts: Mapping[str, Any]) -> bool:
    """Evaluate ``condition`` over ``facts``; BadCondition if it is not in the language."""
    found = problems(condition)
    if found:
        raise BadCondition("; ".join(found))
    return _holds(condition, facts)


def _holds(condition: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    if "all" in condition:
        return all(_holds(part, facts) for part in condition["all"])
    if "any" in condition:
        return any(_holds(part, facts) for part in condition["any"])
    if "not" in condition:
        return not _holds(condition["not"], facts)
    value = condition["value"]
    if isinstance(value, Mapping):
        value = facts.get(value["fact"])
    return OPERATORS[condition["op"]](facts.get(condition["fact"]), value)


def effective_rules(rows: list[ScreeningRuleRow]) -> list[ScreeningRuleRow]:
    """The rules that apply, one per code: a tour rule overrides a base rule, which overrides the
    alliance rule of the same code (an inactive override switches the rule off there)."""

    def specificity(row: ScreeningRuleRow) -> int:
        return 2 if row.tour is not None else 1 if row.base is not None else 0

    chosen: dict[str, ScreeningRuleRow] = {}
    for row in rows:
        current = chosen.get(row.code)
        if current is None or specificity(row) > specificity(current):
            chosen[row.code] = row
    return sorted(
        (row for row in chosen.values() if row.active),
        key=lambda row: (row.priority, row.code),
    )
