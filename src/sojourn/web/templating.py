"""Jinja set-up shared by every page: gettext, money and date helpers, template folders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from sojourn import i18n
from sojourn.formatting import desk_number, humanize, local_time, long_date, yuan, zone_name

PACKAGE = Path(__file__).resolve().parent.parent


def template_directories() -> list[Path]:
    """The shared layout first, then every context's own ``templates/`` folder."""
    shared = PACKAGE / "web" / "templates"
    contexts = sorted(p for p in PACKAGE.glob("*/templates") if p != shared)
    return [shared, *contexts]


ELDER_COOKIE = "sojourn_elder"
# The senior a hotline agent is booking for (set by hotline.booking_for, shown by the layout).
BOOKING_FOR_SESSION = "hotline_booking_for"


def elder_mode(request: Any) -> bool:
    """Larger text and targets: the visitor's switch (a cookie), or the account's preference."""
    if request is None:
        return False
    cookie = request.cookies.get(ELDER_COOKIE)
    if cookie in ("1", "0"):
        return cookie == "1"
    user = request.scope.get("user")
    return bool(user and user.elder_mode)


def booking_for(request: Any) -> dict[str, Any] | None:
    """The senior an agent is booking for, for the banner on every page (agents only)."""
    if request is None or "session" not in request.scope or not isinstance(request.scope["session"], dict):
        return None
    user = request.scope.get("user")
    if user is None or user.role.value != "agent":
        return None
    chosen = request.scope["session"].get(BOOKING_FOR_SESSION)
    return chosen if isinstance(chosen, dict) else None


def flashes(request: Any) -> list[dict[str, str]]:
    """One-time messages left by the previous page (Litestar's flash storage in the session)."""
    if request is None or "session" not in request.scope or not isinstance(request.scope["session"], dict):
        return []
    return [
        {"text": str(item.get("message", "")), "category": item.get("category", "info")}
        for item in request.session.pop("_messages", [])
    ]


# Hotlines a senior may be told to call: 96111 (elderly services), 12393 (medical insurance).
_HOTLINES = re.compile(r"(?<![0-9])(96111|12393)(?![0-9])")


def call_links(text: Any) -> Markup:
    """The text (escaped as usual), with each hotline number a tap-to-call ``tel:`` link."""
    return Markup(_HOTLINES.sub(r'<a class="phone" href="tel:\1">\1</a>', str(escape(text))))


def build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader([str(p) for p in template_directories()]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: i18n.gettext(message),
        ngettext=lambda singular, plural, n: i18n.translations(i18n.current_locale()).ngettext(singular, plural, n),
        newstyle=True,
    )
    environment.filters.update(
        yuan=yuan,
        long_date=long_date,
        humanize=humanize,
        call_links=call_links,
        local_time=local_time,
        desk_number=desk_number,
    )
    environment.globals.update(
        current_locale=i18n.current_locale,
        language_tag=lambda: i18n.language_tag(i18n.current_locale()),
        elder_mode=elder_mode,
        zone_name=zone_name,
        flashes=flashes,
        booking_for=booking_for,
    )
    return environment


def template_config() -> TemplateConfig[Engine]:
    return TemplateConfig(instance=Engine.from_environment(build_environment()))
