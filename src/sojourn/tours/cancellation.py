"""Cancelling a departure: the tour is called off by the base, every booking on it is cancelled
with a full refund (``bookings.lifecycle.cancel_with_full_refund``, which gives the beds back,
writes the traveller's notification to the outbox and audits each booking), and its waiting
list is closed. All of it in one transaction under the base's lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.audit import services as audit
from sojourn.bookings import lifecycle, states
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.locking import lock_base
from sojourn.bookings.stays import today_at
from sojourn.config import Settings
from sojourn.errors import Conflict
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours.management import scoped_tour
from sojourn.tours.management_schemas import DepartureCancelledOut
from sojourn.tours.tables import TourStatus

# Bookings a cancelled departure refunds: holds (nothing paid) and confirmed stays not yet over.
_CANCELLABLE = states.status_in_sql("k", states.CANCELLABLE)
TO_CANCEL_SQL = f"""
SELECT k.id, k.status, k.total_fen FROM booking k
WHERE k.tour = $1 AND k.departure > $2
  AND (k.status = '{states.CONFIRMED}' OR {states.live_hold_sql("k", "$3")})
ORDER BY k.id
"""
# What cancelling would do: the bookings above, and whether anyone is staying now.
PREVIEW_SQL = f"""
SELECT count(*) FILTER (WHERE {_CANCELLABLE})::int AS bookings,
       coalesce(sum(k.party_size) FILTER (WHERE {_CANCELLABLE}), 0)::int AS travellers,
       coalesce(sum(k.total_fen) FILTER (WHERE k.status = '{states.CONFIRMED}'), 0)::int AS refund,
       count(*) FILTER (WHERE k.status = '{states.CHECKED_IN}')::int AS staying
FROM booking k WHERE k.tour = $1 AND k.departure > $2 AND NOT {states.releasable_hold_sql("k", "$3")}
"""


@dataclass(frozen=True)
class CancellationPreview:
    """What cancelling would do, shown on the confirmation page before anything happens."""

    bookings: int
    travellers: int
    refund_fen: int
    staying: int  # checked in now: the departure cannot be cancelled


async def preview_cancellation(principal: Principal, tour_id: int, *, now: dt.datetime) -> CancellationPreview:
    async with db.connection() as conn:
        tour = await scoped_tour(conn, principal, tour_id)
        row = await conn.fetchrow(
            PREVIEW_SQL,
            tour_id,
            today_at(tour["time_zone"], now),
            now,
        )
    assert row is not None  # an aggregate always answers one row
    return CancellationPreview(row["bookings"], row["travellers"], row["refund"], row["staying"])


async def cancel_departure(
    principal: Principal, tour_id: int, reason: str, *, settings: Settings, now: dt.datetime, ip: str = ""
) -> DepartureCancelledOut:
    reason = reason.strip()
    async with db.connection() as conn:
        tour = await scoped_tour(conn, principal, tour_id)
        async with conn.transaction():
            with map_database_errors():
                await lock_base(conn, tour["base"], settings.lock_timeout_ms)
                status = await conn.fetchval("SELECT status FROM tour WHERE id = $1 FOR UPDATE", tour_id)
                if status == TourStatus.cancelled:
                    raise Conflict(_l("This departure was cancelled already."), code="tour_cancelled")
                staying = await conn.fetchval(
                    f"SELECT count(*)::int FROM booking WHERE tour = $1 AND status = '{states.CHECKED_IN}'", tour_id
                )
                if staying:
                    raise Conflict(
                        _l(
                            "%(n)s bookings are checked in and staying now. Check them out before cancelling.",
                            n=staying,
                        ),
                        code="travellers_staying",
                        staying=staying,
                    )
                # First the tour, so that the waiting list is not offered beds on it meanwhile.
                await conn.execute("UPDATE tour SET status = 'cancelled', updated_at = $2 WHERE id = $1", tour_id, now)
                today = today_at(tour["time_zone"], now)
                cancelled, refunded = 0, 0
                for booking in await conn.fetch(TO_CANCEL_SQL, tour_id, today, now):
                    refunded += await lifecycle.cancel_with_full_refund(
                        conn,
                        booking["id"],
                        actor=principal,
                        reason=f"Departure cancelled by the base: {reason}"[:500],
                        settings=settings,
                        now=now,
                        ip=ip,
                    )
                    cancelled += 1
                withdrawn = await conn.fetch(
                    "UPDATE waitlist_entry SET status = 'withdrawn' WHERE tour = $1 AND status = 'waiting' RETURNING id",
                    tour_id,
                )
                await audit.record(
                    "departure_cancelled",
                    actor=principal,
                    object_type="tour",
                    object_id=tour_id,
                    ip=ip,
                    detail={
                        "reason": reason,
                        "previous_status": status,
                        "bookings_cancelled": cancelled,
                        "refunded_fen": refunded,
                        "waitlist_withdrawn": len(withdrawn),
                    },
                    conn=conn,
                    at=now,
                )
    return DepartureCancelledOut(
        tour_id=tour_id,
        status="cancelled",
        bookings_cancelled=cancelled,
        refunded_fen=refunded,
        waitlist_withdrawn=len(withdrawn),
    )
