"""Pure rules (refund tiers, stay rules, screening): plain functions over values, no database, no
app, no Redis. A test here that asks for one of those fixtures is refused when collected, so the
layer keeps running in a second without PostgreSQL."""

from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parent
_SERVICES = {"db", "migrated_database", "app", "client", "session_app", "redis_url", "live_server", "settings"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if UNIT in Path(str(item.path)).resolve().parents:
            used = _SERVICES & set(getattr(item, "fixturenames", ()))
            if used:
                raise pytest.UsageError(f"{item.nodeid} is a unit test but asks for {sorted(used)}: move it up a level")
