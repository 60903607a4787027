"""One entry point for every statistic: scope, filters, a cache keyed by the data's version.

Answers are cached as encoded JSON in the ``stats`` store (Redis when configured, in-process
otherwise) under a key made of the statistic, the rollups' version, the caller's scope, the
filters and the language. Any change the statistics count bumps the version in the same
transaction, so a cached answer is never served after the data behind it changed; old keys
simply expire. A cache that fails is skipped: the answer is computed instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar.stores.base import Store

from sojourn import db
from sojourn.accounts.principal import Principal
from sojourn.i18n import current_locale
from sojourn.stats import rollups
from sojourn.stats.bookings_over_time import bookings_over_time
from sojourn.stats.exchange import exchange_balance
from sojourn.stats.filters import StatsFilter
from sojourn.stats.flows import flows
from sojourn.stats.health_mix import health_mix
from sojourn.stats.occupancy import occupancy
from sojourn.stats.satisfaction import satisfaction

log = logging.getLogger(__name__)

CACHE_STORE = "stats"
CACHE_SECONDS = 15 * 60

Compute = Callable[[Principal, StatsFilter], Awaitable[list[Any]]]

STATISTICS: dict[str, Compute] = {
    "flows": flows,
    "occupancy": occupancy,
    "exchange-balance": exchange_balance,
    "satisfaction": lambda principal, filters: satisfaction(principal, filters, "base"),
    "satisfaction-members": lambda principal, filters: satisfaction(principal, filters, "member"),
    "health-mix": health_mix,
    "bookings": bookings_over_time,
}


def scope_key(principal: Principal) -> str:
    """Who sees what: admins and alliance-wide coordinators share answers."""
    if principal.role.value == "coordinator" and principal.member_ids:
        return "m" + ",".join(str(m) for m in sorted(principal.member_ids))
    return f"{principal.role.value}:all" if principal.role.value not in ("admin", "coordinator") else "all"


async def statistic_json(name: str, principal: Principal, filters: StatsFilter, *, store: Store | None) -> bytes:
    """The statistic ``name`` as encoded JSON (a list of rows), from the cache when still current."""
    compute = STATISTICS[name]
    if store is None:
        return msgspec.json.encode(await compute(principal, filters))
    async with db.connection() as conn:
        version = await rollups.current_version(conn)
    key = f"{name}:{version}:{scope_key(principal)}:{filters.key()}:{current_locale()}"
    try:
        cached = await store.get(key)
    except Exception:  # the cache is an optimisation: answer without it
        log.warning("statistics cache unavailable", exc_info=True)
        cached, store = None, None
    if cached is not None:
        return cached
    data = msgspec.json.encode(await compute(principal, filters))
    if store is not None:
        try:
            await store.set(key, data, expires_in=CACHE_SECONDS)
        except Exception:
            log.warning("statistics cache unavailable", exc_info=True)
    return data


async def statistic_rows(name: str, principal: Principal, filters: StatsFilter, *, store: Store | None) -> list[dict]:
    """The same answer as plain dicts, for pages and CSV files."""
    return msgspec.json.decode(await statistic_json(name, principal, filters, store=store))
