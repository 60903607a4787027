"""A Hypothesis state machine drives the booking engine against a plain model.

Rules: hold (beds, or double rooms), extend, confirm, cancel, let time pass (holds expire),
change capacity (beds, or double rooms). The model predicts every answer (success or which
refusal); after every step the database must agree with the model on beds left per night, and
taken rooms of each type and night (and beds) must equal the bookings that hold them, never above
what is offered.
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
from sojourn.bookings.schemas import BookingIn, RoomsIn
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
INITIAL_DOUBLES = 2
BEDS_PER_ROOM = {"bed": 1, "double": 2}


@dataclass
class ModelBooking:
    account: int
    travellers: frozenset[int]
    first: int  # night index of arrival
    last: int  # night index of departure (exclusive)
    status: str  # held, confirmed, cancelled
    expires_at: dt.datetime
    kind: str = "bed"  # the room type: bed (a bed each) or double (two beds a room)
    rooms: int = 0
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
        self.offered = {"bed": [INITIAL_BEDS] * NIGHTS, "double": [INITIAL_DOUBLES] * NIGHTS}
        self.model: dict[int, ModelBooking] = {}
        self.run(self._set_up())

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    async def _set_up(self) -> None:
        await empty_tables()
        member = await factories.member("460000", "海南", "Hainan")
        base = await factories.base(member["id"])
        await factories.calendar(base["id"], START, NIGHTS, INITIAL_BEDS)
        double = await factories.room_type(
            base["id"], "double", beds_per_room=2, rooms=INITIAL_DOUBLES, start=START, nights=NIGHTS, price_fen=40000
        )
        async with db.connection() as conn:
            bed = await conn.fetchval("SELECT id FROM room_type WHERE base = $1 AND code = 'bed'", base["id"])
        self.room_type_ids = {"bed": bed, "double": double["id"]}
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

    def effective_taken(self, night: int, kind: str) -> int:
        now = self.clock.now()
        return sum(
            b.rooms for b in self.model.values() if b.kind == kind and b.holds_beds(now) and b.first <= night < b.last
        )

    def fits(self, kind: str, rooms: int, first: int, last: int) -> bool:
        return all(self.effective_taken(n, kind) + rooms <= self.offered[kind][n] for n in range(first, last))

    def predict_hold(self, travellers: frozenset[int], first: int, last: int, kind: str, rooms: int) -> str:
        now = self.clock.now()
        for booking in self.model.values():
            if (
                booking.holds_beds(now)
                and booking.travellers & travellers
                and booking.first < last
                and first < booking.last
            ):
                return "traveller_already_booked"
        if not self.fits(kind, rooms, first, last):
            return "sold_out"
        return "ok"

    # --- rules -----------------------------------------------------------------------------

    @rule(
        target=bookings,
        account=st.integers(0, 1),
        picks=st.sets(st.integers(0, 2), min_size=1, max_size=3),
        first=st.integers(0, NIGHTS - 1),
        length=st.integers(1, 4),
        kind=st.sampled_from(["bed", "double"]),
    )
    def hold(self, account, picks, first, length, kind):
        last = min(first + length, NIGHTS)
        travellers = frozenset(self.travellers[account][i] for i in picks)
        rooms = -(-len(travellers) // BEDS_PER_ROOM[kind])
        expected = self.predict_hold(travellers, first, last, kind, rooms)
        request = BookingIn(
            tour_id=self.tour["id"],
            traveller_ids=sorted(travellers),
            arrival=START + dt.timedelta(days=first),
            departure=START + dt.timedelta(days=last),
            rooms=[RoomsIn(room_type_id=self.room_type_ids[kind], count=rooms)],
        )
        try:
            result = self.run(
                holds.hold_beds(self.principals[account], request, settings=self.app_settings, now=self.clock.now())
            )
        except Conflict as refused:
            assert refused.code == expected, (refused.code, expected)
            return multiple()
        assert expected == "ok", expected
        assert [(r.code, r.count) for r in result.booking.rooms] == [(kind, rooms)]
        self.model[result.booking.id] = ModelBooking(
            account, travellers, first, last, "held", result.booking.hold_expires_at, kind, rooms
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
            ok = self.fits(model.kind, model.rooms, model.first, model.last) and not any(
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

    @rule(
        first=st.integers(0, NIGHTS - 1),
        length=st.integers(1, NIGHTS),
        count=st.integers(0, 5),
        kind=st.sampled_from(["bed", "double"]),
    )
    def change_capacity(self, first, length, count, kind):
        last = min(first + length, NIGHTS)
        ok = all(self.effective_taken(n, kind) <= count for n in range(first, last))
        admin = self._admin()
        dates = {"start": START + dt.timedelta(days=first), "end": START + dt.timedelta(days=last)}
        if kind == "bed":
            data = capacity.CapacityIn(**dates, beds=count)
        else:
            data = capacity.CapacityIn(**dates, room_type_id=self.room_type_ids[kind], rooms=count)
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
                self.offered[kind][n] = count

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
        expected = [
            sum((self.offered[k][n] - self.effective_taken(n, k)) * BEDS_PER_ROOM[k] for k in BEDS_PER_ROOM)
            for n in range(NIGHTS)
        ]
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
