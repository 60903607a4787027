"""A small history for the statistics tests, made the way real use makes it.

Bookings go through the API (hold, confirm, cancel, undo); stays that later happened or did
not are moved on with plain UPDATEs of the status, as the operators' check-in and no-show
paths do; feedback goes straight into its table. Everything the triggers must count is here:
all three modes, stays spanning months, travellers from several provinces, exchanges in both
directions and a member's own travellers at its own base, cancellations (after confirming and
while held), an undone cancellation, holds never confirmed, no-shows, hidden feedback,
capacity changes and health declarations (one withdrawn).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sojourn import db
from tests import booking_helpers, factories
from tests.booking_helpers import Booker, booker
from tests.health_helpers import declaration_body, seed_default_rules, with_companion
from tests.pinned import PINNED_NOW

START = dt.date(2027, 1, 10)
# Where the history leaves the clock: after the stays, when feedback has come in.
AFTER_THE_STAYS = PINNED_NOW + dt.timedelta(days=200)


@dataclass
class History:
    world: factories.World
    bookers: dict[str, Booker] = field(default_factory=dict)
    bookings: dict[str, int] = field(default_factory=dict)


async def token_for(account_id: int) -> dict[str, str]:
    """A bearer token issued by the real service, without the (rate-limited) sign-in; issued
    "in 2029" so that it outlives the test clock, which jumps months ahead."""
    from sojourn.accounts.principal import principal_for_account
    from sojourn.accounts.services import issue_token

    principal = await principal_for_account(account_id)
    assert principal is not None
    issued = await issue_token(principal, dt.datetime(2029, 1, 1, tzinfo=dt.UTC))
    return {"Authorization": f"Bearer {issued.token}"}


async def coordinator(client, login: str, *member_ids: int) -> dict[str, str]:
    return await token_for(await factories.account(login, role="coordinator", member_ids=member_ids))


async def admin(client, login: str = "admin@sojourn.example") -> dict[str, str]:
    return await token_for(await factories.account(login, role="admin"))


async def set_status(booking_id: int, status: str) -> None:
    async with db.connection() as conn:
        await conn.execute("UPDATE booking SET status = $2 WHERE id = $1", booking_id, status)


async def hold(client, person: Booker, body: dict[str, Any], *, confirm: bool = True) -> int:
    response = await client.post("/api/v1/bookings", json=body, headers=person.headers)
    assert response.status_code == 201, response.text
    booking_id = response.json()["id"]
    if confirm:
        await booking_helpers.confirm(client, booking_id, person.headers)
    return booking_id


def stay(world, tour: str, travellers: list[int], arrival_offset: int | None = None, nights: int | None = None) -> dict:
    body: dict[str, Any] = {"tour_id": world.tours[tour]["id"], "traveller_ids": travellers}
    if arrival_offset is not None:
        arrival = world.start + dt.timedelta(days=arrival_offset)
        body.update(arrival=arrival.isoformat(), departure=(arrival + dt.timedelta(days=nights or 30)).isoformat())
    return body


async def beijing_base(world) -> None:
    """A Beijing base with an exchange tour for Inner Mongolia: exchanges in both directions."""
    bj, nm = world.members["bj"]["id"], world.members["nm"]["id"]
    world.bases["beijing"] = await factories.base(
        bj, name_zh="北京康养中心", name_en="Beijing Care Centre", province_code="110000", city_code="110100"
    )
    await factories.calendar(world.bases["beijing"]["id"], world.start, 120, 10)
    world.tours["exchange_bj"] = await factories.tour(
        world.bases["beijing"]["id"],
        bj,
        mode="interactive",
        partner_id=nm,
        starts_on=world.start + dt.timedelta(days=40),
        ends_on=world.start + dt.timedelta(days=47),
        title_zh="蒙京互动交流团",
        title_en="Inner Mongolia to Beijing exchange",
    )
    await factories.quota(world.tours["exchange_bj"]["id"], nm, 8)


async def seeded_history(client, clock) -> History:
    clock.set(PINNED_NOW)
    await seed_default_rules()
    world = await factories.small_world(start=START, beds=10)
    await beijing_base(world)
    history = History(world)
    people = {
        "hlj": ("13800000001", 2, "230000"),
        "jl": ("13800000002", 1, "220000"),
        "bj": ("13800000003", 2, "110000"),
        "nm": ("13800000004", 2, "150000"),
        "nm2": ("13800000005", 1, "150000"),
        "bj2": ("13800000006", 1, "110000"),
    }
    for key, (login, count, province) in people.items():
        history.bookers[key] = await booker(client, login, travellers=count, province=province)
    b, w = history.bookers, world
    # Migratory stays across months; one checked out, one a no-show, one cancelled after confirming.
    history.bookings["long"] = await hold(client, b["hlj"], stay(w, "migratory", b["hlj"].traveller_ids, 5, 50))
    history.bookings["no_show"] = await hold(client, b["jl"], stay(w, "migratory", b["jl"].traveller_ids, 30, 40))
    history.bookings["cancelled"] = await hold(client, b["bj2"], stay(w, "migratory", b["bj2"].traveller_ids, 60, 30))
    cancelled = await client.post(
        f"/api/v1/bookings/{history.bookings['cancelled']}/cancel",
        json={"reason": "家里有事"},
        headers=b["bj2"].headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    # A hold never confirmed, and one cancelled while held: neither is a booking.
    history.bookings["held"] = await hold(
        client, b["nm2"], stay(w, "migratory", b["nm2"].traveller_ids, 80, 30), confirm=False
    )
    # Vacation: confirmed, cancelled and undone (counts as confirmed).
    history.bookings["vacation"] = await hold(client, b["bj"], stay(w, "vacation", b["bj"].traveller_ids))
    undo = await client.post(f"/api/v1/bookings/{history.bookings['vacation']}/cancel", headers=b["bj"].headers)
    assert undo.status_code == 200
    undone = await client.post(f"/api/v1/bookings/{history.bookings['vacation']}/undo-cancel", headers=b["bj"].headers)
    assert undone.status_code == 200, undone.text
    # Exchanges: Beijing to Inner Mongolia, Inner Mongolia to Beijing, and Inner Mongolia's own.
    history.bookings["bj_to_nm"] = await hold(client, b["bj"], stay(w, "interactive", b["bj"].traveller_ids))
    history.bookings["nm_to_bj"] = await hold(client, b["nm"], stay(w, "exchange_bj", b["nm"].traveller_ids))
    history.bookings["nm_own"] = await hold(client, b["nm2"], stay(w, "interactive", b["nm2"].traveller_ids))
    held_then_cancelled = await hold(client, b["jl"], stay(w, "vacation", b["jl"].traveller_ids), confirm=False)
    assert (
        await client.post(f"/api/v1/bookings/{held_then_cancelled}/cancel", headers=b["jl"].headers)
    ).status_code == 200
    # Health declarations while the trips are ahead (one withdrawn again).
    await declare(
        client,
        history,
        "long",
        b["hlj"],
        declaration_body(conditions={"hypertension": {"has": True, "controlled": True}}),
    )
    await declare(
        client, history, "vacation", b["bj"], with_companion(conditions={"diabetes": {"has": True, "controlled": True}})
    )
    await declare(client, history, "bj_to_nm", b["bj"], declaration_body(mobility_aid="cane"))
    await declare(client, history, "nm_to_bj", b["nm"], declaration_body(), withdraw_first=True)
    # Capacity edits after the fact, through the table (the trigger counts them too).
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE capacity_night SET beds = beds + 5 WHERE base = $1 AND night >= $2 AND night < $3",
            w.bases["sanya"]["id"], START + dt.timedelta(days=30), START + dt.timedelta(days=40),
        )  # fmt: skip
    # Time passes: stays happen.
    clock.set(AFTER_THE_STAYS)
    for key in ("long", "vacation", "bj_to_nm", "nm_to_bj", "nm_own"):
        await set_status(history.bookings[key], "checked_in")
        await set_status(history.bookings[key], "checked_out")
    await set_status(history.bookings["no_show"], "no_show")
    await feedback(history, "long", b["hlj"].traveller_ids[0], ratings=5, nps=10)
    await feedback(history, "long", b["hlj"].traveller_ids[1], ratings=4, nps=6)
    await feedback(history, "vacation", b["bj"].traveller_ids[0], ratings=3, nps=8)
    await feedback(history, "bj_to_nm", b["bj"].traveller_ids[1], ratings=2, nps=3, hidden=True)
    await feedback(history, "nm_to_bj", b["nm"].traveller_ids[0], ratings=4, nps=9)
    return history


async def declare(
    client, history: History, key: str, person: Booker, body: dict, *, withdraw_first: bool = False
) -> None:
    booking_id = history.bookings[key]
    for traveller_id in person.traveller_ids:
        path = f"/api/v1/bookings/{booking_id}/travellers/{traveller_id}/declaration"
        response = await client.put(path, json=body, headers=person.headers)
        assert response.status_code == 200, response.text
        if withdraw_first and traveller_id == person.traveller_ids[0]:
            withdrawn = await client.post(
                f"{path}/withdraw-consent", json={"purpose": "collect_health"}, headers=person.headers
            )
            assert withdrawn.status_code == 200, withdrawn.text


async def feedback(history: History, key: str, traveller_id: int, **values: Any) -> None:
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM booking WHERE id = $1", history.bookings[key])
    await factories.feedback(dict(row), traveller_id, **values)
