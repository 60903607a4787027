"""The export as a file a person can read: plain text, in their language (Chinese first)."""

from __future__ import annotations

from typing import Any

from sojourn.i18n import gettext as _

SECTIONS = (
    ("account", "My account"),
    ("travellers", "People I book for"),
    ("bookings", "Bookings"),
    ("waitlist_entries", "Waiting lists"),
    ("health_declarations", "Health declarations"),
    ("consents", "Consents"),
    ("hotline_mandates", "Consents for the hotline"),
    ("feedback", "Reviews"),
    ("messages_sent", "Messages sent to me"),
    ("access_log", "Who used my data, and when"),
)


def _lines(value: Any, indent: str = "  ") -> list[str]:
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{indent}{key}:")
                out.extend(_lines(item, indent + "  "))
            else:
                out.append(f"{indent}{key}: {'' if item is None else item}")
        return out
    if isinstance(value, list):
        out = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, dict):
                out.append(f"{indent}({number})")
                out.extend(_lines(item, indent + "  "))
            else:
                out.append(f"{indent}- {item}")
        return out
    return [f"{indent}{value}"]


def readable(data: dict[str, Any]) -> str:
    titles = {
        "My account": _("My account"),
        "People I book for": _("People I book for"),
        "Bookings": _("Bookings"),
        "Waiting lists": _("Waiting lists"),
        "Health declarations": _("Health declarations"),
        "Consents": _("Consents"),
        "Consents for the hotline": _("Consents for the hotline"),
        "Reviews": _("Reviews"),
        "Messages sent to me": _("Messages sent to me"),
        "Who used my data, and when": _("Who used my data, and when"),
    }
    lines = [
        _("Everything Sojourn holds about your account"),
        _("Keep this file safe: it contains your health information."),
        "",
    ]
    for key, title in SECTIONS:
        lines.append(f"== {titles[title]} ==")
        section = data.get(key)
        lines.extend(_lines(section) if section else ["  " + _("Nothing.")])
        lines.append("")
    return "\n".join(lines)
