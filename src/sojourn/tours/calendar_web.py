"""A tour's availability calendar: a month grid of beds left per night, kept fresh.

The grid is a fragment (``/tours/{id}/calendar``) that the tour page includes. It refreshes
itself: with Redis, a server-sent event stream (``/tours/{id}/calendar/stream``) says when
the base's beds changed (``bookings.live``) and the grid reloads at once, with a slow poll as a
safety net; without Redis it polls every 30 seconds. Without JavaScript it is what the page
showed when it loaded, with a link to look again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import ServerSentEvent, Template
from litestar.response.sse import ServerSentEventMessage

from sojourn.bases import services as bases
from sojourn.bookings import live
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.tours import services
from sojourn.tours.month_calendar import (
    KEEP_ALIVE_SECONDS,
    POLL_SECONDS,
    SAFETY_POLL_SECONDS,
    STREAM_LIFETIME_SECONDS,
    MonthChoice,
    live_updates,
    month_calendar,
)


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
                except TimeoutError:
                    yield ServerSentEventMessage(comment="still here", data=None)
                    continue
                yield ServerSentEventMessage(event="capacity", data=str(tour.base_id))

    return ServerSentEvent(events(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


ROUTES = [calendar_fragment, calendar_stream]
