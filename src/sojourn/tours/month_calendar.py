"""A tour's month of beds left per night, as the availability calendar shows it (``calendar_web``
serves it and keeps it fresh)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import arrow
from litestar.params import Parameter

from sojourn.bases import services as bases
from sojourn.bookings import live
from sojourn.i18n import current_locale
from sojourn.tours.schemas import TourOut

MonthChoice = Annotated[str | None, Parameter(pattern=r"^(|20[0-9]{2}-(0[1-9]|1[0-2]))$")]
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
    chosen = dt.date.fromisoformat(f"{month}-01") if month else _first_of(max(tour.starts_on, min(today, last_night)))
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
