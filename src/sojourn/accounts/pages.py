"""What the account pages share: registration's two steps, rendered by the registration page
(``web``) and by the page that sends its code (``recovery_web``)."""

from __future__ import annotations

from typing import Any

from litestar.response import Template

from sojourn.web.forms import safe_next


def register_step(
    values: dict[str, Any], errors: dict[str, str], *, step: int, status: int = 200, background: Any = None
) -> Template:
    values = {key: values.get(key, "") for key in ("display_name", "phone", "next")}
    values["next"] = safe_next(values["next"], "/trips")
    return Template(
        "accounts/register.html",
        context={"values": values, "errors": errors, "step": step},
        status_code=status,
        background=background,
    )
