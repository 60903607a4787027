"""What the account pages share: registration's two steps, rendered by the registration page
(``web``) and by the page that sends its code (``recovery_web``)."""

from __future__ import annotations

from typing import Any

from litestar.response import Template

from sojourn.accounts.logins import check_new_password, parse_login
from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.web.forms import safe_next

_MOBILE_ONLY = _l("Enter a mainland mobile number of 11 digits.")


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


def phone_problem(phone: str, field: str) -> dict[str, str]:
    """What is wrong with a mobile number given at registration (nothing when it is empty: the form
    says that one is required)."""
    if not phone:
        return {}
    try:
        login = parse_login(phone)
    except InvalidInput as refused:
        return {field: str(refused.message)}
    return {} if login.kind == "phone" else {field: str(_MOBILE_ONLY)}


def registration_problems(values: dict[str, Any]) -> dict[str, str]:
    """Every problem with step 2's name, number and password at once, before the code is spent."""
    errors = phone_problem(values.get("phone", ""), "phone")
    if values.get("password"):
        try:
            check_new_password(values["password"])
        except InvalidInput as refused:
            errors["password"] = str(refused.message)
    return errors
