"""Checking a declaration's answers: what may be saved as a draft, what a submission needs.

Pure functions over the parsed body. Field names in errors are the body's paths
(``recent_hospital_stay.date``), the same as msgspec's own validation errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from sojourn.errors import InvalidInput
from sojourn.health.schemas import (
    CONDITION_NAMES,
    Certificate,
    ChronicConditions,
    ConditionAnswer,
    DeclarationAnswers,
    Diet,
    HospitalStay,
    Insurance,
    Medications,
    Person,
)
from sojourn.i18n import lazy_gettext as _l
from sojourn.travellers.schemas import EmergencyContact


def _person(person: Person | None) -> Person | None:
    if person is None:
        return None
    return Person(
        name=person.name.strip(),
        relation=person.relation.strip(),
        phone=(person.phone or "").strip() or None,
    )


def normalise(answers: DeclarationAnswers) -> DeclarationAnswers:
    """Trim text and drop details that belong to a "no" (a date for a stay that did not happen)."""
    conditions = answers.conditions
    cleaned = {
        name: (
            ConditionAnswer(has=True, controlled=getattr(conditions, name).controlled)
            if getattr(conditions, name).has
            else ConditionAnswer(has=getattr(conditions, name).has)
        )
        for name in CONDITION_NAMES
    }
    stay = answers.recent_hospital_stay
    medications = answers.medications
    certificate = answers.certificate
    insurance = answers.insurance
    diet: list[Diet] = []
    for need in answers.diet:
        if need not in diet:
            diet.append(need)
    contact = answers.emergency_contact
    return DeclarationAnswers(
        conditions=ChronicConditions(**cleaned, other=conditions.other.strip()),
        recent_hospital_stay=(
            HospitalStay(had=True, date=stay.date, reason=stay.reason.strip())
            if stay.had
            else HospitalStay(had=stay.had)
        ),
        cognitive_impairment=answers.cognitive_impairment,
        epilepsy=answers.epilepsy,
        medications=(
            Medications(
                takes=True,
                names=medications.names.strip(),
                supply_lasts_stay=medications.supply_lasts_stay,
            )
            if medications.takes
            else Medications(takes=medications.takes)
        ),
        allergies=answers.allergies.strip(),
        diet=diet,
        mobility_aid=answers.mobility_aid,
        oxygen=answers.oxygen,
        cpap=answers.cpap,
        travels_alone=answers.travels_alone,
        companion=_person(answers.companion),
        co_signer=_person(answers.co_signer),
        emergency_contact=(
            EmergencyContact(
                name=contact.name.strip(),
                phone=contact.phone.strip(),
                relation=contact.relation.strip(),
            )
            if contact
            else None
        ),
        certificate=(
            Certificate(has=True, dated=certificate.dated) if certificate.has else Certificate(has=certificate.has)
        ),
        insurance=(
            Insurance(
                has=True,
                insurer=insurance.insurer.strip(),
                policy_number=insurance.policy_number.strip(),
                age_limit=insurance.age_limit,
            )
            if insurance.has
            else Insurance(has=insurance.has)
        ),
    )


def check_draft(answers: DeclarationAnswers, today: dt.date) -> None:
    """Answers that contradict themselves or the calendar are refused even in a draft."""
    errors: dict[str, Any] = {}
    future = _l("This date is in the future. Enter the date it happened, like 2026-03-08.")
    if answers.recent_hospital_stay.date and answers.recent_hospital_stay.date > today:
        errors["recent_hospital_stay.date"] = future
    if answers.certificate.dated and answers.certificate.dated > today:
        errors["certificate.dated"] = future
    if Diet.none in answers.diet and len(answers.diet) > 1:
        errors["diet"] = _l('Choose "none" on its own, or only the diets that are needed.')
    if answers.travels_alone and answers.companion is not None:
        errors["companion"] = _l(
            "You said the traveller goes alone. Remove the companion, or say that someone comes along."
        )
    for name in ("companion", "co_signer", "emergency_contact"):
        person = getattr(answers, name)
        if person is not None and (not person.name or not person.relation):
            errors[name] = _l("Enter the name and how this person is related.")
    if errors:
        raise InvalidInput(_l("Some answers need correcting."), field_errors=errors)


def unanswered(answers: DeclarationAnswers) -> list[str]:
    """The yes/no questions left without an answer (paths of the body), in the form's order."""
    questions: list[tuple[str, bool | None]] = [
        *((f"conditions.{name}.has", getattr(answers.conditions, name).has) for name in CONDITION_NAMES),
        ("recent_hospital_stay.had", answers.recent_hospital_stay.had),
        ("cognitive_impairment", answers.cognitive_impairment),
        ("epilepsy", answers.epilepsy),
        ("medications.takes", answers.medications.takes),
        ("oxygen", answers.oxygen),
        ("cpap", answers.cpap),
        ("certificate.has", answers.certificate.has),
        ("insurance.has", answers.insurance.has),
    ]
    return [path for path, value in questions if value is None]


def check_complete(answers: DeclarationAnswers) -> None:
    """A submitted declaration answers every question, and every question its answers open up."""
    errors: dict[str, Any] = {path: _l("Answer yes or no.") for path in unanswered(answers)}
    for name in CONDITION_NAMES:
        condition = getattr(answers.conditions, name)
        if condition.has and condition.controlled is None:
            errors[f"conditions.{name}.controlled"] = _l("Say whether this is under control with treatment.")
    if answers.recent_hospital_stay.had and answers.recent_hospital_stay.date is None:
        errors["recent_hospital_stay.date"] = _l("Enter the date of the operation or hospital stay.")
    if answers.medications.takes:
        if not answers.medications.names:
            errors["medications.names"] = _l("Write down the medicines taken regularly.")
        if answers.medications.supply_lasts_stay is None:
            errors["medications.supply_lasts_stay"] = _l("Say whether there is enough medicine for the whole stay.")
    if answers.travels_alone is None:
        errors["travels_alone"] = _l("Say whether the traveller goes alone or with a companion.")
    elif answers.travels_alone is False and answers.companion is None:
        errors["companion"] = _l("Enter the companion's name and how they are related.")
    if answers.emergency_contact is None:
        errors["emergency_contact"] = _l("Enter someone we can call in an emergency.")
    if answers.certificate.has and answers.certificate.dated is None:
        errors["certificate.dated"] = _l("Enter the date written on the certificate.")
    if answers.insurance.has:
        if not answers.insurance.insurer:
            errors["insurance.insurer"] = _l("Enter the name of the insurance company.")
        if not answers.insurance.policy_number:
            errors["insurance.policy_number"] = _l("Enter the policy number from the insurance paper.")
    if errors:
        raise InvalidInput(
            _l("Some questions are not answered yet. Answer them to send the declaration, or save it as a draft."),
            code="declaration_incomplete",
            field_errors=errors,
        )


def answers_only(body: msgspec.Struct) -> DeclarationAnswers:
    """The answers of a body that carries more (consent, submit) or of a stored document."""
    fields = {name: getattr(body, name) for name in DeclarationAnswers.__struct_fields__}
    return DeclarationAnswers(**fields)
