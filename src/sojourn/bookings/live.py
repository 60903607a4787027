"""Telling open pages that a base's beds changed, so availability calendars update by themselves.

With Redis (``SOJOURN_REDIS_URL``) the app runs Litestar's ChannelsPlugin on Redis pub/sub:
the booking engine calls ``capacity_changed(base_id)`` after a change is committed, every
serving process hears it, and each open tour page of that base gets a server-sent event and
reloads its calendar. Without Redis there is nothing to listen to: the calendar polls.

Only a hint travels (which base); pages always re-read the numbers from the database, so a
lost message costs freshness, never correctness.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.redis import RedisChannelsPubSubBackend

from sojourn.config import Settings

log = logging.getLogger(__name__)

# Plugins that are running in this process (normally one: the app's).
_RUNNING: set[ChannelsPlugin] = set()


def capacity_channel(base_id: int) -> str:
    return f"sojourn:capacity:{int(base_id)}"


class CapacityChannels(ChannelsPlugin):
    """Litestar's channels, known to ``capacity_changed`` while the app runs."""

    def __init__(self, redis: Any) -> None:
        super().__init__(
            backend=RedisChannelsPubSubBackend(redis=redis),
            arbitrary_channels_allowed=True,
            subscriber_max_backlog=20,
            subscriber_backlog_strategy="dropleft",
        )
        self._redis = redis

    async def __aenter__(self) -> ChannelsPlugin:
        await super().__aenter__()
        _RUNNING.add(self)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        _RUNNING.discard(self)
        try:
            await super().__aexit__(*exc_info)
        finally:
            await self._redis.aclose()


def live_plugins(settings: Settings) -> list[ChannelsPlugin]:
    """The channels plugin when Redis is configured; none otherwise (pages poll)."""
    if not settings.redis_url:
        return []
    from redis.asyncio import Redis

    # Its own client: pub/sub holds a connection, and must not share timeouts with the stores.
    return [CapacityChannels(Redis.from_url(settings.redis_url, socket_connect_timeout=2))]


def channels_running() -> ChannelsPlugin | None:
    return next(iter(_RUNNING), None)


async def capacity_changed(base_id: int) -> None:
    """Call after committing a change to a base's beds. Never raises: pages poll as a fallback."""
    for plugin in list(_RUNNING):
        try:
            plugin.publish({"base_id": base_id}, capacity_channel(base_id))
        except Exception:  # noqa: BLE001 - a missed hint must never fail a booking
            log.warning("could not announce a capacity change at base %s", base_id, exc_info=True)
