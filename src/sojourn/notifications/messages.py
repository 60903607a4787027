"""What a notification says: one short subject and a few plain sentences per kind, in the
recipient's language (the account's locale).

Texts are built from the outbox payload only, never from live rows: the message tells what
happened when the event committed. Health details never appear (the outbox is not encrypted).

Every message ends with the address of the page where the reader acts on it (``PAGES``), made
when it is sent from the site's public address: a message waiting in the outbox never carries
an address that has since moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sojourn.formatting import long_date, yuan
from sojourn.i18n import current_locale, using_locale
from sojourn.i18n import gettext as _

# Times in messages are read by people at the bases, all in China's time zone.
MESSAGE_TIME_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _date(value: Any) -> str:
    if not value:
        return ""
    try:
        return long_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _time(value: Any) -> str:
    try:
        instant = dt.datetime.fromisoformat(str(value)).astimezone(MESSAGE_TIME_ZONE)
    except ValueError:
        return str(value)
    return f"{long_date(instant)} {instant:%H:%M}"


def _names(payload: dict[str, Any]) -> str:
    return _(", ").join(str(t.get("name", "")) for t in payload.get("travellers", []) if t.get("name"))


def _named(payload: dict[str, Any], zh: str, en: str) -> str:
    """A payload's bilingual name (``title_zh``/``title_en``) in the reader's language."""
    first, second = (zh, en) if current_locale() == "zh_CN" else (en, zh)
    return str(payload.get(first) or payload.get(second) or "")


def _offer_made(p: dict[str, Any]) -> Message:
    return Message(
        _("A place is free for you"),
        _(
            "Good news: a place has become free for %(title)s, from %(arrival)s to %(departure)s. "
            "We keep it for you until %(expires)s. Please confirm it before then. Booking number: %(reference)s.",
            title=_named(p, "title_zh", "title_en"),
            arrival=_date(p.get("arrival")),
            departure=_date(p.get("departure")),
            expires=_time(p.get("expires_at")),
            reference=p.get("reference", ""),
        ),
    )


def _hold_made(p: dict[str, Any]) -> Message:
    return Message(
        _("Your places are kept for you"),
        _(
            "We keep places for you on %(title)s, from %(arrival)s to %(departure)s, until %(expires)s. "
            "Please confirm the booking before then. Booking number: %(reference)s.",
            title=_named(p, "title_zh", "title_en"),
            arrival=_date(p.get("arrival")),
            departure=_date(p.get("departure")),
            expires=_time(p.get("expires_at")),
            reference=p.get("reference", ""),
        ),
    )


def _booking_confirmed(p: dict[str, Any]) -> Message:
    body = _(
        "Your booking %(reference)s is confirmed. You arrive on %(arrival)s. We look forward to seeing you.",
        reference=p.get("reference", ""),
        arrival=_date(p.get("arrival")),
    )
    if p.get("hotline_desk"):
        body += " " + _("The 96111 hotline booked it for you (desk %(desk)s).", desk=p["hotline_desk"])
    return Message(_("Your booking is confirmed"), body)


def _booking_cancelled(p: dict[str, Any]) -> Message:
    refund = int(p.get("refund_fen") or 0)
    body = _("Your booking %(reference)s is cancelled.", reference=p.get("reference", ""))
    if refund:
        body += " " + _("We will refund %(amount)s to you.", amount=yuan(refund))
    return Message(_("Your booking is cancelled"), body)


def _booking_cancel_undone(p: dict[str, Any]) -> Message:
    return Message(
        _("Your booking stands again"),
        _(
            "The cancellation of booking %(reference)s is undone: your booking stands again, as it was, "
            "and your beds are kept for you. You arrive on %(arrival)s. Nothing will be refunded.",
            reference=p.get("reference", ""),
            arrival=_date(p.get("arrival")),
        ),
    )


def _refund_paid(p: dict[str, Any]) -> Message:
    return Message(
        _("Your refund has arrived"),
        _(
            "%(amount)s for booking %(reference)s has been refunded to the account you paid from.",
            amount=yuan(int(p.get("refund_fen") or 0)),
            reference=p.get("reference", ""),
        ),
    )


def _fapiao_issued(p: dict[str, Any]) -> Message:
    body = _(
        "The fapiao for booking %(reference)s is issued: number %(number)s of %(date)s, for %(amount)s.",
        reference=p.get("reference", ""),
        number=p.get("invoice_number", ""),
        date=_date(p.get("issued_on")),
        amount=yuan(int(p.get("amount_fen") or 0)),
    )
    if p.get("email"):
        body += " " + _("It is sent to %(email)s.", email=p["email"])
    return Message(_("Your fapiao is issued"), body)


def _balance_due(p: dict[str, Any]) -> Message:
    return Message(
        _("Please pay the balance"),
        _(
            "Please pay the balance of %(amount)s for booking %(reference)s by %(date)s. If it is not paid a day "
            "after that, the booking is cancelled under its cancellation terms.",
            amount=yuan(int(p.get("amount_fen") or 0)),
            reference=p.get("reference", ""),
            date=_date(p.get("due_at")),
        ),
    )


def _declaration_due(p: dict[str, Any]) -> Message:
    values = {"reference": p.get("reference", ""), "due_on": _date(p.get("due_on")), "names": _names(p)}
    if p.get("stage") == "due":
        body = _(
            "The health form for booking %(reference)s was due on %(due_on)s. Please fill it in now for: %(names)s.",
            **values,
        )
    else:
        body = _("Please fill in the health form for booking %(reference)s by %(due_on)s, for: %(names)s.", **values)
    return Message(_("Please fill in the health form"), body)


def _declarations_missing(p: dict[str, Any]) -> Message:
    return Message(
        _("Health forms missing"),
        _(
            "Booking %(reference)s arrives on %(arrival)s. These travellers have not sent their health form: "
            "%(names)s.",
            reference=p.get("reference", ""),
            arrival=_date(p.get("arrival")),
            names=_names(p),
        ),
    )


def _declaration_info_requested(p: dict[str, Any]) -> Message:
    # The question itself stays on the site: it may speak of health, and this text is not encrypted.
    return Message(
        _("The base has a question about a health form"),
        _(
            "The base has a question about the health form of %(name)s (booking %(reference)s). "
            "Please read it and answer on the health form, then send the form again.",
            name=p.get("traveller_name", ""),
            reference=p.get("reference", ""),
        ),
    )


def _declaration_accepted(p: dict[str, Any]) -> Message:
    return Message(
        _("Health form accepted"),
        _(
            "The base has accepted the health form of %(name)s (booking %(reference)s).",
            name=p.get("traveller_name", ""),
            reference=p.get("reference", ""),
        ),
    )


def _declaration_declined(p: dict[str, Any]) -> Message:
    return Message(
        _("The base cannot take this stay"),
        _(
            "After reading the health form of %(name)s, the base cannot take booking %(reference)s. "
            "The booking is cancelled and fully refunded. Please open the booking to read why.",
            name=p.get("traveller_name", ""),
            reference=p.get("reference", ""),
        ),
    )


def _feedback_request(p: dict[str, Any]) -> Message:
    return Message(
        _("How was your stay?"),
        _(
            "Thank you for staying at %(base)s. Please tell us how it was; it takes two minutes: %(url)s",
            base=_named(p, "base_name_zh", "base_name_en"),
            url=p.get("link", ""),
        ),
    )


def _feedback_replied(p: dict[str, Any]) -> Message:
    return Message(
        _("The base answered your comment"),
        _("The base has answered your comment on booking %(reference)s.", reference=p.get("reference", "")),
    )


def _departure_reminder(p: dict[str, Any]) -> Message:
    return Message(
        _("Your trip starts soon"),
        _(
            "Your stay at %(base)s starts on %(arrival)s (booking %(reference)s). "
            "Please bring your identity card, your medicines and this booking number.",
            base=_named(p, "base_name_zh", "base_name_en"),
            arrival=_date(p.get("arrival")),
            reference=p.get("reference", ""),
        ),
    )


RENDERERS: dict[str, Callable[[dict[str, Any]], Message]] = {
    "hold_made": _hold_made,
    "offer_made": _offer_made,
    "booking_confirmed": _booking_confirmed,
    "booking_cancelled": _booking_cancelled,
    "booking_cancel_undone": _booking_cancel_undone,
    "refund_paid": _refund_paid,
    "fapiao_issued": _fapiao_issued,
    "balance_due": _balance_due,
    "declaration_due": _declaration_due,
    "declarations_missing": _declarations_missing,
    "declaration_info_requested": _declaration_info_requested,
    "declaration_accepted": _declaration_accepted,
    "declaration_declined": _declaration_declined,
    "feedback_request": _feedback_request,
    "feedback_replied": _feedback_replied,
    "departure_reminder": _departure_reminder,
}


# Where the reader of each kind acts on it: the booker on the trip's pages, the base's staff on
# their review queue. Filled from the payload; every page sends a visitor to sign in and back.
PAGES: dict[str, str] = {
    "hold_made": "/trips/{booking_id}/review",
    "offer_made": "/trips/{booking_id}/review",
    "booking_confirmed": "/trips/{booking_id}",
    "booking_cancelled": "/trips/{booking_id}",
    "booking_cancel_undone": "/trips/{booking_id}",
    "refund_paid": "/trips/{booking_id}",
    "fapiao_issued": "/trips/{booking_id}",
    "balance_due": "/trips/{booking_id}/pay",
    "declaration_due": "/trips/{booking_id}/health",
    "declarations_missing": "/operator/declarations?missing=true&base_id={base_id}",
    "declaration_info_requested": "/trips/{booking_id}/health",
    "declaration_accepted": "/trips/{booking_id}/health",
    "declaration_declined": "/trips/{booking_id}",
    "feedback_request": "/trips/{booking_id}/feedback",
    "feedback_replied": "/trips/{booking_id}/feedback",
    "departure_reminder": "/trips/{booking_id}",
}
# Kinds whose text already names the address where it belongs.
_LINK_IN_TEXT = frozenset({"feedback_request"})


def link_for(kind: str, payload: dict[str, Any], public_url: str) -> str:
    """The address of the page for this message, or "" when the payload cannot fill it in."""
    path = PAGES.get(kind)
    if path is None:
        return ""
    try:
        return public_url.rstrip("/") + path.format(
            **{key: int(payload[key]) for key in ("booking_id", "base_id") if key in payload}
        )
    except (KeyError, TypeError, ValueError):
        return ""


def render(kind: str, payload: dict[str, Any], locale: str, public_url: str) -> Message:
    """The message for an outbox row, in ``locale`` (an unknown kind still says something useful),
    with the address of its page on the site at ``public_url``."""
    with using_locale(locale):
        renderer = RENDERERS.get(kind)
        if renderer is None:
            return Message(_("A new message from Sojourn"), _("Please sign in to Sojourn to read it."))
        link = link_for(kind, payload, public_url)
        message = renderer({**payload, "link": link})
        body = str(message.body)
        if link and kind not in _LINK_IN_TEXT:
            body += " " + _("Open: %(url)s", url=link)
        return Message(subject=str(message.subject), body=body)
