"""``hold_beds``: turn a booking request into a hold that counts against capacity.

One transaction: take the base's lock, give back holds that have run out (and
serve the waiting list with what they freed), lock the travellers, count what is
left, then take beds, seats and quota and write the booking. Nothing is decided
from a cache or outside the lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import asyncpg
import msgspec

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bookings import admission, arrangement, idempotency, live, sold_out_early, states, taking, waitlist_offers
from sojourn.bookings.arrangement import RoomLine
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.locking import lock_base
from sojourn.bookings.rows import TourToBook
from sojourn.bookings.schemas import BookingIn, BookingOut, BookingRoomOut, BookingTravellerOut, PaymentStepOut
from sojourn.bookings.stays import Stay, check_tour_open, check_travellers, stay_for, today_at
from sojourn.config import Settings
from sojourn.errors import Conflict, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick
from sojourn.notifications import outbox
from sojourn.payments import instalments

IDEMPOTENCY_SCOPE = "bookings.create"


# A tour never moves to another base, so which base's lock to take is cached per process.
_BASE_OF_TOUR: dict[int, int] = {}
_BASE_OF_TOUR_LIMIT = 100_000


async def base_of_tour(conn: asyncpg.Connection, tour_id: int) -> int:
    base_id = _BASE_OF_TOUR.get(tour_id)
    if base_id is None:
        base_id = await conn.fetchval("SELECT base FROM tour WHERE id = $1", tour_id)
        if base_id is None:
            raise NotFound(_l("There is no tour with this number, or it is no longer offered."))
        if len(_BASE_OF_TOUR) >= _BASE_OF_TOUR_LIMIT:
            _BASE_OF_TOUR.clear()
        _BASE_OF_TOUR[tour_id] = base_id
    return base_id


async def base_of_tour_id(tour_id: int) -> int:
    """``base_of_tour`` with a connection of its own, only when the cache does not know the tour."""
    base_id = _BASE_OF_TOUR.get(tour_id)
    if base_id is not None:
        return base_id
    async with db.connection() as conn:
        return await base_of_tour(conn, tour_id)


@dataclass(frozen=True)
class HoldResult:
    booking: BookingOut
    replayed: bool = False


async def hold_beds(
    principal: Principal,
    request: BookingIn,
    *,
    settings: Settings,
    now: dt.datetime,
    idempotency_key: str | None = None,
    take_lock: bool = True,
) -> HoldResult:
    """Hold beds for ``request``; 409 with ``nights_short`` when some night is full.

    ``take_lock=False`` exists only so a test can show the race the lock prevents.
    """
    key = idempotency.check_key(idempotency_key)
    base_id = await base_of_tour_id(request.tour_id)

    async def sold_out_already() -> Conflict | None:
        async with db.connection() as conn:
            return await sold_out_early.sold_out_now(conn, principal, request, now)

    # A crowd at a base that is selling out: "sold out" is answered without waiting in its line
    # (sold_out_early), on arrival and each time a turn ends in "sold out" while she waits.
    look = sold_out_already if take_lock and key is None else None
    if look and admission.selling_out(base_id) and (full := await look()):
        raise full
    async with admission.turn(base_id, wait_ms=settings.booking_queue_ms, leave_if=look, skip=not take_lock) as conn:

        async def attempt() -> BookingOut:
            with map_database_errors():
                return await _hold(conn, principal, request, base_id, settings, now, take_lock)

        booking, replayed = await idempotency.run_once(
            conn,
            account_id=principal.account_id,
            scope=IDEMPOTENCY_SCOPE,
            key=key,
            request=msgspec.to_builtins(request),
            result_type=BookingOut,
            operation=attempt,
            still_visible=lambda conn, booking: policy.booking_visible(conn, principal, booking.id),
        )
    if not replayed:
        await live.capacity_changed(base_id)
    return HoldResult(booking, replayed)


async def _hold(
    conn: asyncpg.Connection,
    principal: Principal,
    request: BookingIn,
    base_id: int,
    settings: Settings,
    now: dt.datetime,
    take_lock: bool,
) -> BookingOut:
    if take_lock:
        await lock_base(conn, base_id, settings.lock_timeout_ms)
    tour = check_tour_open(
        await waitlist_offers.tour_after_releasing_expired(conn, request.tour_id, settings=settings, now=now)
    )
    stay = stay_for(tour, request.arrival, request.departure, today_at(tour.time_zone, now))
    people = await taking.lock_travellers(
        conn, request.traveller_ids, stay, now, partial(policy.travellers_visible, principal)
    )
    account_id, travellers = check_travellers(request.traveller_ids, people, stay.arrival)
    taking.check_nobody_away(people)
    party = taking.Party(account_id, travellers, {person.id: person.name for person in people})
    lines = await taking.rooms_to_take(conn, tour, stay, party, request.rooms_wanted())
    origin_member = await taking.check_room(conn, tour, stay, party, lines)

    total_fen = arrangement.price_fen(tour, lines, party.size, stay.nights)
    hold_expires_at = now + dt.timedelta(minutes=settings.hold_minutes)
    taken = await taking.take(
        conn,
        tour=tour,
        stay=stay,
        party=party,
        booked_by=principal.account_id,
        origin_member=origin_member,
        lines=lines,
        total_fen=total_fen,
        hold_expires_at=hold_expires_at,
        now=now,
    )
    # The schedule in the same transaction: one beyond the province's cap (422) takes the hold back with it.
    schedule = await instalments.create_schedule(conn, taken.booking_id, now=now)
    # In the hold's own transaction: the senior hears of it even when family or the hotline booked.
    await outbox.enqueue(
        conn,
        "hold_made",
        party.account_id,
        {
            "booking_id": taken.booking_id,
            "reference": taken.reference,
            "title_zh": tour.title_zh,
            "title_en": tour.title_en,
            "arrival": stay.arrival.isoformat(),
            "departure": stay.departure.isoformat(),
            "expires_at": hold_expires_at.isoformat(),
        },
        dedupe_key=f"hold_made:{taken.booking_id}",
        deliver_after=now,
    )
    out = fresh_hold_out(tour, stay, party, taken, total_fen, hold_expires_at, principal.account_id, settings)
    steps = [PaymentStepOut(i["kind"], i["amount_fen"], i["due_at"], i["status"]) for i in schedule]
    return msgspec.structs.replace(out, payment_schedule=steps, rooms=rooms_out(lines))


def rooms_out(lines: Sequence[RoomLine]) -> list[BookingRoomOut]:
    return [
        BookingRoomOut(line.room.id, line.room.code, pick(line.room, "name"), line.room.beds_per_room, line.count)
        for line in lines
    ]


def fresh_hold_out(
    tour: TourToBook,
    stay: Stay,
    party: taking.Party,
    taken: taking.Taken,
    total_fen: int,
    hold_expires_at: dt.datetime,
    booked_by: int,
    settings: Settings,
) -> BookingOut:
    """The new hold as the API shows it, built from what is already in hand (no re-read)."""
    return BookingOut(
        id=taken.booking_id,
        reference=taken.reference,
        status=states.HELD,
        tour_id=tour.id,
        tour_title=pick(tour, "title"),
        mode=tour.mode,
        base_id=tour.base,
        base_name=pick(tour, "base_name"),
        arrival=stay.arrival,
        departure=stay.departure,
        nights=stay.nights,
        party_size=party.size,
        total_fen=total_fen,
        refund_fen=None,
        hold_expires_at=hold_expires_at,
        hold_extensions_left=settings.hold_max_extensions,
        travellers=[
            BookingTravellerOut(id=traveller, name=party.names[traveller], age_at_arrival=age)
            for traveller, _, age in party.travellers
        ],
        booked_by_account_id=booked_by,
        on_behalf=booked_by != party.account_id,
        created_at=taken.created_at,
        confirmed_at=None,
        cancelled_at=None,
        refund_if_cancelled_now_fen=0,
        time_zone=tour.time_zone,
        can_cancel=True,
        cancel_deadline=states.cancel_deadline(states.HELD, hold_expires_at, stay.departure, tour.time_zone),
    )
