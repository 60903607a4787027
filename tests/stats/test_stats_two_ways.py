"""Every statistic computed a second way, with plain SQL over the raw bookings, on a history that
covers all modes, cancellations, no-shows, undone cancellations, exchanges and hidden feedback.

The API reads the rollups the triggers keep; the second way expands every sold stay into its
nights and counts them, without the rollups, the month arithmetic or the triggers.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter

import pytest

from sojourn import db
from sojourn.crypto import KeyRing
from sojourn.feedback.scores import RatingTotals, base_scores, summarise
from sojourn.feedback.tables import RATING_ASPECTS
from sojourn.health import sealing
from sojourn.stats.rollups import FLOW_ROWS, ORIGIN_BOOKING_ROWS, OUTCOME_COLUMNS
from tests.stats_helpers import coordinator

SOLD = "('confirmed', 'checked_in', 'checked_out', 'no_show')"

NIGHTS = f"""
FROM booking b
JOIN tour t ON t.id = b.tour
JOIN base bs ON bs.id = b.base
JOIN booking_traveller bt ON bt.booking = b.id
CROSS JOIN generate_series(b.arrival, b.departure - 1, interval '1 day') AS n(night)
WHERE b.status IN {SOLD} AND ($3::text IS NULL OR t.mode = $3)
"""

FLOWS = f"""
SELECT bt.home_province_code AS origin_code, bs.province_code AS destination_code,
       count(*) FILTER (WHERE n.night = b.arrival AND b.arrival >= $1 AND b.arrival < $2) AS travellers,
       count(*) FILTER (WHERE n.night >= $1 AND n.night < $2) AS bed_nights
{NIGHTS} AND ($4::int IS NULL OR bs.member = $4 OR bt.home_province_code = (SELECT code FROM member WHERE id = $4))
  AND ($5::int IS NULL OR bs.id = $5)
  AND ($6::int IS NULL OR bs.member = $6 OR bt.home_province_code = (SELECT code FROM member WHERE id = $6))
GROUP BY 1, 2
"""

SOLD_NIGHTS = f"""
SELECT b.base, to_char(n.night, 'YYYY-MM') AS month, count(*) AS sold
{NIGHTS} AND n.night >= $1 AND n.night < $2 AND ($4::int IS NULL OR bs.member = $4)
  AND ($5::int IS NULL OR bs.id = $5) AND ($6::int IS NULL OR bs.member = $6)
GROUP BY 1, 2
"""

AVAILABLE = """
SELECT c.base, to_char(c.night, 'YYYY-MM') AS month, sum(c.beds) AS available
FROM capacity_night c JOIN base bs ON bs.id = c.base
WHERE c.night >= $1 AND c.night < $2 AND ($3::int IS NULL OR bs.member = $3) AND ($4::int IS NULL OR bs.id = $4)
  AND ($5::int IS NULL OR bs.member = $5)
GROUP BY 1, 2
"""

EXCHANGE_LEGS = f"""
SELECT b.origin_member AS sender, bs.member AS receiver,
       count(*) FILTER (WHERE n.night = b.arrival AND b.arrival >= $1 AND b.arrival < $2) AS travellers,
       count(*) FILTER (WHERE n.night >= $1 AND n.night < $2) AS bed_nights
{NIGHTS} AND t.mode = 'interactive' AND b.origin_member IS NOT NULL AND b.origin_member <> bs.member
  AND ($4::int IS NULL OR b.origin_member = $4 OR bs.member = $4)
  AND ($5::int IS NULL OR b.origin_member = $5 OR bs.member = $5)
GROUP BY 1, 2
"""

BOOKINGS = f"""
SELECT to_char(b.arrival, 'YYYY-MM') AS month, t.mode,
       count(*) FILTER (WHERE b.status IN {SOLD}) AS sold_bookings,
       coalesce(sum(b.party_size) FILTER (WHERE b.status IN {SOLD}), 0) AS sold_travellers,
       count(*) FILTER (WHERE b.status = 'no_show') AS no_show_bookings,
       count(*) FILTER (WHERE b.status = 'cancelled' AND b.confirmed_at IS NOT NULL) AS cancelled_bookings
FROM booking b JOIN tour t ON t.id = b.tour JOIN base bs ON bs.id = b.base
WHERE (b.status IN {SOLD} OR (b.status = 'cancelled' AND b.confirmed_at IS NOT NULL))
  AND b.arrival >= $1 AND b.arrival < $2 AND ($3::text IS NULL OR t.mode = $3)
  AND ($4::int IS NULL OR bs.member = $4 OR (SELECT min(x.home_province_code) FROM booking_traveller x
                                              WHERE x.booking = b.id) = (SELECT code FROM member WHERE id = $4))
  AND ($5::int IS NULL OR bs.id = $5)
  AND ($6::int IS NULL OR bs.member = $6 OR (SELECT min(x.home_province_code) FROM booking_traveller x
                                              WHERE x.booking = b.id) = (SELECT code FROM member WHERE id = $6))
GROUP BY 1, 2
"""

FEEDBACK_TOTALS = f"""
SELECT f.base, count(*) AS n, {", ".join(f"sum(f.{a}) AS {a}" for a in RATING_ASPECTS)},
       count(*) FILTER (WHERE f.nps >= 9) AS promoters, count(*) FILTER (WHERE f.nps <= 6) AS detractors
FROM feedback f JOIN booking b ON b.id = f.booking JOIN tour t ON t.id = b.tour
WHERE NOT f.hidden AND b.arrival >= $1 AND b.arrival < $2 AND ($3::text IS NULL OR t.mode = $3)
GROUP BY 1
"""

FLOW_KEYS = "month, mode, origin_code, origin_member, destination_code, destination_member"
ORIGIN_KEYS = "month, mode, origin_code, destination_member"
FAR_PAST, FAR_FUTURE = dt.date(2000, 1, 1), dt.date(2100, 1, 1)


def month_after(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:7])
    return dt.date(year + number // 12, number % 12 + 1, 1)


def period(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    first = dt.date(int(start[:4]), int(start[5:7]), 1) if start else FAR_PAST
    return first, month_after(end) if end else FAR_FUTURE


async def fetch(sql: str, *args) -> list[dict]:
    async with db.connection() as conn:
        return [dict(row) for row in await conn.fetch(sql, *args)]


FILTERS = [
    {},
    {"from": "2027-02", "to": "2027-02"},
    {"from": "2027-01-20", "to": "2027-03"},
    {"mode": "migratory"},
    {"mode": "interactive", "from": "2027-02"},
    {"member": "nm"},
    {"member": "bj", "to": "2027-01"},
    {"base": "sanya"},
    {"base": "beijing", "mode": "interactive"},
    # A coordinator limited to one member sees what touches it (alone, or also filtered).
    {"as": "nm"},
    {"as": "bj", "mode": "interactive"},
    {"as": "bj", "member": "nm"},
    {"as": "nm", "member": "nm", "from": "2027-02"},
]


def case_id(case: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in case.items()) or "all"


@pytest.mark.parametrize("folded", [False, True], ids=["changes-pending", "changes-folded"])
@pytest.mark.parametrize("case", FILTERS, ids=case_id)
async def test_every_statistic_matches_plain_sql_over_the_raw_bookings(client, history, case, folded):
    if folded:
        async with db.connection() as conn:
            assert await conn.fetchval("SELECT stats_fold_flows()") > 0
            assert await conn.fetchval("SELECT count(*) FROM stats_flow_change") == 0
            assert await conn.fetchval("SELECT count(*) FROM stats_origin_booking_change") == 0
    await every_statistic_matches(client, history, case)


async def test_a_base_moved_to_another_member_takes_its_flows_along(client, history):
    """An administrator moves a base to another member and province: flows, exchanges and
    bookings follow at once, folded or not, as a count over the raw rows does."""
    beijing, nm = history.world.bases["beijing"]["id"], history.world.members["nm"]
    await every_statistic_matches(client, history, {})
    async with db.connection() as conn:
        await conn.execute("SELECT stats_fold_flows()")
        await conn.execute(
            "UPDATE base SET member = $2, province_code = $3 WHERE id = $1", beijing, nm["id"], nm["code"]
        )
    history.world.bases["beijing"].update(member=nm["id"], province_code=nm["code"])
    for case in ({}, {"member": "nm"}, {"member": "bj"}, {"as": "bj"}):
        await every_statistic_matches(client, history, case)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT stats_fold_flows()") > 0
    await every_statistic_matches(client, history, {"member": "nm"})


async def every_statistic_matches(client, history, case: dict) -> None:
    limited_to = history.world.members[case["as"]]["id"] if "as" in case else None
    login = f"coordinator-{case.get('as', 'all')}-{secrets.token_hex(4)}@sojourn.example"
    headers = await coordinator(client, login, *([limited_to] if limited_to else []))
    member_id = history.world.members[case["member"]]["id"] if "member" in case else None
    base_id = history.world.bases[case["base"]]["id"] if "base" in case else None
    params = {key: value for key, value in case.items() if key in ("from", "to", "mode")}
    if member_id:
        params["member_id"] = member_id
    if base_id:
        params["base_id"] = base_id
    start, end = period(case.get("from"), case.get("to"))
    mode = case.get("mode")

    async def api(name: str, **extra: str) -> list[dict]:
        response = await client.get(f"/api/v1/stats/{name}", params={**params, **extra}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    flows = {(r["origin_code"], r["destination_code"]): (r["travellers"], r["bed_nights"]) for r in await api("flows")}
    expected = {
        (r["origin_code"], r["destination_code"]): (r["travellers"], r["bed_nights"])
        for r in await fetch(FLOWS, start, end, mode, member_id, base_id, limited_to)
        if r["travellers"] or r["bed_nights"]
    }
    assert flows == expected and (case or len(flows) >= 5)

    occupancy = {(r["base_id"], r["month"]): (r["sold"], r["available"], r["rate"]) for r in await api("occupancy")}
    sold = {
        (r["base"], r["month"]): r["sold"]
        for r in await fetch(SOLD_NIGHTS, start, end, mode, member_id, base_id, limited_to)
    }
    available = {
        (r["base"], r["month"]): r["available"]
        for r in await fetch(AVAILABLE, start, end, member_id, base_id, limited_to)
    }
    expected = {
        key: (
            sold.get(key, 0),
            available.get(key, 0),
            round(sold.get(key, 0) / available[key], 4) if available.get(key) else None,
        )
        for key in set(sold) | set(available)
    }
    assert occupancy == expected

    # Exchange balances are between members: no mode or base filter applies.
    legs = {
        (r["sender"], r["receiver"]): r for r in await fetch(EXCHANGE_LEGS, start, end, None, member_id, limited_to)
    }
    balance = await api("exchange-balance")
    seen = set()
    for row in balance:
        there, back = (
            legs.get((row["member_id"], row["partner_id"]), {}),
            legs.get((row["partner_id"], row["member_id"]), {}),
        )
        assert row["sent_bed_nights"] == there.get("bed_nights", 0) and row["received_bed_nights"] == back.get(
            "bed_nights", 0
        )
        assert row["sent_travellers"] == there.get("travellers", 0) and row["received_travellers"] == back.get(
            "travellers", 0
        )
        assert row["balance_bed_nights"] == row["sent_bed_nights"] - row["received_bed_nights"]
        seen |= {(row["member_id"], row["partner_id"]), (row["partner_id"], row["member_id"])}
    assert {pair for pair, leg in legs.items() if leg["bed_nights"] or leg["travellers"]} <= seen

    bookings = {(r["month"], r["mode"]): r for r in await api("bookings")}
    expected = {
        (r["month"], r["mode"]): r for r in await fetch(BOOKINGS, start, end, mode, member_id, base_id, limited_to)
    }
    assert set(bookings) == set(expected)
    for key, row in expected.items():
        assert {k: bookings[key][k] for k in row if k not in ("month", "mode")} == {
            k: v for k, v in row.items() if k not in ("month", "mode")
        }

    await check_satisfaction(api, start, end, mode, (member_id, limited_to), base_id, history)


async def check_satisfaction(api, start, end, mode, member_ids, only_base, history) -> None:
    totals = {r["base"]: r for r in await fetch(FEEDBACK_TOTALS, start, end, mode)}

    def rating_totals(rows: list[dict]) -> RatingTotals:
        return RatingTotals(
            count=sum(r["n"] for r in rows),
            sums={a: float(sum(r[a] for r in rows)) for a in RATING_ASPECTS},
            promoters=sum(r["promoters"] for r in rows),
            detractors=sum(r["detractors"] for r in rows),
        )

    alliance = rating_totals(list(totals.values()))
    bases = {
        b["id"]: b
        for b in history.world.bases.values()
        if all(m is None or b["member"] == m for m in member_ids) and only_base in (None, b["id"])
    }
    by_base = {r["id"]: r for r in await api("satisfaction")}
    assert set(by_base) == set(bases)
    for base_id, row in by_base.items():
        want = summarise(base_id, rating_totals([totals[base_id]] if base_id in totals else []), alliance)
        assert row["review_count"] == want.review_count and row["overall"]["score"] == want.overall.score
        assert row["nps"]["score"] == want.nps.score and row["aspects"]["food"]["average"] == want.aspects.food.average
    members = await api("satisfaction", group="member")
    assert bool(members) == bool(bases) and all(row["group"] == "member" for row in members)
    for row in members:
        mine = [totals[b] for b, base in bases.items() if base["member"] == row["id"] and b in totals]
        want = summarise(row["id"], rating_totals(mine), alliance)
        assert row["review_count"] == want.review_count and row["overall"]["score"] == want.overall.score


async def test_satisfaction_without_filters_is_exactly_feedback_base_scores(client, history):
    headers = await coordinator(client, "coordinator@sojourn.example")
    rows = (await client.get("/api/v1/stats/satisfaction", headers=headers)).json()
    reference = await base_scores()
    assert {row["id"] for row in rows} == set(reference)
    for row in rows:
        want = reference[row["id"]]
        assert row["review_count"] == want.review_count
        assert row["overall"] == {
            "score": want.overall.score,
            "average": want.overall.average,
            "count": want.overall.count,
        }
        assert row["nps"]["score"] == want.nps.score and row["nps_reliable"] == want.nps_reliable
    assert sum(row["review_count"] for row in rows) == 4  # the hidden review counts nowhere


def declared_traits(content, age: int) -> list[tuple[str, str]]:
    """The test's own reading of a declaration (not the product's)."""
    answers = content.answers
    band = "80_plus" if age >= 80 else ("under_60" if age < 60 else f"{age - age % 5}_{age - age % 5 + 4}")
    alone = answers.travels_alone
    traits = [
        ("all", "declarations"),
        ("risk", content.screening["risk"]),
        ("age_band", band),
        ("companion", "alone" if alone else ("with_companion" if alone is False or answers.companion else "not_said")),
        ("mobility", str(answers.mobility_aid.value)),
    ]
    for name in ("hypertension", "heart_disease", "diabetes", "copd_asthma", "stroke_history"):
        if getattr(answers.conditions, name).has:
            traits.append(("condition", name))
    for flag in ("cognitive_impairment", "epilepsy"):
        if getattr(answers, flag):
            traits.append(("condition", flag))
    if answers.oxygen or answers.cpap:
        traits.append(("condition", "oxygen_or_cpap"))
    return traits


async def test_health_counts_match_the_declarations_themselves(history, settings):
    """The counts kept at submission equal a fresh count over every submitted declaration (the test
    decrypts them here; the product never does for statistics)."""
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    rows = await fetch(
        "SELECT hd.booking, hd.traveller, hd.content_cipher, bt.age_at_arrival, b.base, b.arrival, t.mode "
        "FROM health_declaration hd JOIN booking b ON b.id = hd.booking JOIN tour t ON t.id = b.tour "
        "JOIN booking_traveller bt ON bt.booking = hd.booking AND bt.traveller = hd.traveller "
        "WHERE hd.status IN ('submitted', 'info_requested', 'accepted', 'declined') AND hd.content_cipher IS NOT NULL"
    )
    expected: Counter = Counter()
    for row in rows:
        content = sealing.open_content(keyring, row["booking"], row["traveller"], row["content_cipher"])
        month = row["arrival"].replace(day=1)
        for facet, value in declared_traits(content, row["age_at_arrival"]):
            expected[(row["base"], month, row["mode"], facet, value)] += 1
    kept = await fetch("SELECT base_id, month, mode, facet, value, declarations FROM stats_health_month")
    counted = Counter({(r["base_id"], r["month"], r["mode"], r["facet"], r["value"]): r["declarations"] for r in kept})
    assert +counted == expected
    assert (
        expected[(history.world.bases["beijing"]["id"], dt.date(2027, 2, 1), "interactive", "all", "declarations")] == 1
    )


async def test_rebuilding_the_rollups_from_scratch_changes_nothing(history):
    tables = (
        "stats_stay_month",
        "stats_booking_month",
        "stats_capacity_month",
        "stats_feedback_month",
        "stats_base_stay_month",
        "stats_base_booking_month",
    )

    async def snapshot() -> dict[str, set]:
        out = {}
        for table in tables:
            rows = await fetch(f"SELECT * FROM {table}")
            out[table] = {tuple(v for k, v in sorted(r.items()) if k != "id") for r in rows if _not_all_zero(r)}
        flows = await fetch(
            f"SELECT {FLOW_KEYS}, sum(travellers) AS travellers, sum(bed_nights) AS bed_nights "
            f"FROM {FLOW_ROWS} r GROUP BY {FLOW_KEYS}"
        )
        out["flows, folded or not"] = {tuple(r.values()) for r in flows if _not_all_zero(r)}
        bookings = await fetch(
            f"SELECT {ORIGIN_KEYS}, {', '.join(f'sum({c}) AS {c}' for c in OUTCOME_COLUMNS.split(', '))} "
            f"FROM {ORIGIN_BOOKING_ROWS} r GROUP BY {ORIGIN_KEYS}"
        )
        out["bookings by origin, folded or not"] = {tuple(r.values()) for r in bookings if _not_all_zero(r)}
        return out

    before = await snapshot()
    async with db.connection() as conn:
        version = await conn.fetchval("SELECT sum(version) FROM stats_version")
        await conn.execute("SELECT stats_rebuild()")
        assert await conn.fetchval("SELECT sum(version) FROM stats_version") > version
    assert await snapshot() == before
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM stats_flow_change") == 0
        assert await conn.fetchval("SELECT count(*) FROM stats_origin_booking_change") == 0


def _not_all_zero(row: dict) -> bool:
    counted = ("travellers", "bed_nights", "bookings", "beds", "reviews", *OUTCOME_COLUMNS.split(", "))
    counts = [v for k, v in row.items() if k in counted]
    return any(counts)
