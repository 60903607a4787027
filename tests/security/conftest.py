"""Issue 15's findings, each shown fixed through the API and pages: the world they share."""

import pytest

from tests import factories


@pytest.fixture
def world_beds() -> int:
    """Beds a night in the world's calendars (a module may ask for more)."""
    return 10


@pytest.fixture
async def world(client, clock, world_beds: int) -> factories.World:
    """Two bases with ``world_beds`` beds a night from START, a tour of each mode, the default
    screening rules (declarations are read here)."""
    return await factories.context_world(beds=world_beds, screening_rules=True)
