"""The coordinators' pages under ``/alliance``: each statistic as a table first, with a chart.

Filters are a plain GET form; charts are drawn by static/js/charts.js from the JSON in the
chart's ``data-chart`` attribute (no inline script), and the table below them holds the same
figures, so every page works without JavaScript. Each table downloads as CSV.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import FromPath, Parameter, QueryParameter
from litestar.response import Template

from sojourn.accounts.guards import coordinators
from sojourn.accounts.principal import Principal
from sojourn.errors import DomainError, NotFound
from sojourn.i18n import gettext as _
from sojourn.stats import charts, options, services
from sojourn.stats.exports import COLUMNS, to_csv
from sojourn.stats.filters import StatsFilter

Caller = Request[Principal, Any, Any]

# Filters come from a form whose "any" choices are empty, so "" is allowed everywhere.
MONTH_CHOICE = r"^(|20[0-9]{2}-(0[1-9]|1[0-2]))$"
FromChoice = Annotated[str | None, QueryParameter(name="from", pattern=MONTH_CHOICE)]
MonthChoice = Annotated[str | None, Parameter(pattern=MONTH_CHOICE)]
ModeChoice = Annotated[str | None, Parameter(pattern=r"^(|migratory|vacation|interactive)$")]
IdChoice = Annotated[str | None, Parameter(pattern=r"^[0-9]{0,9}$")]
GroupChoice = Annotated[str | None, Parameter(pattern=r"^(|base|member)$")]

PAGES = {
    "flows": "flows",
    "occupancy": "occupancy",
    "exchange": "exchange-balance",
    "satisfaction": "satisfaction",
    "health": "health-mix",
    "bookings": "bookings",
}


def _read_filters(start, end, mode, member_id, base_id) -> tuple[StatsFilter, dict[str, str], dict[str, str]]:
    values = {
        "from": start or "",
        "to": end or "",
        "mode": mode or "",
        "member_id": member_id or "",
        "base_id": base_id or "",
    }
    try:
        filters = StatsFilter.parse(
            start or None,
            end or None,
            mode or None,
            int(member_id) if member_id else None,
            int(base_id) if base_id else None,
        )
    except DomainError as wrong:
        errors = {key: str(value) for key, value in wrong.field_errors.items()} or {"from": str(wrong.message)}
        return StatsFilter(), errors, values
    return filters, {}, values


async def _page(request: Caller, page: str, filters: StatsFilter, errors: dict, values: dict, **extra: Any) -> Template:
    store = request.app.stores.get(services.CACHE_STORE)
    name = PAGES[page]
    if page == "satisfaction":
        rows = await services.statistic_rows("satisfaction", request.user, filters, store=store)
        members = await services.statistic_rows("satisfaction-members", request.user, filters, store=store)
        extra["members"] = members
    else:
        rows = await services.statistic_rows(name, request.user, filters, store=store)
    if page == "flows":
        extra["matrix"] = charts.flow_matrix(rows)
    elif page == "occupancy":
        extra["matrix"] = charts.occupancy_matrix(rows)
    names = charts.mode_names()
    context = {
        "page": page,
        "rows": rows,
        "mode_names": names,
        "mode_choices": list(names.items()),
        "chart": charts.chart_for(page, rows),
        "errors": errors,
        "values": values,
        "choices": await options.filter_choices(request.user),
        "download": f"/alliance/download/{page}" + (f"?{filters.query_string()}" if filters.query_string() else ""),
        **extra,
    }
    return Template(f"stats/{page}.html", context=context, status_code=400 if errors else 200)


@get("/alliance", include_in_schema=False, guards=[coordinators])
async def dashboard(
    request: Caller,
    from_: FromChoice = None,
    to: MonthChoice = None,
    mode: ModeChoice = None,
    member_id: IdChoice = None,
    base_id: IdChoice = None,
) -> Template:
    filters, errors, values = _read_filters(from_, to, mode, member_id, base_id)
    return await _page(request, "bookings", filters, errors, values)


@get("/alliance/stats/{page:str}", include_in_schema=False, guards=[coordinators])
async def statistic_page(
    request: Caller,
    page: FromPath[str],
    from_: FromChoice = None,
    to: MonthChoice = None,
    mode: ModeChoice = None,
    member_id: IdChoice = None,
    base_id: IdChoice = None,
) -> Template:
    if page not in PAGES or page == "bookings":
        raise NotFound(_("There is no such page."))
    filters, errors, values = _read_filters(from_, to, mode, member_id, base_id)
    return await _page(request, page, filters, errors, values)


@get("/alliance/download/{page:str}", include_in_schema=False, guards=[coordinators])
async def download(
    request: Caller,
    page: FromPath[str],
    from_: FromChoice = None,
    to: MonthChoice = None,
    mode: ModeChoice = None,
    member_id: IdChoice = None,
    base_id: IdChoice = None,
    group: GroupChoice = None,
) -> Response[bytes]:
    if page not in PAGES:
        raise NotFound(_("There is no such page."))
    filters = StatsFilter.parse(
        from_ or None,
        to or None,
        mode or None,
        int(member_id) if member_id else None,
        int(base_id) if base_id else None,
    )
    name = "satisfaction-members" if page == "satisfaction" and group == "member" else PAGES[page]
    rows = await services.statistic_rows(
        name, request.user, filters, store=request.app.stores.get(services.CACHE_STORE)
    )
    filename = name if group != "member" else "satisfaction-members"
    return Response(
        to_csv(rows, COLUMNS[name], for_people=True),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


ROUTES = [dashboard, statistic_page, download]
