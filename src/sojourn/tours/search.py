"""Search by exact dates and party size: the stays with a free bed for everyone on every night,
each with its price for those dates, sorted by price, rating or distance from home. ONE query.

How the query stays fast as the network grows (``bench/search.py``, docs/benchmarks.md):

1. ``free_base``: the bases with a bed for everyone on every night of [arrival, departure),
   straight from ``free_run`` (maximal runs of nights with k beds free, kept exactly by the
   calendar's trigger; one SP-GiST index per k), plus the few bases with a hold that ran out
   over those dates (their beds count as free, so they are checked below). Skipped at once when
   the stay is shorter than any seasonal stay allows (a week's search, say).
2. ``candidate``: the seasonal stays of those bases whose window holds [arrival, departure) and
   whose minimum/maximum nights allow it, and the fixed-date tours whose dates lie inside the
   ones asked for (by their own index) — with the catalogue filters, the price for the party
   and the sort key.
3. ``available``: the candidates *in sort order*; a seasonal stay found in the runs is sure,
   the others are checked against their base's runs (one index probe; nights read one by one
   only where a hold ran out, its beds given back; seats left for fixed tours), and only until
   ``cap + 1`` stays have passed.
4. The page is cut from ``available`` and joined to the full tour row.

So ``total`` is exact up to ``cap`` (at least COUNT_LIMIT); beyond it the answer says
``total_is_lower_bound`` ("more than 100 stays"), as search engines do.

Rooms: when room types exist, the free runs and the availability check read that room type's
nights instead of the base's beds (``free_base``, ``_availability``), and ``candidate`` gains
``t.base``'s room-type price — the places a ``room_type_id`` filter goes.

Distance from home is the great-circle (haversine) distance from the seat of the traveller's
home province (``bases.geo.PROVINCE_SEATS``) to the base's coordinates; bases without
coordinates sort last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Literal

from sojourn import db
from sojourn.bases.geo import EARTH_RADIUS_KM, Point
from sojourn.bookings import rooms, states
from sojourn.errors import InvalidInput
from sojourn.feedback.scores import NEUTRAL_RATING, PRIOR_WEIGHT
from sojourn.feedback.tables import RATING_ASPECTS
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours.pricing import DAYS_PER_MONTH
from sojourn.tours.schemas import StayOut
from sojourn.tours.services import TOUR_SELECT, TourFilter, _where, tour_out

COUNT_LIMIT = 100
MAX_PARTY = 10
MAX_NIGHTS = 366
Sort = Literal["price", "rating", "distance"]


@dataclass(frozen=True)
class StaySearch:
    arrival: dt.date
    departure: dt.date
    party: int = 1
    max_price_fen: int | None = None
    sort: Sort = "price"
    home: Point | None = None  # where "distance" is measured from
    prior: float = NEUTRAL_RATING  # the alliance mean score, for sorting by rating (alliance_mean)


@dataclass(frozen=True)
class StayResults:
    items: list[StayOut]
    total: int
    total_is_lower_bound: bool


def check_search(arrival: dt.date | None, departure: dt.date | None, party: int, sort: str, home: Point | None) -> None:
    """InvalidInput, field by field, for a search that cannot be answered."""
    errors: dict[str, Any] = {}
    if arrival is None or departure is None:
        errors["arrival" if arrival is None else "departure"] = _l("Give both the arrival and the departure day.")
    elif departure <= arrival:
        errors["departure"] = _l("The departure day must be after the arrival day.")
    elif (departure - arrival).days > MAX_NIGHTS:
        errors["departure"] = _l("Search for at most a year at a time.")
    if not 1 <= party <= MAX_PARTY:
        errors["party"] = _l("Between 1 and 10 people.")
    if sort == "distance" and home is None:
        errors["sort"] = _l("Say where you travel from to sort by distance.")
    if errors:
        raise InvalidInput(_l("These search choices need a change."), field_errors=errors)


def _rating_sql(prior: str) -> str:
    """The smoothed overall score (``feedback.scores``' formula) from the feedback rollup, with
    the alliance mean ``prior`` as m."""
    aspects = " + ".join(f"f.{aspect}" for aspect in RATING_ASPECTS)
    return (
        "(SELECT CASE WHEN coalesce(sum(f.reviews), 0) = 0 THEN NULL ELSE"
        f" ({PRIOR_WEIGHT} * {prior}::float8 + sum({aspects})::float8 / {len(RATING_ASPECTS)})"
        f" / ({PRIOR_WEIGHT} + sum(f.reviews)) END FROM stats_feedback_month f WHERE f.base_id = b.id)"
    )


ALLIANCE_MEAN_SQL = f"""
SELECT coalesce(sum(reviews), 0) AS n,
       coalesce(sum({" + ".join(RATING_ASPECTS)}), 0)::float8 / {len(RATING_ASPECTS)} AS total
FROM stats_feedback_month
"""
# The alliance mean moves slowly (it rests on every review in the network), and summing it costs
# in proportion to the network: it is read at most once every few minutes per process.
ALLIANCE_MEAN_MAX_AGE = dt.timedelta(minutes=10)
_alliance_mean: tuple[dt.datetime, float] | None = None


async def alliance_mean(conn: Any, now: dt.datetime) -> float:
    global _alliance_mean
    if _alliance_mean is None or not (dt.timedelta(0) <= now - _alliance_mean[0] <= ALLIANCE_MEAN_MAX_AGE):
        row = await conn.fetchrow(ALLIANCE_MEAN_SQL)
        _alliance_mean = (now, row["total"] / row["n"] if row["n"] else NEUTRAL_RATING)
    return _alliance_mean[1]


def _distance_sql(lat: str, lng: str) -> str:
    return (
        f"(2 * {EARTH_RADIUS_KM} * asin(least(1, sqrt(power(sin(radians(bp.latitude - {lat}) / 2), 2)"
        f" + cos(radians({lat})) * cos(radians(bp.latitude)) * power(sin(radians(bp.longitude - {lng}) / 2), 2)))))"
    )


# Beds for the party on every night of the stay: one probe of ``free_run`` (the maximal runs of
# nights with k beds free, kept by the calendar's trigger): the first run of (base, party) that
# ends on or after the departure must start on or before the arrival. Runs only include nights
# with a calendar row, so a night without one (no beds) breaks them.
#
# Holds that ran out but are not released yet still count in ``taken``, so a run can miss a
# night they would free. Only at a base with such a hold over the stay (rare: they are released
# before every decision and by the sweep) are the nights the runs leave out (the stay minus the
# runs: the short nights, and nights without a calendar row) read one by one, with those holds'
# beds given back; the first night still short ends the look.
def _availability(party: str, now: str) -> str:
    return f"""
    (coalesce((SELECT r.starts <= c.stay_arrival FROM free_run r
               WHERE r.base = c.base AND r.k = {party} AND r.ends >= c.stay_departure
               ORDER BY r.ends LIMIT 1), false)
     OR (EXISTS (SELECT 1 FROM booking k
                 WHERE k.base = c.base AND {states.releasable_hold_sql("k", now)}
                   AND k.arrival < c.stay_departure AND k.departure > c.stay_arrival)
         AND NOT EXISTS (
             SELECT 1 FROM unnest(datemultirange(daterange(c.stay_arrival, c.stay_departure)) - coalesce((
                 SELECT range_agg(daterange(r.starts, r.ends)) FROM free_run r
                 WHERE r.base = c.base AND r.k = {party} AND r.ends > c.stay_arrival AND r.starts < c.stay_departure
             ), '{{}}'::datemultirange)) AS g(short)
             CROSS JOIN LATERAL generate_series(lower(g.short), upper(g.short) - 1, interval '1 day') AS x(night)
             WHERE coalesce((
                 SELECT n.beds - n.taken + coalesce((SELECT sum({rooms.beds_held_sql("k")}) FROM booking k
                     WHERE k.base = n.base AND {states.releasable_hold_sql("k", now)}
                       AND k.arrival <= n.night AND k.departure > n.night), 0)
                 FROM capacity_night n WHERE n.base = c.base AND n.night = x.night::date), 0) < {party})))
    """


def _seats_left(party: str, now: str) -> str:
    """Fixed-date tours also need seats for the party (holds that ran out give theirs back)."""
    return f"""
    (c.seats IS NULL OR c.seats - c.seats_taken >= {party} OR c.seats - c.seats_taken + coalesce((
     SELECT sum(k.party_size) FROM booking k
     WHERE k.tour = c.id AND {states.releasable_hold_sql("k", now)}), 0) >= {party})
    """


SORTS = {
    "price": "total_fen, id",
    "rating": "rating DESC NULLS LAST, total_fen, id",
    "distance": "distance_km NULLS LAST, total_fen, id",
}


def search_sql(filters: TourFilter, search: StaySearch, now: dt.datetime, limit: int, offset: int) -> tuple[str, list]:
    args: list[Any] = [now]  # $1, as TOUR_SELECT expects

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    where = _where(filters, args)
    arrival, departure, party = arg(search.arrival), arg(search.departure), arg(search.party)
    nights = f"({departure}::date - {arrival}::date)"
    rating = _rating_sql(arg(search.prior)) if search.sort == "rating" else "NULL::float8"
    distance = _distance_sql(arg(search.home.latitude), arg(search.home.longitude)) if search.home else "NULL::float8"
    price_cap = f" WHERE x.total_fen <= {arg(search.max_price_fen)}" if search.max_price_fen is not None else ""
    cap = max(COUNT_LIMIT, offset + limit)
    today = "($1::timestamptz AT TIME ZONE b.time_zone)::date"
    columns = f"""t.id, t.base, t.seats, t.seats_taken,
               (CASE WHEN t.mode = 'migratory'
                     THEN (t.monthly_price_fen::bigint * {nights} + {DAYS_PER_MONTH // 2}) / {DAYS_PER_MONTH}
                     ELSE t.package_price_fen::bigint END) * {party} AS total_fen,
               {rating} AS rating,
               {distance} AS distance_km"""
    sql = f"""
WITH free_base AS MATERIALIZED (
    SELECT f.base, bool_or(f.sure) AS sure FROM (
        SELECT r.base, true AS sure FROM free_run r
        WHERE r.k = {int(search.party)} AND daterange(r.starts, r.ends) @> daterange({arrival}::date, {departure}::date)
          AND (SELECT min(coalesce(t.min_nights, 1)) FROM tour t WHERE t.mode = 'migratory') <= {nights}
        UNION ALL
        SELECT k.base, false FROM booking k
        WHERE {states.releasable_hold_sql("k", "$1::timestamptz")}
          AND k.arrival < {departure}::date AND k.departure > {arrival}::date
    ) f GROUP BY f.base
), candidate AS MATERIALIZED (
    SELECT * FROM (
        SELECT {columns}, {arrival}::date AS stay_arrival, {departure}::date AS stay_departure, fb.sure
        FROM free_base fb JOIN tour t ON t.base = fb.base JOIN base b ON b.id = t.base
        LEFT JOIN base_place bp ON bp.base = b.id
        {where}
          AND t.mode = 'migratory' AND t.starts_on <= {arrival}::date AND t.ends_on >= {departure}::date
          AND {nights} >= coalesce(t.min_nights, 1) AND (t.max_nights IS NULL OR {nights} <= t.max_nights)
          AND {arrival}::date > {today}
        UNION ALL
        SELECT {columns}, t.starts_on, t.ends_on, false
        FROM tour t JOIN base b ON b.id = t.base LEFT JOIN base_place bp ON bp.base = b.id
        {where}
          AND t.mode <> 'migratory' AND t.starts_on >= {arrival}::date AND t.ends_on <= {departure}::date
          AND t.starts_on > {today}
    ) x{price_cap}
), available AS MATERIALIZED (
    SELECT c.* FROM (SELECT * FROM candidate ORDER BY {SORTS[search.sort]} OFFSET 0) c
    WHERE (c.sure OR {_availability(party, "$1::timestamptz")}) AND {_seats_left(party, "$1::timestamptz")}
    LIMIT {cap + 1}
), page AS (
    SELECT a.*, row_number() OVER (ORDER BY {SORTS[search.sort]}) AS rank,
           (SELECT count(*) FROM available) AS found
    FROM available a ORDER BY {SORTS[search.sort]} LIMIT {int(limit)} OFFSET {int(offset)}
)
SELECT q.*, p.stay_arrival, p.stay_departure, p.total_fen, p.rating, p.distance_km, p.found
FROM page p CROSS JOIN LATERAL ({TOUR_SELECT} WHERE t.id = p.id) q
ORDER BY p.rank
"""
    return sql, args


async def search_stays(
    filters: TourFilter, search: StaySearch, now: dt.datetime, limit: int = 20, offset: int = 0
) -> StayResults:
    cap = max(COUNT_LIMIT, offset + limit)
    async with db.connection() as conn:
        if search.sort == "rating":
            search = replace(search, prior=await alliance_mean(conn, now))
        rows = await run_search(conn, *search_sql(filters, search, now, limit, offset))
        if rows:
            found = rows[0]["found"]
        elif offset:  # paged past the end: count what there is (the same query, from the start)
            first = await run_search(conn, *search_sql(filters, search, now, 1, 0))
            found = first[0]["found"] if first else 0
        else:
            found = 0
    items = [stay_out(row, search.party) for row in rows]
    return StayResults(items=items, total=min(found, cap), total_is_lower_bound=found > cap)


async def run_search(conn: Any, sql: str, args: list[Any]) -> list[Any]:
    """The search statement, without JIT compilation: its cost estimates (correlated subqueries
    per candidate) cross PostgreSQL's JIT threshold, and compiling costs ~100 ms for a query
    that runs in a few."""
    async with conn.transaction():
        await conn.execute("SET LOCAL jit = off")
        return await conn.fetch(sql, *args)


def stay_out(row: Any, party: int) -> StayOut:
    tour = tour_out(row)
    return StayOut(
        **{name: getattr(tour, name) for name in tour.__struct_fields__},
        arrival=row["stay_arrival"],
        departure=row["stay_departure"],
        nights=(row["stay_departure"] - row["stay_arrival"]).days,
        party=party,
        total_fen=int(row["total_fen"]),
        rating=None if row["rating"] is None else round(float(row["rating"]), 2),
        distance_km=None if row["distance_km"] is None else round(float(row["distance_km"])),
    )
