"""A tour's availability calendar: a month grid of beds left per night, kept fresh.

The grid is a fragment (``/tours/{id}/calendar``) that the tour page includes. It refreshes
itself: with Redis, a server-sent event stream (``/tours/{id}/calendar/stream``) says when
the base's beds changed (``bookings.live``) and the grid reloads at once, with a slow poll as a
safety net; without Redis it polls every 30 seconds. Without JavaScript it is what the page
showed when it loaded, with a link to look again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Annotated, Any, AsyncIterator, Optional

import arrow
from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter
from litestar.response import ServerSentEvent, Template
from litestar.response.sse import ServerSentEventMessage

from sojourn.bases import services as bases
from sojourn.bookings import live
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.i18n import current_locale
from sojourn.tours import services
from sojourn.tours.schemas import TourOut

MonthChoice = Annotated[Optional[str], Parameter(pattern=r"^(|20[0-9]{2}-(0[1-9]|1[0-2]))$")]
FEW_BEDS = 3
POLL_SECONDS = 30  # without Redis
SAFETY_POLL_SECONDS = 300  # with Redis: events do the work, this catches expiries and lost hints
STREAM_LIFETIME_SECONDS = 300  # then the browser reconnects by itself (lets servers restart quickly)
KEEP_ALIVE_SECONDS = 25


def _first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def _previous_month(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_label(first: dt.date) -> str:
    """ "2027年1月" / "January 2027"."""
    if current_locale() == "zh_CN":
        return f"{first.year}年{first.month}月"
    return arrow.get(first).format("MMMM YYYY", locale="en")


def live_updates() -> bool:
    """Whether this process hears capacity changes (Redis channels running)."""
    return live.channels_running() is not None


async def month_calendar(tour: TourOut, time_zone: str, month: str | None, now: dt.datetime) -> dict[str, Any]:
    """Weeks (Monday first) of the chosen month with the beds left on each night of the tour."""
    today = arrow.get(now).to(time_zone).date()
    last_night = tour.ends_on - dt.timedelta(days=1)
    earliest, latest = _first_of(tour.starts_on), _first_of(last_night)
    if month:
        chosen = dt.date.fromisoformat(f"{month}-01")
    else:
        chosen = _first_of(max(tour.starts_on, min(today, last_night)))
    chosen = min(max(chosen, earliest), latest)
    end = _next_month(chosen)
    first_night = max(chosen, tour.starts_on)
    stop = min(end, tour.ends_on)
    nights = await bases.availability(tour.base_id, first_night, stop, now) if stop > first_night else []
    beds = {night.date: night.beds_left for night in nights}
    weeks: list[list[dict[str, Any] | None]] = []
    week: list[dict[str, Any] | None] = [None] * chosen.weekday()
    day = chosen
    while day < end:
        if day < tour.starts_on or day > last_night:
            status = "closed"
        elif day < today:
            status = "past"
        elif beds.get(day, 0) <= 0:
            status = "full"
        elif beds[day] <= FEW_BEDS:
            status = "few"
        else:
            status = "open"
        week.append({"date": day, "beds_left": beds.get(day), "status": status})
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += dt.timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return {
        "month": chosen,
        "month_key": chosen.strftime("%Y-%m"),
        "month_label": month_label(chosen),
        "previous": _previous_month(chosen).strftime("%Y-%m") if chosen > earliest else None,
        "next": end.strftime("%Y-%m") if end <= latest else None,
        "weeks": weeks,
        "checked_at": arrow.get(now).to(time_zone).strftime("%H:%M"),
        "seats_left": tour.seats_left,
    }


@get("/tours/{tour_id:int}/calendar", include_in_schema=False)
async def calendar_fragment(
    tour_id: FromPath[int], clock: NamedDependency[Clock], month: MonthChoice = None
) -> Template:
    now = clock.now()
    tour = await services.get_tour(tour_id, now)
    base = await bases.get_base(tour.base_id)
    calendar = await month_calendar(tour, base.time_zone, month, now)
    return Template(
        "tours/_calendar.html",
        context={
            "tour": tour,
            "calendar": calendar,
            "live": live_updates(),
            "poll": POLL_SECONDS,
            "safety_poll": SAFETY_POLL_SECONDS,
        },
    )


@get("/tours/{tour_id:int}/calendar/stream", include_in_schema=False)
async def calendar_stream(tour_id: FromPath[int], clock: NamedDependency[Clock]) -> ServerSentEvent:
    """Server-sent events: "capacity" whenever the tour's base's beds change."""
    channels = live.channels_running()
    if channels is None:
        raise NotFoundException()
    tour = await services.get_tour(tour_id, clock.now())
    channel = live.capacity_channel(tour.base_id)

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        heard: asyncio.Queue[bytes] = asyncio.Queue(maxsize=10)

        async def on_event(data: bytes) -> None:
            if not heard.full():
                heard.put_nowait(data)

        deadline = time.monotonic() + STREAM_LIFETIME_SECONDS
        async with channels.start_subscription(channel) as subscriber, subscriber.run_in_background(on_event):
            yield ServerSentEventMessage(event="ready", data="", retry=5000)
            while (left := deadline - time.monotonic()) > 0:
                try:
                    await asyncio.wait_for(heard.get(), timeout=min(KEEP_ALIVE_SECONDS, left))
                except asyncio.TimeoutError:
                    yield ServerSentEventMessage(comment="still here", data=None)
                    continue
                yield ServerSentEventMessage(event="capacity", data=str(tour.base_id))

    return ServerSentEvent(events(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


ROUTES = [calendar_fragment, calendar_stream]
