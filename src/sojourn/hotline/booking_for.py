"""The senior a hotline agent is booking for, kept in view through every step of the wizard.

Opening the search "for" a senior (``/tours?for=<account>``, the senior page's button) puts the
senior in the agent's session; the layout shows "booking for 王秀兰" on every page until the agent
stops; the wizard offers only that senior's travellers. Without a senior chosen, an agent sees
the travellers of every senior they serve, grouped by senior, never one flat list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role
from sojourn.db import rows
from sojourn.errors import NotFound
from sojourn.hotline import services
from sojourn.hotline.rows import TravellerOfSenior
from sojourn.web.templating import BOOKING_FOR_SESSION, booking_for

__all__ = ["SeniorGroup", "booking_for", "group_by_senior", "start_booking_for", "stop_booking_for"]


@dataclass(frozen=True)
class SeniorGroup:
    account_id: int
    name: str
    people: list[Any]  # TravellerOut


async def start_booking_for(request: Request[Any, Any, Any], account_id: int) -> bool:
    """Remember the senior, if this agent serves them (otherwise nothing changes)."""
    principal = request.scope.get("user")
    if principal is None or principal.role != Role.agent:
        return False
    async with db.connection() as conn:
        try:
            senior = await services.served_account(conn, principal, account_id)
        except NotFound:
            return False
    request.session[BOOKING_FOR_SESSION] = {"account_id": senior.id, "name": senior.display_name}
    return True


def stop_booking_for(request: Request[Any, Any, Any]) -> None:
    request.session.pop(BOOKING_FOR_SESSION, None)


async def group_by_senior(principal: Principal, people: list[Any], only_account: int | None) -> list[SeniorGroup]:
    """The travellers an agent may book, per senior's account (only one senior's, when chosen)."""
    if not people:
        return []
    async with db.connection() as conn:
        travellers = rows.rows(
            TravellerOfSenior,
            await conn.fetch(
                "SELECT t.id, a.id AS account_id, a.display_name FROM traveller t JOIN account a ON a.id = t.account "
                "WHERE t.id = ANY($1::int[]) ORDER BY a.display_name, a.id",
                [person.id for person in people],
            ),
        )
    by_id = {person.id: person for person in people}
    groups: dict[int, SeniorGroup] = {}
    for row in travellers:
        if only_account is not None and row.account_id != only_account:
            continue
        group = groups.setdefault(row.account_id, SeniorGroup(row.account_id, row.display_name, []))
        group.people.append(by_id[row.id])
    return list(groups.values())
