"""Money, dates and times written for people, in the reader's language: pages, messages and exports share them.

Instants are stored in UTC; people read them as the wall clock of the place they are about:
``local_time(instant, base.time_zone)`` on a base's pages, Beijing time (``BEIJING``) on
alliance-wide ones. No page prints UTC.
"""

from __future__ import annotations

import datetime as dt

import arrow

from sojourn import i18n
from sojourn.i18n import lazy_gettext as _l

# The alliance's own clock: alliance-wide pages (audit log, administration) and messages.
BEIJING = "Asia/Shanghai"

# Zones a base in China may be in, named as people say them; any other zone by its IANA name.
ZONE_NAMES = {
    "Asia/Shanghai": _l("Beijing time"),
    "Asia/Urumqi": _l("Xinjiang time"),
}


def yuan(fen: int | None) -> str:
    """Integer fen shown as yuan: 240000 -> ¥2,400 (cents only when there are any)."""
    if fen is None:
        return ""
    whole, cents = divmod(int(fen), 100)
    return f"¥{whole:,}" if cents == 0 else f"¥{whole:,}.{cents:02d}"


def zone_name(time_zone: str) -> str:
    """'北京时间' / 'Beijing time' for Asia/Shanghai; the zone's own name where we have no word for it."""
    name = ZONE_NAMES.get(time_zone)
    return str(name) if name is not None else time_zone


def local_time(
    instant: dt.datetime | None, time_zone: str = BEIJING, *, seconds: bool = False, zone: bool = True
) -> str:
    """An instant as the wall clock shows it in ``time_zone``: '2026-12-07 15:00 北京时间'.

    ``zone=False`` leaves the zone's name out, for a column whose heading names it once."""
    if instant is None:
        return ""
    wall = arrow.get(instant).to(time_zone)
    text = wall.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} {zone_name(time_zone)}" if zone else text


def long_date(value: dt.date | dt.datetime | None, time_zone: str = BEIJING) -> str:
    """A date written out in the reader's language: 2026年12月1日 / 1 December 2026.

    An instant counts as the day it is in ``time_zone`` (a UTC evening is already tomorrow in
    Beijing)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = arrow.get(value).to(time_zone).datetime
    if i18n.current_locale() == "zh_CN":
        return f"{value.year}年{value.month}月{value.day}日"
    return arrow.get(value).format("D MMMM YYYY", locale="en")


def humanize(value: dt.datetime | dt.date | None) -> str:
    """'in 3 days' / '3天后', relative to now, in the reader's language."""
    if value is None:
        return ""
    locale = "zh" if i18n.current_locale() == "zh_CN" else "en"
    return arrow.get(value).humanize(locale=locale)


def desk_number(agent_account_id: int) -> str:
    """The number a hotline agent answers under: a senior is told which desk booked, never the
    agent's name (staff names stay private; the desk number is enough to find the call)."""
    return f"{agent_account_id:04d}"
