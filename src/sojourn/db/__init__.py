"""The database: one Piccolo engine made from the settings, its connection pool, the embedded
server for running without a configured PostgreSQL, and migrations.

- ``engine``: the engine (``configure(settings)`` says which database; ``create_app`` does);
- ``pool``: the pool's life and ``connection()`` for raw SQL on it (the hot paths);
- ``embedded``: a private PostgreSQL in the data directory when no URL is configured;
- ``migrations``: applying Piccolo's migrations from code;
- ``piccolo_conf``: what Piccolo's own tools read (``DB``, the app registry).

Services write ``from sojourn import db`` and ``async with db.connection() as conn``.
"""

from sojourn.db.engine import configure, engine
from sojourn.db.pool import close_pool, connection, keep_session_state, start_pool

__all__ = ["close_pool", "configure", "connection", "engine", "keep_session_state", "start_pool"]
