"""Statistics: the seeded history (built once per module, restored for each test that asks for
it) and the world of the health-mix tests."""

import copy

import pytest

from tests import factories, table_state
from tests.shared_app import asgi_client, empty_stores
from tests.stats_helpers import AFTER_THE_STAYS, History, seeded_history


@pytest.fixture
async def world(client, clock) -> factories.World:
    """Two bases with 20 beds a night from START, a tour of each mode, the default screening rules."""
    return await factories.context_world(beds=20, screening_rules=True)


@pytest.fixture(scope="module")
async def saved_history(request, session_app, session_clock):
    """The history, built once per module (about a second) and saved; see ``history``."""

    async def build() -> History:
        await empty_stores(session_app)
        async with asgi_client(session_app) as http:
            return await seeded_history(http, session_clock)

    async with table_state.saved_world(request.fixturename, build) as history:
        yield history


@pytest.fixture
async def history(saved_history: History, db, client, clock) -> History:
    """The seeded history, its tables as they were saved and the clock after the stays. A copy:
    a test may change its objects as it changes the tables."""
    clock.set(AFTER_THE_STAYS)
    return copy.deepcopy(saved_history)
