"""Object-level authorisation in one place: SQL conditions that scope every query.

Handlers never check ownership themselves; services add these conditions to their
queries, so an object outside the caller's scope is simply not found (404, never
403: nobody learns that another person's booking exists).

- traveller account: its own travellers and bookings;
- hotline agent: travellers with an active agent mandate, and their bookings;
- operator: bookings, manifests and declarations of its bases;
- coordinator: aggregates only, never an individual's booking or health data;
- admin: everything.
"""

from __future__ import annotations

from typing import Any

from sojourn.accounts.principal import Principal
from sojourn.accounts.tables import Role

_MANDATED = "EXISTS (SELECT 1 FROM agent_mandate m WHERE m.traveller = {traveller} AND m.withdrawn_at IS NULL)"


def _param(args: list[Any], value: Any) -> str:
    args.append(value)
    return f"${len(args)}"


def travellers_visible(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``traveller`` rows (alias ``alias``) that the principal may manage."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.traveller:
        return f"{alias}.account = {_param(args, principal.account_id)}"
    if principal.role == Role.agent:
        return _MANDATED.format(traveller=f"{alias}.id")
    return "FALSE"


def bookings_visible(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``booking`` rows (alias ``alias``) that the principal may see."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.traveller:
        return f"{alias}.account = {_param(args, principal.account_id)}"
    if principal.role == Role.agent:
        return (
            f"EXISTS (SELECT 1 FROM booking_traveller bt WHERE bt.booking = {alias}.id AND "
            + _MANDATED.format(traveller="bt.traveller")
            + ")"
        )
    if principal.role == Role.operator:
        return f"{alias}.base = ANY({_param(args, list(principal.base_ids))}::int[])"
    return "FALSE"


async def booking_visible(conn: Any, principal: Principal, booking_id: int) -> bool:
    """Whether the principal may still see this booking (e.g. before replaying an answer about it)."""
    args: list[Any] = [booking_id]
    scope = bookings_visible(principal, "b", args)
    return bool(await conn.fetchval(f"SELECT 1 FROM booking b WHERE b.id = $1 AND {scope}", *args))


def bookings_changeable(principal: Principal, alias: str, args: list[Any]) -> str:
    """Bookings the principal may hold, confirm or cancel as the booker (operators may not)."""
    if principal.role == Role.operator:
        return "FALSE"
    return bookings_visible(principal, alias, args)


def bases_operated(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``base`` rows the principal operates."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.operator:
        return f"{alias}.id = ANY({_param(args, list(principal.base_ids))}::int[])"
    return "FALSE"


def operates_base(principal: Principal, base_id: int) -> bool:
    return principal.role == Role.admin or (principal.role == Role.operator and base_id in principal.base_ids)


def waitlist_visible(principal: Principal, alias: str, args: list[Any]) -> str:
    """Waiting-list entries follow the visibility of bookings."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.traveller:
        return f"{alias}.account = {_param(args, principal.account_id)}"
    if principal.role == Role.agent:
        return _MANDATED.format(traveller=f"ANY({alias}.traveller_ids)")
    if principal.role == Role.operator:
        return f"{alias}.base = ANY({_param(args, list(principal.base_ids))}::int[])"
    return "FALSE"


async def waitlist_entry_visible(conn: Any, principal: Principal, entry_id: int) -> bool:
    args: list[Any] = [entry_id]
    scope = waitlist_visible(principal, "w", args)
    return bool(await conn.fetchval(f"SELECT 1 FROM waitlist_entry w WHERE w.id = $1 AND {scope}", *args))


def waitlist_changeable(principal: Principal, alias: str, args: list[Any]) -> str:
    """Only the booker's side leaves a waiting list; operators only read it."""
    if principal.role == Role.operator:
        return "FALSE"
    return waitlist_visible(principal, alias, args)


def feedback_visible(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``feedback`` rows (alias ``alias``) the principal may read: the booking's
    account, a hotline agent for a traveller with a mandate, the base's operators, admins."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.traveller:
        return (
            f"EXISTS (SELECT 1 FROM booking fb WHERE fb.id = {alias}.booking "
            f"AND fb.account = {_param(args, principal.account_id)})"
        )
    if principal.role == Role.agent:
        return _MANDATED.format(traveller=f"{alias}.traveller")
    if principal.role == Role.operator:
        return f"{alias}.base = ANY({_param(args, list(principal.base_ids))}::int[])"
    return "FALSE"


def feedback_writable(principal: Principal, alias: str, args: list[Any]) -> str:
    """Feedback the principal may correct as its author's side (operators only reply)."""
    if principal.role == Role.operator:
        return "FALSE"
    return feedback_visible(principal, alias, args)


def feedback_moderated(principal: Principal, alias: str, args: list[Any]) -> str:
    """Feedback the principal may reply to and flag: on the bases it operates (admins: all)."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.operator:
        return f"{alias}.base = ANY({_param(args, list(principal.base_ids))}::int[])"
    return "FALSE"


def declarations_writable(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``booking_traveller`` rows whose health declaration the principal may read
    and write as the booker's side: the booking's account, a hotline agent for a traveller with
    a mandate, admins. Operators review instead; coordinators never see an individual's health."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.traveller:
        return (
            f"EXISTS (SELECT 1 FROM booking db WHERE db.id = {alias}.booking "
            f"AND db.account = {_param(args, principal.account_id)})"
        )
    if principal.role == Role.agent:
        return _MANDATED.format(traveller=f"{alias}.traveller")
    return "FALSE"


def declarations_visible(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``booking`` rows whose travellers' declarations the principal may see on the
    reviewing side (queue, details, decisions): operators of the booking's base, admins. The
    booker's side goes through ``declarations_writable``; coordinators get aggregates only."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.operator:
        return f"{alias}.base = ANY({_param(args, list(principal.base_ids))}::int[])"
    return "FALSE"


def tours_managed(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``tour`` rows the principal may create, edit, publish, close and cancel:
    tours at the bases it operates (admins: all)."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.operator:
        return f"{alias}.base = ANY({_param(args, list(principal.base_ids))}::int[])"
    return "FALSE"


def bookings_operated(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``booking`` rows the principal handles on the base's side (arrival lists,
    manifests, check-in, check-out, no-show): the bases it operates (admins: all). Unlike
    ``bookings_visible``, never a booker's own bookings."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.operator:
        return f"{alias}.base = ANY({_param(args, list(principal.base_ids))}::int[])"
    return "FALSE"


def accounts_served(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``account`` rows whose overview the principal may open and act for: its own;
    for a hotline agent, accounts with at least one traveller under an active mandate; admins:
    all. Finding a senior to ask for consent is a masked lookup, never this."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.traveller:
        return f"{alias}.id = {_param(args, principal.account_id)}"
    if principal.role == Role.agent:
        return (
            f"EXISTS (SELECT 1 FROM traveller st WHERE st.account = {alias}.id AND "
            + _MANDATED.format(traveller="st.id")
            + ")"
        )
    return "FALSE"


# --- Coordinators: aggregates, and the alliance objects they administer -------------------


def _coordinated_members(principal: Principal) -> frozenset[int] | None:
    """The members a coordinator is limited to; None for the whole alliance (and admins)."""
    if principal.role == Role.admin or (principal.role == Role.coordinator and not principal.member_ids):
        return None
    return principal.member_ids


def stats_bases_visible(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``base`` rows whose aggregates (occupancy, satisfaction, health mix) the
    principal may see: every base for admins and alliance-wide coordinators, the bases of their
    members for limited coordinators. Never an individual's data: statistics are aggregates."""
    if principal.role not in (Role.admin, Role.coordinator):
        return "FALSE"
    members = _coordinated_members(principal)
    if members is None:
        return "TRUE"
    return f"{alias}.member = ANY({_param(args, sorted(members))}::int[])"


def money_members_visible(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``member`` rows whose money report (collected, refunded, owed, escrow) the
    principal may see: all for admins and alliance-wide coordinators, their own members for
    limited coordinators. Totals only, never a person's payment."""
    if principal.role not in (Role.admin, Role.coordinator):
        return "FALSE"
    members = _coordinated_members(principal)
    if members is None:
        return "TRUE"
    return f"{alias}.id = ANY({_param(args, sorted(members))}::int[])"


def invoice_requests_visible(principal: Principal, base_alias: str, args: list[Any]) -> str:
    """Condition on the ``base`` (alias ``base_alias``) of a booking whose fapiao requests the principal
    handles as finance: every one for admins, their members' bases' for coordinators limited to
    members (the member's own staff: its bases' money sits in its escrow). Alliance-wide
    coordinators see totals only, never a person's fapiao title or tax number."""
    if principal.role == Role.admin:
        return "TRUE"
    if principal.role == Role.coordinator and principal.member_ids:
        return f"{base_alias}.member = ANY({_param(args, sorted(principal.member_ids))}::int[])"
    return "FALSE"


def stats_flows_visible(principal: Principal, destination_member: str, origin_code: str, args: list[Any]) -> str:
    """Condition on flows (SQL for the destination base's member and the origin province code):
    for limited coordinators, flows into their members' bases or out of their members' provinces."""
    if principal.role not in (Role.admin, Role.coordinator):
        return "FALSE"
    members = _coordinated_members(principal)
    if members is None:
        return "TRUE"
    ids = _param(args, sorted(members))
    return (
        f"({destination_member} = ANY({ids}::int[]) OR {origin_code} IN "
        f"(SELECT sm.code FROM member sm WHERE sm.id = ANY({ids}::int[])))"
    )


def stats_flow_members(principal: Principal) -> frozenset[int] | None:
    """The members whose flows (into their bases, out of their provinces) the principal sees:
    None for all of them (admins, alliance-wide coordinators), none for anyone else."""
    if principal.role not in (Role.admin, Role.coordinator):
        return frozenset()
    return _coordinated_members(principal)


def stats_member_pairs_visible(principal: Principal, sender: str, receiver: str, args: list[Any]) -> str:
    """Condition on exchanges between two members (SQL expressions for their ids): for limited
    coordinators, exchanges that one of their members takes part in."""
    if principal.role not in (Role.admin, Role.coordinator):
        return "FALSE"
    members = _coordinated_members(principal)
    if members is None:
        return "TRUE"
    ids = _param(args, sorted(members))
    return f"({sender} = ANY({ids}::int[]) OR {receiver} = ANY({ids}::int[]))"


def administers_whole_alliance(principal: Principal) -> bool:
    """Admins and coordinators not limited to members may add members and change any of them."""
    return principal.role in (Role.admin, Role.coordinator) and _coordinated_members(principal) is None


def members_administered(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``member`` rows the principal may edit, suspend and reinstate."""
    if principal.role not in (Role.admin, Role.coordinator):
        return "FALSE"
    members = _coordinated_members(principal)
    if members is None:
        return "TRUE"
    return f"{alias}.id = ANY({_param(args, sorted(members))}::int[])"


def agreements_administered(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``agreement`` rows the principal may see and change: one of its members signed."""
    if principal.role not in (Role.admin, Role.coordinator):
        return "FALSE"
    members = _coordinated_members(principal)
    if members is None:
        return "TRUE"
    ids = _param(args, sorted(members))
    return f"({alias}.member_a = ANY({ids}::int[]) OR {alias}.member_b = ANY({ids}::int[]))"


def bases_administered(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on ``base`` rows the principal may admit, suspend and staff with operators."""
    if principal.role not in (Role.admin, Role.coordinator):
        return "FALSE"
    return stats_bases_visible(principal, alias, args)


def operators_administered(principal: Principal, alias: str, args: list[Any]) -> str:
    """Condition on operator ``account`` rows the principal manages: all for admins and
    alliance-wide coordinators; for limited coordinators, operators of their members' bases."""
    if principal.role not in (Role.admin, Role.coordinator):
        return "FALSE"
    members = _coordinated_members(principal)
    role = f"{alias}.role = 'operator'"
    if members is None:
        return role
    ids = _param(args, sorted(members))
    return (
        f"({role} AND EXISTS (SELECT 1 FROM account_base oab JOIN base ob ON ob.id = oab.base "
        f"WHERE oab.account = {alias}.id AND ob.member = ANY({ids}::int[])))"
    )
