"""The catalogue and search: the world they share."""

import pytest

from tests import factories


@pytest.fixture
def world_beds() -> int:
    """Beds a night in the world's calendars (a module may ask for fewer)."""
    return 10


@pytest.fixture
async def world(client, clock, world_beds: int) -> factories.World:
    """Two bases with ``world_beds`` beds a night from START, a tour of each mode."""
    return await factories.context_world(beds=world_beds)
