"""A Hypothesis state machine drives the booking engine against a plain model.

Rules: hold, extend, confirm, cancel, let time pass (holds expire), change capacity.
The model predicts every answer (success or which refusal); after every step the
database must agree with the model on beds left per night, and ``taken`` must
equal the bookings that hold beds, never above ``beds``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule, run_state_machine_as_test

from sojourn import db
from sojourn.accounts.principal import principal_for_account
from sojourn.bases.services import availability
from sojourn.bookings import capacity, holds, lifecycle
from sojourn.bookings.schemas import BookingIn
from sojourn.clock import Clock
from sojourn.errors import Conflict, DomainError
from sojourn.payments import hooks
from tests import factories
from tests.booking_helpers import calendar_mismatches
from tests.pinned import PINNED_NOW
from tests.table_state import empty_tables

NIGHTS = 10
START = dt.date(2027, 3, 1)
INITIAL_BEDS = 3


@dataclass
class ModelBooking:
    account: int
    travellers: frozenset[int]
    first: int  # night index of arrival
    last: int  # night index of departure (exclusive)
    status: str  # held, confirmed, cancelled
    expires_at: dt.datetime
    extensions: int = 0

    def holds_beds(self, now: dt.datetime) -> bool:
        return self.status == "confirmed" or (self.status == "held" and self.expires_at > now)

    def expired(self, now: dt.datetime) -> bool:
        return self.status == "held" and self.expires_at <= now


class BookingMachine(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    app_settings = None

    bookings = Bundle("bookings")

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock(PINNED_NOW)
        self.beds = [INITIAL_BEDS] * NIGHTS
        self.model: dict[int, ModelBooking] = {}
        self.run(self._set_up())

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    async def _set_up(self) -> None:
        await empty_tables()
        member = await factories.member("460000", "海南", "Hainan")
        base = await factories.base(member["id"])
        await factories.calendar(base["id"], START, NIGHTS, INITIAL_BEDS)
        self.base_id = base["id"]
        self.tour = await factories.tour(
            base["id"],
            member["id"],
            mode="migratory",
            starts_on=START,
            ends_on=START + dt.timedelta(days=NIGHTS),
            min_nights=1,
        )
        self.principals, self.travellers = [], []
        async with db.connection() as conn:
            for n in range(2):
                account_id = await conn.fetchval(
                    "INSERT INTO account (role, phone, password_hash, display_name) VALUES ('traveller', $1, 'x', $2) RETURNING id",
                    f"1360000000{n}",
                    f"model {n}",
                )
                ids = [
                    await conn.fetchval(
                        "INSERT INTO traveller (account, name, birth_date, home_province_code) VALUES ($1, $2, '1950-01-01', '460000') RETURNING id",
                        account_id,
                        f"t{n}{i}",
                    )
                    for i in range(3)
                ]
                self.travellers.append(ids)
                self.principals.append(await principal_for_account(account_id))

    # --- the model's predictions -------------------------------------------------------

    def effective_taken(self, night: int) -> int:
        now = self.clock.now()
        return sum(len(b.travellers) for b in self.model.values() if b.holds_beds(now) and b.first <= night < b.last)

    def predict_hold(self, account: int, travellers: frozenset[int], first: int, last: int) -> str:
        now = self.clock.now()
        for booking in self.model.values():
            if (
                booking.holds_beds(now)
                and booking.travellers & travellers
                and booking.first < last
                and first < booking.last
            ):
                return "traveller_already_booked"
        if any(self.effective_taken(n) + len(travellers) > self.beds[n] for n in range(first, last)):
            return "sold_out"
        return "ok"

    # --- rules -----------------------------------------------------------------------------

    @rule(
        target=bookings,
        account=st.integers(0, 1),
        picks=st.sets(st.integers(0, 2), min_size=1, max_size=3),
        first=st.integers(0, NIGHTS - 1),
        length=st.integers(1, 4),
    )
    def hold(self, account, picks, first, length):
        last = min(first + length, NIGHTS)
        travellers = frozenset(self.travellers[account][i] for i in picks)
        expected = self.predict_hold(account, travellers, first, last)
        request = BookingIn(
            tour_id=self.tour["id"],
            traveller_ids=sorted(travellers),
            arrival=START + dt.timedelta(days=first),
            departure=START + dt.timedelta(days=last),
        )
        try:
            result = self.run(
                holds.hold_beds(self.principals[account], request, settings=self.app_settings, now=self.clock.now())
            )
        except Conflict as refused:
            assert refused.code == expected, (refused.code, expected)
            return multiple()
        assert expected == "ok", expected
        self.model[result.booking.id] = ModelBooking(
            account, travellers, first, last, "held", result.booking.hold_expires_at
        )
        return result.booking.id

    @rule(booking=bookings)
    def extend(self, booking):
        model = self.model[booking]
        now = self.clock.now()
        ok = (
            model.status == "held"
            and not model.expired(now)
            and model.extensions < self.app_settings.hold_max_extensions
        )
        outcome = self._call(lifecycle.extend_hold, model, booking)
        assert (outcome is not None) == ok, (outcome, model)
        if ok:
            model.extensions += 1
            model.expires_at = max(model.expires_at, now) + dt.timedelta(
                minutes=self.app_settings.hold_extension_minutes
            )
            assert outcome.hold_expires_at == model.expires_at

    @rule(booking=bookings)
    def confirm(self, booking):
        """Confirming by itself is refused while the first payment is due (paying is what confirms)."""
        model = self.model[booking]
        outcome = self._call(lifecycle.confirm_booking, model, booking)
        assert (outcome is not None) == (model.status == "confirmed"), (outcome, model)

    @rule(booking=bookings)
    def first_payment_arrives(self, booking):
        """The money arrives (the notification's transaction calls this hook): a live hold is confirmed;
        a lapsed one only if its beds are still free and its travellers have no other stay then."""
        model = self.model[booking]
        now = self.clock.now()
        if model.status == "held" and model.expired(now):
            others = [b for key, b in self.model.items() if key != booking and b.holds_beds(now)]
            ok = all(
                self.effective_taken(n) + len(model.travellers) <= self.beds[n] for n in range(model.first, model.last)
            ) and not any(
                b.travellers & model.travellers and b.first < model.last and model.first < b.last for b in others
            )
        else:
            ok = model.status in ("held", "confirmed")
        kept = self.run(self._first_payment(booking, now))
        assert kept == ok, (kept, model)
        if ok:
            model.status = "confirmed"

    async def _first_payment(self, booking_id: int, now: dt.datetime) -> bool:
        async with db.connection() as conn, conn.transaction():
            return await hooks.on_first_payment(conn, booking_id, now)

    @rule(booking=bookings)
    def cancel(self, booking):
        model = self.model[booking]
        ok = model.status == "confirmed" or (model.status == "held" and not model.expired(self.clock.now()))
        principal = self.principals[model.account]
        try:
            self.run(
                lifecycle.cancel_booking(
                    principal, booking, reason="", settings=self.app_settings, now=self.clock.now()
                )
            )
            outcome = True
        except Conflict:
            outcome = False
        assert outcome == ok, model
        if ok:
            model.status = "cancelled"

    @rule(minutes=st.integers(1, 20))
    def time_passes(self, minutes):
        self.clock.advance(minutes=minutes)

    @rule(first=st.integers(0, NIGHTS - 1), length=st.integers(1, NIGHTS), beds=st.integers(0, 5))
    def change_capacity(self, first, length, beds):
        last = min(first + length, NIGHTS)
        ok = all(self.effective_taken(n) <= beds for n in range(first, last))
        admin = self._admin()
        data = capacity.CapacityIn(
            start=START + dt.timedelta(days=first), end=START + dt.timedelta(days=last), beds=beds
        )
        try:
            self.run(
                capacity.change_capacity(admin, self.base_id, data, settings=self.app_settings, now=self.clock.now())
            )
            changed = True
        except Conflict as refused:
            assert refused.code == "below_taken"
            changed = False
        assert changed == ok
        if ok:
            for n in range(first, last):
                self.beds[n] = beds

    def _call(self, operation, model: ModelBooking, booking_id: int):
        try:
            return self.run(
                operation(self.principals[model.account], booking_id, settings=self.app_settings, now=self.clock.now())
            )
        except DomainError:
            return None

    def _admin(self):
        from sojourn.accounts.principal import Principal
        from sojourn.accounts.tables import Role

        return Principal(0, Role.admin, "admin", "en", False, PINNED_NOW)

    # --- what must always hold -----------------------------------------------------------

    @invariant()
    def database_agrees_with_the_model(self):
        assert self.run(calendar_mismatches()) == []
        nights = self.run(availability(self.base_id, START, START + dt.timedelta(days=NIGHTS), self.clock.now()))
        expected = [self.beds[n] - self.effective_taken(n) for n in range(NIGHTS)]
        assert [night.beds_left for night in nights] == expected


@pytest.fixture(scope="session")
async def session_loop(migrated_database):
    return asyncio.get_running_loop()


@pytest.mark.slow
def test_booking_engine_matches_the_model(session_loop, settings):
    BookingMachine.loop = session_loop
    BookingMachine.app_settings = settings
    run_state_machine_as_test(
        BookingMachine,
        settings=hypothesis_settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
