"""Dependencies every handler may ask for by name: ``settings``, ``clock`` and ``keyring``."""

from litestar.di import NamedDependency, Provide

from sojourn.clock import Clock
from sojourn.config import Settings
from sojourn.crypto import KeyRing

__all__ = ["NamedDependency", "app_dependencies"]


def app_dependencies(settings: Settings, clock: Clock, keyring: KeyRing) -> dict[str, Provide]:
    return {
        "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        "clock": Provide(lambda: clock, use_cache=True, sync_to_thread=False),
        "keyring": Provide(lambda: keyring, use_cache=True, sync_to_thread=False),
    }
