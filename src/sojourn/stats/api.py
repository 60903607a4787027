"""``/api/v1/stats/*``: the coordinators' statistics as JSON, or CSV with ``Accept: text/csv``.

Coordinators (all members, or limited to theirs) and admins; everyone else gets 403. Only
aggregates: no endpoint here ever returns a person.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import Parameter, QueryParameter

from sojourn.accounts.guards import coordinators
from sojourn.accounts.principal import Principal
from sojourn.alliance.params import Mode
from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.stats import services
from sojourn.stats.exports import COLUMNS, to_csv
from sojourn.stats.filters import MONTH_PATTERN, StatsFilter
from sojourn.stats.schemas import BookingsOut, ExchangeOut, FlowOut, HealthMixOut, OccupancyOut, SatisfactionOut

Caller = Request[Principal, Any, Any]
TAGS = ["Statistics"]
CSV = "text/csv"

From = Annotated[
    str | None,
    QueryParameter(
        name="from", pattern=MONTH_PATTERN, description="First month, YYYY-MM (a date stands for its month)"
    ),
]
To = Annotated[
    str | None,
    QueryParameter(name="to", pattern=MONTH_PATTERN, description="Last month, included, YYYY-MM"),
]
MemberId = Annotated[int | None, Parameter(ge=1, description="Only what touches this member")]
BaseId = Annotated[int | None, Parameter(ge=1, description="Only this base")]
Group = Annotated[str, Parameter(pattern="^(base|member)$", description="base (default) or member")]


def wants_csv(request: Request[Any, Any, Any]) -> bool:
    return request.accept.best_match(["application/json", CSV], default="application/json") == CSV


async def respond(request: Caller, name: str, filters: StatsFilter, filename: str | None = None) -> Response[Any]:
    store = request.app.stores.get(services.CACHE_STORE)
    if wants_csv(request):
        rows = await services.statistic_rows(name, request.user, filters, store=store)
        return Response(
            to_csv(rows, COLUMNS[name]),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename or name}.csv"', "Vary": "Accept"},
        )
    data = await services.statistic_json(name, request.user, filters, store=store)
    return Response(data, media_type="application/json", headers={"Vary": "Accept"})


def _filters(start, end, mode, member_id, base_id) -> StatsFilter:
    return StatsFilter.parse(start, end, mode, member_id, base_id)


@get(
    "/api/v1/stats/flows",
    tags=TAGS,
    summary="Flows from home provinces to destination provinces",
    guards=[coordinators],
)
async def stats_flows(
    request: Caller,
    from_: From = None,
    to: To = None,
    mode: Mode = None,
    member_id: MemberId = None,
    base_id: BaseId = None,
) -> Response[list[FlowOut]]:
    """Travellers (by arrival month) and bed-nights of sold stays, summed over the period."""
    return await respond(request, "flows", _filters(from_, to, mode, member_id, base_id))


@get("/api/v1/stats/occupancy", tags=TAGS, summary="Occupancy per base and month", guards=[coordinators])
async def stats_occupancy(
    request: Caller,
    from_: From = None,
    to: To = None,
    base_id: BaseId = None,
    mode: Mode = None,
    member_id: MemberId = None,
) -> Response[list[OccupancyOut]]:
    """Bed-nights sold ÷ bed-nights available, per base and month."""
    return await respond(request, "occupancy", _filters(from_, to, mode, member_id, base_id))


@get("/api/v1/stats/exchange-balance", tags=TAGS, summary="Exchange balance per member pair", guards=[coordinators])
async def stats_exchange_balance(
    request: Caller, from_: From = None, to: To = None, member_id: MemberId = None
) -> Response[list[ExchangeOut]]:
    """Bed-nights of interactive trips each member sent to and received from another."""
    return await respond(request, "exchange-balance", _filters(from_, to, None, member_id, None))


@get("/api/v1/stats/satisfaction", tags=TAGS, summary="Satisfaction and NPS per base or member", guards=[coordinators])
async def stats_satisfaction(
    request: Caller,
    from_: From = None,
    to: To = None,
    mode: Mode = None,
    member_id: MemberId = None,
    base_id: BaseId = None,
    group: Group = "base",
) -> Response[list[SatisfactionOut]]:
    """Review counts, scores smoothed towards the alliance mean, NPS with its reliability."""
    name = "satisfaction-members" if group == "member" else "satisfaction"
    return await respond(request, name, _filters(from_, to, mode, member_id, base_id))


@get("/api/v1/stats/health-mix", tags=TAGS, summary="Health-risk mix per base (aggregates)", guards=[coordinators])
async def stats_health_mix(
    request: Caller,
    from_: From = None,
    to: To = None,
    mode: Mode = None,
    member_id: MemberId = None,
    base_id: BaseId = None,
) -> Response[list[HealthMixOut]]:
    """Shares of submitted declarations per trait, per base and calendar quarter of arrival, all trip
    modes together; cells under 5 are suppressed (count null). ``from``/``to`` list every quarter they
    touch, whole; ``mode`` is refused, so that no two answers can be subtracted."""
    if mode is not None:
        message = _l("Health statistics are given for all trip modes together, so that nobody can be singled out.")
        raise InvalidInput(message, code="mode_not_available", field_errors={"mode": message})
    return await respond(request, "health-mix", _filters(from_, to, mode, member_id, base_id))


@get("/api/v1/stats/bookings", tags=TAGS, summary="Bookings over time by mode", guards=[coordinators])
async def stats_bookings(
    request: Caller,
    from_: From = None,
    to: To = None,
    mode: Mode = None,
    member_id: MemberId = None,
    base_id: BaseId = None,
) -> Response[list[BookingsOut]]:
    """Per month of arrival and mode: sold bookings and travellers, no-shows, cancellations."""
    return await respond(request, "bookings", _filters(from_, to, mode, member_id, base_id))


ROUTES = [stats_flows, stats_occupancy, stats_exchange_balance, stats_satisfaction, stats_health_mix, stats_bookings]
