"""Offering a tour for booking and closing it to new bookings (the bookings made stand).

Both take the base's lock, so no hold can read the old status half-way through the change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.alliance.agreements import agreement_in_force
from sojourn.audit import services as audit
from sojourn.bookings.errors import map_database_errors
from sojourn.bookings.locking import lock_base
from sojourn.bookings.stays import today_at
from sojourn.config import Settings
from sojourn.errors import Conflict
from sojourn.formatting import long_date
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours.management import read_tour, scoped_tour
from sojourn.tours.management_schemas import OperatorTourOut


async def _change_status(
    principal: Principal,
    tour_id: int,
    *,
    settings: Settings,
    now: dt.datetime,
    ip: str,
    target: str,
    check: Any,
) -> OperatorTourOut:
    async with db.connection() as conn:
        current = await scoped_tour(conn, principal, tour_id)
        async with conn.transaction():
            with map_database_errors():
                # Under the base's lock: no hold can read the old status half-way through.
                await lock_base(conn, current["base"], settings.lock_timeout_ms)
                row = await conn.fetchrow(
                    "SELECT t.*, b.time_zone, b.status AS base_status FROM tour t JOIN base b ON b.id = t.base "
                    "WHERE t.id = $1 FOR UPDATE OF t",
                    tour_id,
                )
                assert row is not None  # found by scoped_tour above; tours are never deleted
                if row["status"] != target:
                    check(row, today_at(row["time_zone"], now))
                    if target == "published":
                        await _check_exchange_agreement(conn, row)
                    await conn.execute(
                        "UPDATE tour SET status = $2, updated_at = $3 WHERE id = $1", tour_id, target, now
                    )
                    await audit.record(
                        f"tour_{target}",
                        actor=principal,
                        object_type="tour",
                        object_id=tour_id,
                        ip=ip,
                        detail={"previous_status": row["status"]},
                        conn=conn,
                        at=now,
                    )
                return await read_tour(conn, principal, tour_id, now)


def _publishable(row: Any, today: dt.date) -> None:
    if row["status"] == "cancelled":
        raise Conflict(_l("This departure was cancelled; it cannot be offered again."), code="tour_cancelled")
    if row["base_status"] != "admitted":
        raise Conflict(
            _l("The base is not admitted to the alliance at the moment, so its tours cannot be offered."),
            code="base_not_admitted",
        )
    last_arrival = (
        row["ends_on"] - dt.timedelta(days=row["min_nights"] or 1) if row["mode"] == "migratory" else row["starts_on"]
    )
    if last_arrival <= today:
        raise Conflict(
            _l("This tour starts too soon or is over. Change its dates before offering it."), code="tour_started"
        )


async def _check_exchange_agreement(conn: Any, row: Any) -> None:
    """An exchange between two members needs their agreement, for exchanges, over the whole trip."""
    if row["mode"] != "interactive" or row["partner"] is None:
        return
    if await agreement_in_force(
        conn, row["organiser"], row["partner"], "interactive", row["starts_on"], row["ends_on"]
    ):
        return
    raise Conflict(
        _l(
            "These two members have no alliance agreement for exchange trips in force from %(first)s to %(last)s,"
            " so the exchange cannot be offered. Ask the alliance to record the agreement (or extend it) first.",
            first=long_date(row["starts_on"]),
            last=long_date(row["ends_on"]),
        ),
        code="no_exchange_agreement",
    )


def _closable(row: Any, today: dt.date) -> None:
    if row["status"] == "cancelled":
        raise Conflict(_l("This departure was cancelled already."), code="tour_cancelled")
    if row["status"] == "draft":
        raise Conflict(_l("This tour was never offered, so there is nothing to close."), code="not_published")


async def publish_tour(
    principal: Principal, tour_id: int, *, settings: Settings, now: dt.datetime, ip: str = ""
) -> OperatorTourOut:
    """Offer a draft (or a closed tour again) for booking."""
    return await _change_status(
        principal, tour_id, settings=settings, now=now, ip=ip, target="published", check=_publishable
    )


async def close_tour(
    principal: Principal, tour_id: int, *, settings: Settings, now: dt.datetime, ip: str = ""
) -> OperatorTourOut:
    """No new bookings or waiting-list entries; the bookings that stand are kept."""
    return await _change_status(principal, tour_id, settings=settings, now=now, ip=ip, target="closed", check=_closable)
