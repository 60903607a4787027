"""Money and dates written for people, in the reader's language: pages, messages and exports share them."""

from __future__ import annotations

import datetime as dt

import arrow

from sojourn import i18n


def yuan(fen: int | None) -> str:
    """Integer fen shown as yuan: 240000 -> ¥2,400 (cents only when there are any)."""
    if fen is None:
        return ""
    whole, cents = divmod(int(fen), 100)
    return f"¥{whole:,}" if cents == 0 else f"¥{whole:,}.{cents:02d}"


def long_date(value: dt.date | dt.datetime | None) -> str:
    """A date written out in the reader's language: 2026年12月1日 / 1 December 2026."""
    if value is None:
        return ""
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
