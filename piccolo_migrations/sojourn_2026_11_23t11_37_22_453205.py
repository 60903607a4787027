"""The alliance-wide screening rules (after LB/T 052-2016 and the destination contraindications
in docs/domain.md), seeded as data so every database has them; and two guarantees in the
schema: a rule may only ask for paperwork, a companion, a review or give a warning (never
refuse), and a scope (alliance, one base, one tour) holds each rule code once, which is how a
base or tour rule overrides an alliance rule of the same code.

The rules are frozen here on purpose: later changes are edits of rows (or new migrations),
not edits of this file. Tests re-seed from ``DEFAULT_RULES`` after emptying the tables.
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-23T11:37:22:453205"
VERSION = "1.38.0"
DESCRIPTION = "default screening rules; rule effects never refuse"


def _fact(name, op, value):
    return {"fact": name, "op": op, "value": value}


_HIGH_ALTITUDE = {"any": [_fact("altitude_m", ">", 3000), _fact("requirements", "contains", "high_altitude")]}
_FAR_FROM_HOSPITAL = {
    "any": [
        _fact("hospital_distance_km", ">", 30),
        _fact("requirements", "contains", "far_from_hospital"),
    ]
}
_LONG_STAY = {"any": [_fact("nights", ">", 30), _fact("requirements", "contains", "long_stay")]}


def _not_controlled(condition):
    # "Controlled?" left unanswered counts as not controlled: the safe reading.
    return {"all": [_fact(condition, "==", True), _fact(f"{condition}_controlled", "!=", True)]}


# (code, condition, effect, risk, priority, Chinese, English)
DEFAULT_RULES = [
    (
        "high_altitude_heart_disease",
        {"all": [_HIGH_ALTITUDE, _fact("heart_disease", "==", True)]},
        "review",
        "high",
        10,
        "这里海拔超过3000米，空气中的氧气较少，会加重心脏的负担。您填写了心脏病或心律不齐，"
        "基地的医生会先看一下您的情况，再和您商量能否成行。",
        "This place is more than 3,000 metres high, where the air has less oxygen and the heart "
        "works harder. You told us about heart disease or an irregular heartbeat, so the base's "
        "doctor will look at your declaration first and talk with you about the trip.",
    ),
    (
        "high_altitude_hypertension",
        {"all": [_HIGH_ALTITUDE, _not_controlled("hypertension")]},
        "review",
        "high",
        11,
        "这里海拔超过3000米，血压可能会升高。您的高血压目前控制得不好（或未填写是否控制），"
        "基地的医生会先看一下您的情况，再和您商量能否成行。",
        "This place is more than 3,000 metres high, and blood pressure can rise there. Your high "
        "blood pressure is not under control (or you did not say), so the base's doctor will look "
        "at your declaration first and talk with you about the trip.",
    ),
    (
        "high_altitude_copd",
        {"all": [_HIGH_ALTITUDE, _not_controlled("copd_asthma")]},
        "review",
        "high",
        12,
        "这里海拔超过3000米，空气中的氧气较少，呼吸会更费力。您的慢阻肺或哮喘目前控制得不好"
        "（或未填写是否控制），基地的医生会先看一下您的情况，再和您商量能否成行。",
        "This place is more than 3,000 metres high, where the air has less oxygen and breathing is "
        "harder. Your COPD or asthma is not under control (or you did not say), so the base's "
        "doctor will look at your declaration first and talk with you about the trip.",
    ),
    (
        "high_altitude_diabetes",
        {"all": [_HIGH_ALTITUDE, _not_controlled("diabetes")]},
        "review",
        "high",
        13,
        "这里海拔超过3000米。您的糖尿病目前控制得不好（或未填写是否控制），在高原上更容易出问题，"
        "基地的医生会先看一下您的情况，再和您商量能否成行。",
        "This place is more than 3,000 metres high. Your diabetes is not under control (or you did "
        "not say), which is riskier up there, so the base's doctor will look at your declaration "
        "first and talk with you about the trip.",
    ),
    (
        "high_altitude_epilepsy",
        {"all": [_HIGH_ALTITUDE, _fact("epilepsy", "==", True)]},
        "review",
        "high",
        14,
        "这里海拔超过3000米，缺氧可能诱发癫痫发作。基地的医生会先看一下您的情况，再和您商量能否成行。",
        "This place is more than 3,000 metres high, and less oxygen can bring on a seizure. The "
        "base's doctor will look at your declaration first and talk with you about the trip.",
    ),
    (
        "far_from_hospital",
        {
            "all": [
                _FAR_FROM_HOSPITAL,
                {
                    "any": [
                        _fact("heart_disease", "==", True),
                        _fact("copd_asthma", "==", True),
                        _fact("oxygen", "==", True),
                    ]
                },
            ]
        },
        "review",
        "medium",
        20,
        "这个基地离最近的医院较远。因为您填写了心脏病、慢阻肺或哮喘，或需要吸氧，"
        "基地的医生会先看一下您的情况，并告诉您出现紧急情况时怎么办。",
        "This base is far from the nearest hospital. Because you told us about heart disease, COPD "
        "or asthma, or that you use oxygen, the base's doctor will look at your declaration first "
        "and tell you what happens in an emergency.",
    ),
    (
        "recent_hospital_stay",
        _fact("days_since_hospital_stay", "<", 90),
        "review",
        "medium",
        21,
        "您在出发前3个月内做过手术或住过院。基地的医生会先看一下您的情况，可能会请您提供出院小结。",
        "You had an operation or a hospital stay in the 3 months before the trip. The base's doctor "
        "will look at your declaration first and may ask for your discharge papers.",
    ),
    (
        "cognitive_impairment_companion",
        {"all": [_fact("cognitive_impairment", "==", True), _fact("has_companion", "==", False)]},
        "companion",
        "medium",
        30,
        "有记忆力或认知方面困难的旅客，需要有家人或朋友全程陪同。请填写同行人的姓名和关系。",
        "A traveller who has trouble with memory or thinking needs a family member or friend "
        "with them for the whole trip. Please add your companion's name and how you are related.",
    ),
    (
        "long_stay_medication",
        {
            "all": [
                _LONG_STAY,
                _fact("takes_medication", "==", True),
                _fact("medication_supply_lasts", "!=", True),
            ]
        },
        "warning",
        "medium",
        40,
        "这次住的时间超过30天。请带够整个行程要吃的常用药，或者告诉我们您打算怎样在当地买药、配药。",
        "This stay is longer than 30 days. Please bring enough of your regular medicines for the "
        "whole stay, or tell us how you will get more while you are there.",
    ),
    (
        "age_75_companion",
        {
            "all": [
                _fact("age", ">=", 75),
                _fact("has_companion", "==", False),
                _fact("has_co_signer", "==", False),
            ]
        },
        "companion",
        "low",
        50,
        "75岁及以上的旅客，最好有家人陪同出行；如果一个人出行，请由一位成年亲属在这份声明上一起签字。这不影响您报名。",
        "For travellers aged 75 or over, a family member should come along; if you travel on your "
        "own, an adult relative co-signs this declaration with you. This does not stop you from "
        "booking.",
    ),
    (
        "age_70_certificate",
        {
            "all": [
                _fact("age", ">=", 70),
                {
                    "any": [
                        _fact("has_certificate", "==", False),
                        _fact("certificate_age_days", ">", 90),
                    ]
                },
            ]
        },
        "certificate",
        "low",
        51,
        "70岁及以上的旅客，请带一份到达前3个月内医生开具的健康证明。这不影响您报名。",
        "Travellers aged 70 or over are asked to bring a doctor's health certificate written in the "
        "3 months before arrival. This does not stop you from booking.",
    ),
    (
        "insurance_age_limit",
        {
            "all": [
                _fact("has_insurance", "==", True),
                _fact("age", ">", {"fact": "insurance_age_limit"}),
            ]
        },
        "warning",
        "low",
        60,
        "到达时您的年龄已超过保险公司写明的年龄上限，这份保险可能不赔付。请向保险公司确认，或换一份适合您年龄的保险。",
        "At arrival you will be older than the age limit your insurer gave, so this policy may not "
        "pay out. Please check with the insurer, or choose a policy for your age.",
    ),
]

INSERT_SQL = (
    "INSERT INTO screening_rule (code, base, tour, condition, effect, risk, explanation_zh, "
    "explanation_en, active, priority) VALUES ({}, NULL, NULL, {}::jsonb, {}, {}, {}, {}, TRUE, {}) "
    "ON CONFLICT DO NOTHING"
)


class RawSQL(Table):
    pass


async def seed_default_rules():
    for code, condition, effect, risk, priority, chinese, english in DEFAULT_RULES:
        await RawSQL.raw(INSERT_SQL, code, json.dumps(condition), effect, risk, chinese, english, priority)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sojourn", description=DESCRIPTION)

    async def constrain():
        await RawSQL.raw(
            "ALTER TABLE screening_rule ADD CONSTRAINT screening_rule_effect_never_refuses "
            "CHECK (effect IN ('certificate', 'companion', 'review', 'warning'))"
        )
        await RawSQL.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS screening_rule_code_per_scope "
            "ON screening_rule (code, coalesce(base, 0), coalesce(tour, 0))"
        )
        await RawSQL.raw(
            "CREATE INDEX IF NOT EXISTS screening_rule_base ON screening_rule (base) WHERE base IS NOT NULL"
        )
        await RawSQL.raw(
            "CREATE INDEX IF NOT EXISTS screening_rule_tour ON screening_rule (tour) WHERE tour IS NOT NULL"
        )
        await seed_default_rules()

    async def unconstrain():
        codes = [rule[0] for rule in DEFAULT_RULES]
        await RawSQL.raw(
            "DELETE FROM screening_rule WHERE base IS NULL AND tour IS NULL AND code = ANY({}::text[])",
            codes,
        )
        for index in (
            "screening_rule_code_per_scope",
            "screening_rule_base",
            "screening_rule_tour",
        ):
            await RawSQL.raw(f"DROP INDEX IF EXISTS {index}")
        await RawSQL.raw("ALTER TABLE screening_rule DROP CONSTRAINT IF EXISTS screening_rule_effect_never_refuses")

    manager.add_raw(constrain)
    manager.add_raw_backwards(unconstrain)
    return manager
