"""What every console page shares: which base it is about, the words for codes, going back
after a form, and turning a service's refusal into a message next to the form."""

from __future__ import annotations

from typing import Any, overload

from litestar import Request
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.accounts.principal import Principal
from sojourn.errors import DomainError, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.operator import labels
from sojourn.operator.bases import operated_bases
from sojourn.operator.schemas import BaseRef
from sojourn.web.forms import safe_next

Caller = Request[Principal, Any, Any]


@overload
async def choose_base(principal: Principal, base_id: int) -> tuple[list[BaseRef], BaseRef]: ...
@overload
async def choose_base(principal: Principal, base_id: None) -> tuple[list[BaseRef], BaseRef | None]: ...
async def choose_base(principal: Principal, base_id: int | None) -> tuple[list[BaseRef], BaseRef | None]:
    """The principal's bases and the one asked for (the first when none is asked for).

    A base that is not theirs is NotFound, like everywhere else.
    """
    bases = await operated_bases(principal)
    if base_id is None:
        return bases, (bases[0] if bases else None)
    chosen = next((base for base in bases if base.id == base_id), None)
    if chosen is None:
        raise NotFound(_l("There is no base with this number among the bases you operate."))
    return bases, chosen


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    return Template(f"operator/{template}", context={"labels": labels.everything(), **context}, status_code=status_code)


def errors_of(refused: DomainError, default_field: str = "form") -> dict[str, str]:
    """Field -> message for the form; a refusal without fields goes to the summary."""
    errors = {key: str(value) for key, value in refused.field_errors.items()}
    return errors or {default_field: str(refused.message)}


def back(request: Caller, default: str) -> str:
    """Where a small action form came from (its ``next`` field), on this site only."""
    return safe_next(request.query_params.get("next"), default)


def done(request: Caller, message: str, target: str) -> Redirect:
    flash(request, message, "ok")
    return Redirect(target, status_code=303)


def refused(request: Caller, error: DomainError, target: str) -> Redirect:
    flash(request, str(error.message), "error")
    return Redirect(target, status_code=303)
