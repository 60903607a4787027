"""Booking the planned present through the real services, each step at its own moment.

Holds and confirmations go through the booking engine, declarations through the booker's
form service, decisions through the base's review, check-ins through the front desk's
service, the waiting list through its own: each called with the ``now`` at which the plan
says it happened (days or weeks before today), so calendars, seats, counts, consents,
audit trail and notifications are exactly what real use produces.
"""

from __future__ import annotations

import datetime as dt

from sojourn import db
from sojourn.accounts.principal import Principal, principal_for_account
from sojourn.bookings.holds import hold_beds
from sojourn.bookings.lifecycle import confirm_booking
from sojourn.bookings.schemas import BookingIn
from sojourn.bookings.waitlist import join_waitlist
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.demo.plan import DemoPlan, Stay, at
from sojourn.demo.plan_answers import answers_of
from sojourn.demo.seed_accounts import AccountIds, operator_login
from sojourn.demo.seed_catalogue import CatalogueIds
from sojourn.health.declarations import save_declaration
from sojourn.health.review import review_declaration
from sojourn.health.schemas import ConsentIn, Decision, DeclarationAnswers, DeclarationIn, ReviewIn
from sojourn.operator.attendance import record_attendance

INFORMATION_WANTED = "请补充最近一次量血压的结果，以及医生开健康证明的日期。谢谢！"


class _Principals:
    def __init__(self, accounts: AccountIds) -> None:
        self.accounts = accounts
        self.known: dict[str, Principal] = {}

    async def of(self, key: str) -> Principal:
        if key not in self.known:
            principal = await principal_for_account(self.accounts.accounts[key])
            assert principal is not None, key
            self.known[key] = principal
        return self.known[key]


async def seed_present(
    plan: DemoPlan, catalogue: CatalogueIds, accounts: AccountIds, settings: Settings, keyring: KeyRing
) -> None:
    principals = _Principals(accounts)
    for stay in sorted((s for s in plan.stays if s.by_engine), key=lambda s: s.booked_at):
        await _book(plan, stay, catalogue, accounts, principals, settings, keyring)
    for entry in plan.waiting:
        await join_waitlist(
            await principals.of(entry.household),
            catalogue.tours[entry.tour],
            BookingIn(
                tour_id=catalogue.tours[entry.tour],
                traveller_ids=[accounts.travellers[key] for key in entry.people],
            ),
            settings=settings,
            now=entry.joined_at,
        )


async def _book(
    plan: DemoPlan,
    stay: Stay,
    catalogue: CatalogueIds,
    accounts: AccountIds,
    principals: _Principals,
    settings: Settings,
    keyring: KeyRing,
) -> None:
    tour = plan.tours[stay.tour]
    booker = await principals.of(stay.booked_by or stay.household)
    migratory = tour.mode == "migratory"
    request = BookingIn(
        tour_id=catalogue.tours[stay.tour],
        traveller_ids=[accounts.travellers[key] for key in stay.people],
        arrival=stay.arrival if migratory else None,
        departure=stay.departure if migratory else None,
    )
    held = await hold_beds(booker, request, settings=settings, now=stay.booked_at)
    booking_id = held.booking.id
    async with db.connection() as conn:  # paid at the base before money went online: nothing due online
        await conn.execute("UPDATE payment_instalment SET status = 'waived' WHERE booking = $1", booking_id)
    await confirm_booking(booker, booking_id, settings=settings, now=stay.booked_at + dt.timedelta(minutes=3))
    operator = await principals.of(operator_login(tour.base_slug))
    household = plan.households[stay.household]
    for declaration in stay.declarations:
        answers = answers_of(declaration, household)
        form = DeclarationIn(
            **{name: getattr(answers, name) for name in DeclarationAnswers.__struct_fields__},
            consent=ConsentIn(collect=True, share_with_base=True),
            submit=True,
        )
        saved = await save_declaration(
            booker,
            booking_id,
            accounts.travellers[declaration.person],
            form,
            keyring=keyring,
            now=declaration.submitted_at,
        )
        if declaration.decision is not None:
            assert saved.id is not None and declaration.reviewed_at is not None
            decision = Decision(declaration.decision)
            note = INFORMATION_WANTED if decision == Decision.request_info else ""
            await review_declaration(
                operator,
                saved.id,
                ReviewIn(decision=decision, note=note),
                keyring=keyring,
                settings=settings,
                now=declaration.reviewed_at,
            )
    if stay.status == "checked_in":
        await record_attendance(operator, booking_id, "check_in", now=at(stay.arrival, 15))
