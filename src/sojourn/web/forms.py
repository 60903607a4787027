"""Reading HTML forms into msgspec Structs, with the errors a person can act on, per field."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import msgspec
from litestar import Request

from sojourn.errors import InvalidInput
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.web.problems import humanise_validation_message

T = TypeVar("T")


class FormErrors(InvalidInput):
    """What to show next to each field, and what the person typed (never asked for again).

    Pages catch it and show the form again; anywhere else it is an ordinary InvalidInput.
    """

    def __init__(self, errors: dict[str, str], values: dict[str, Any]) -> None:
        super().__init__(_l("Please correct the fields marked below."), field_errors=errors)
        self.errors = errors
        self.values = values


def _field_of(error: msgspec.ValidationError) -> str:
    message = str(error)
    if "at `$." in message:
        return message.split("at `$.", 1)[1].split("`", 1)[0].split(".")[0].split("[")[0]
    if "missing required field `" in message:
        return message.split("missing required field `", 1)[1].split("`", 1)[0]
    return "form"


async def read_form(request: Request[Any, Any, Any], into: type[T], *, lists: tuple[str, ...] = ()) -> T:
    """Convert the posted form into ``into``; raise FormErrors naming the field that is wrong.

    Empty fields count as missing (None), so optional fields may be left blank.
    ``lists`` names fields that may repeat (checkboxes) and are read as lists.
    """
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        if key in lists:
            values[key] = [v for v in form.getall(key) if v != ""]
        else:
            value = form.get(key)
            if isinstance(value, str):
                value = value.strip()
            if value != "":
                values[key] = value
    for key in lists:
        values.setdefault(key, [])
    try:
        return msgspec.convert(values, into, strict=False)
    except FormErrors:
        raise
    except InvalidInput as refused:  # a rule the struct checks itself (dates within range)
        raise FormErrors({key: str(value) for key, value in refused.field_errors.items()}, values) from None
    except msgspec.ValidationError as error:
        field = _field_of(error)
        message = humanise_validation_message(str(error))
        if "missing required field" in str(error):
            message = _("This is required.")
        # msgspec stops at the first problem; every empty required field is named at once.
        errors = {name: _("This is required.") for name in _missing_fields(into, values)}
        errors.setdefault(field, message)
        raise FormErrors(errors, values) from None


def _missing_fields(into: type[Any], values: dict[str, Any]) -> list[str]:
    if not (isinstance(into, type) and issubclass(into, msgspec.Struct)):
        return []
    return [
        field.encode_name
        for field in msgspec.structs.fields(into)
        if field.required and field.encode_name not in values
    ]


def _has_control(text: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site (no open redirects), however it is spelled.

    Browsers read a backslash as a slash and drop tabs and newlines from URLs, so
    ``/\\evil.example`` or ``/<tab>/evil.example`` would leave the site as a link or a
    redirect: a target with a backslash or a control character, raw or percent-encoded,
    or one that starts with two slashes after decoding, is refused.
    """
    if not target or len(target) > 2000:
        return default
    decoded = unquote(target)
    if "\\" in decoded or _has_control(target) or _has_control(decoded):
        return default
    if not target.startswith("/") or decoded.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
