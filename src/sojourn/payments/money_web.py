"""The coordinator's money report as a page under the alliance statistics (``/alliance/money``),
the table first, with its CSV download (titles in the reader's language)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import Parameter, QueryParameter
from litestar.response import Template

from sojourn.accounts.guards import coordinators
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.payments.money_report import MoneyPeriod, report_csv, report_for
from sojourn.stats import options

Caller = Request[Principal, Any, Any]

# The form's "any" choices are empty, so "" is allowed everywhere.
MONTH_CHOICE = r"^(|20[0-9]{2}-(0[1-9]|1[0-2]))$"
FromChoice = Annotated[str | None, QueryParameter(name="from", pattern=MONTH_CHOICE)]
MonthChoice = Annotated[str | None, Parameter(pattern=MONTH_CHOICE)]
IdChoice = Annotated[str | None, Parameter(pattern=r"^[0-9]{0,9}$")]


@get("/alliance/money", include_in_schema=False, guards=[coordinators])
async def money_page(
    request: Caller,
    clock: NamedDependency[Clock],
    from_: FromChoice = None,
    to: MonthChoice = None,
    member_id: IdChoice = None,
) -> Template:
    now = clock.now()
    values = {"from": from_ or "", "to": to or "", "member_id": member_id or ""}
    errors: dict[str, str] = {}
    try:
        period = MoneyPeriod.parse(from_ or None, to or None, int(member_id) if member_id else None, now)
    except DomainError as wrong:
        errors = {key: str(value) for key, value in wrong.field_errors.items()} or {"from": str(wrong.message)}
        period = MoneyPeriod.parse(None, None, None, now)
    context = {
        "rows": await report_for(request.user, period, now),
        "errors": errors,
        "values": values,
        "choices": await options.filter_choices(request.user),
        "download": f"/alliance/money/download?{period.query_string()}",
        "chart": None,
    }
    return Template("payments/money.html", context=context, status_code=400 if errors else 200)


@get("/alliance/money/download", include_in_schema=False, guards=[coordinators])
async def money_download(
    request: Caller,
    clock: NamedDependency[Clock],
    from_: FromChoice = None,
    to: MonthChoice = None,
    member_id: IdChoice = None,
) -> Response[bytes]:
    now = clock.now()
    period = MoneyPeriod.parse(from_ or None, to or None, int(member_id) if member_id else None, now)
    return Response(
        report_csv(await report_for(request.user, period, now)),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="money.csv"'},
    )


ROUTES = [money_page, money_download]
