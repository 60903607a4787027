"""A base's place (location, travel, climate, photos) and its pages: the world they share."""

import pytest

from tests import factories


@pytest.fixture
async def world(client, clock) -> factories.World:
    """Two bases (Sanya, Hulunbuir) with 10 beds a night from START, a tour of each mode."""
    return await factories.context_world()
