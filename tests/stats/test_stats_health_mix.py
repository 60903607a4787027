"""The health mix: counted from declarations as they are submitted, shown only in cells of 5 or more."""

from __future__ import annotations

import datetime as dt

from sojourn import db
from sojourn.health.retention import shred_expired_declarations
from sojourn.stats.health_mix import suppressed_cells
from tests.health_helpers import book, declaration_body
from tests.pinned import PINNED_NOW
from tests.stats_helpers import coordinator

HYPERTENSION = {"hypertension": {"has": True, "controlled": True}}


async def declare_many(
    client,
    world,
    answers: list[dict],
    *,
    births: list[dt.date],
    tour: str = "migratory",
    first_login: int = 1,
    province: str = "230000",
):
    booked = []
    for number, (body, birth) in enumerate(zip(answers, births, strict=True)):
        item = await book(
            client,
            world,
            f"138{first_login + number:08d}",
            birth=birth,
            tour=tour,
            arrival_offset=5 + number,
            province=province,
        )
        response = await client.put(item.path, json=body, headers=item.booker.headers)
        assert response.status_code == 200, response.text
        booked.append(item)
    return booked


def cells(rows: list[dict], base_id: int) -> dict[tuple[str, str], dict]:
    return {(r["facet"], r["value"]): r for r in rows if r["base_id"] == base_id}


async def test_small_cells_are_suppressed_and_large_ones_shown(client, world):
    sanya, hulunbuir = world.bases["sanya"]["id"], world.bases["hulunbuir"]["id"]
    seventy, sixty_five = dt.date(1955, 4, 12), dt.date(1960, 4, 12)
    sanya_people = await declare_many(
        client, world,
        [declaration_body(conditions=HYPERTENSION)] * 5 + [declaration_body()] * 2,
        births=[seventy] * 5 + [sixty_five] * 2,
    )  # fmt: skip
    await declare_many(
        client,
        world,
        [declaration_body()] * 3,
        births=[seventy] * 3,
        tour="interactive",
        first_login=50,
        province="110000",
    )
    headers = await coordinator(client, "all@sojourn.example")
    rows = (await client.get("/api/v1/stats/health-mix", headers=headers)).json()

    mix = cells(rows, sanya)
    assert mix[("all", "declarations")]["count"] == 7 and mix[("all", "declarations")]["declarations"] == 7
    assert mix[("companion", "alone")] | {"count": 7, "share": 1.0, "suppressed": False} == mix[("companion", "alone")]
    assert mix[("companion", "with_companion")]["count"] == 0  # nobody: shown as 0
    assert mix[("condition", "diabetes")]["count"] == 0
    # 5 of 7 have high blood pressure: the 2 without it would be too few to hide among.
    assert mix[("condition", "hypertension")]["suppressed"] and mix[("condition", "hypertension")]["count"] is None
    # Ages: 2 are 65-69 (hidden), so the 5 aged 70-74 are hidden too, or 7 − 5 would give it away.
    assert mix[("age_band", "65_69")]["suppressed"] and mix[("age_band", "70_74")]["suppressed"]
    assert mix[("age_band", "80_plus")]["count"] == 0
    shown = [r for r in mix.values() if not r["suppressed"]]
    assert all(r["count"] == 0 or r["count"] >= 5 for r in shown)

    few = cells(rows, world.bases["hulunbuir"]["id"])
    assert few and all(r["suppressed"] and r["count"] is None and r["declarations"] is None for r in few.values())
    assert hulunbuir in {r["base_id"] for r in rows}

    csv = (await client.get("/api/v1/stats/health-mix", headers={**headers, "Accept": "text/csv"})).content.decode(
        "utf-8-sig"
    )
    hypertension_line = next(line for line in csv.splitlines() if ",condition,hypertension," in line)
    assert hypertension_line.endswith(",,,7,true")

    # Withdrawing the consent to keep the data takes the person out of the counts at once.
    person = sanya_people[0]
    withdrawn = await client.post(
        f"{person.path}/withdraw-consent", json={"purpose": "collect_health"}, headers=person.booker.headers
    )
    assert withdrawn.status_code == 200
    after = cells((await client.get("/api/v1/stats/health-mix", headers=headers)).json(), sanya)
    assert after[("all", "declarations")]["count"] == 6


async def test_changed_answers_move_the_counts_and_drafts_do_not_count(client, world):
    births = [dt.date(1955, 4, 12)] * 6
    people = await declare_many(
        client, world, [declaration_body()] * 5 + [declaration_body(submit=False)], births=births
    )
    headers = await coordinator(client, "all@sojourn.example")

    async def sanya_cells() -> dict:
        return cells((await client.get("/api/v1/stats/health-mix", headers=headers)).json(), world.bases["sanya"]["id"])

    mix = await sanya_cells()
    assert mix[("all", "declarations")]["count"] == 5  # the draft is not counted
    assert mix[("mobility", "none")]["count"] == 5
    for person in people[:5]:
        changed = await client.put(
            person.path, json=declaration_body(mobility_aid="wheelchair"), headers=person.booker.headers
        )
        assert changed.status_code == 200, changed.text
    mix = await sanya_cells()
    assert mix[("mobility", "wheelchair")]["count"] == 5 and mix[("mobility", "none")]["count"] == 0
    async with db.connection() as conn:
        total = await conn.fetchval("SELECT sum(declarations) FROM stats_health_month WHERE facet = 'all'")
    assert total == 5


async def test_shredding_at_the_end_of_retention_keeps_the_anonymous_counts(client, world, settings):
    await declare_many(client, world, [declaration_body()] * 5, births=[dt.date(1955, 4, 12)] * 5)
    headers = await coordinator(client, "all@sojourn.example")
    before = (await client.get("/api/v1/stats/health-mix", headers=headers)).json()
    shredded = await shred_expired_declarations(PINNED_NOW + dt.timedelta(days=1000), settings)
    assert shredded == 5
    assert (await client.get("/api/v1/stats/health-mix", headers=headers)).json() == before


def test_a_lone_small_cell_in_a_split_takes_the_next_smallest_with_it():
    counts = {("all", "declarations"): 20, ("risk", "low"): 15, ("risk", "medium"): 3, ("risk", "high"): 2}
    hidden = suppressed_cells(20, counts)
    assert {("risk", "medium"), ("risk", "high")} <= hidden and ("risk", "low") not in hidden
    lone = suppressed_cells(20, {("risk", "low"): 12, ("risk", "medium"): 6, ("risk", "high"): 2})
    assert ("risk", "high") in lone and ("risk", "medium") in lone and ("risk", "low") not in lone
    assert suppressed_cells(4, {("all", "declarations"): 4}) >= {("all", "declarations"), ("risk", "low")}
