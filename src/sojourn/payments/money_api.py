"""``GET /api/v1/stats/money``: the coordinator's money report per member and month, as JSON or,
with ``Accept: text/csv``, as a CSV file for people (titles in the reader's language).

Coordinators (all members, or limited to theirs) and admins; everyone else gets 403. Totals only:
never a person's payment."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import Parameter, QueryParameter

from sojourn.accounts.guards import coordinators
from sojourn.accounts.principal import Principal
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.payments.money_report import MoneyPeriod, MoneyRow, report_csv, report_for
from sojourn.stats.filters import MONTH_PATTERN

Caller = Request[Principal, Any, Any]
CSV = "text/csv"

From = Annotated[
    str | None,
    QueryParameter(name="from", pattern=MONTH_PATTERN, description="First month, YYYY-MM (default: this month)"),
]
To = Annotated[
    str | None,
    QueryParameter(name="to", pattern=MONTH_PATTERN, description="Last month, included, YYYY-MM (default: this month)"),
]
MemberId = Annotated[int | None, Parameter(ge=1, description="Only this member")]


def _csv(report: list[MoneyRow]) -> Response[Any]:
    return Response(
        report_csv(report),
        media_type=CSV,
        headers={"Content-Disposition": 'attachment; filename="money.csv"', "Vary": "Accept"},
    )


@get("/api/v1/stats/money", tags=["Statistics"], summary="Money per member and month", guards=[coordinators])
async def stats_money(
    request: Caller,
    clock: NamedDependency[Clock],
    from_: From = None,
    to: To = None,
    member_id: MemberId = None,
) -> Response[list[MoneyRow]]:
    """Per member of the base that took the money and Beijing month, in fen: collected, refunded,
    due and unpaid, and deposits held (the escrow figure: received, not yet earned by nights
    stayed, not refunded), as of the month's end or now."""
    now = clock.now()
    report = await report_for(request.user, MoneyPeriod.parse(from_, to, member_id, now), now)
    if request.accept.best_match(["application/json", CSV], default="application/json") == CSV:
        return _csv(report)
    return Response(report, media_type="application/json", headers={"Vary": "Accept"})


ROUTES = [stats_money]
