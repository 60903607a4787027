"""Feedback after a stay: the world it shares."""

import pytest

from tests import factories


@pytest.fixture
async def world(client, clock) -> factories.World:
    """Two bases with 10 beds a night from START, a tour of each mode."""
    return await factories.context_world(beds=10, screening_rules=False)
