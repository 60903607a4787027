"""Password hashing: argon2id, off the event loop.

The cost comes from the settings (``SOJOURN_PASSWORD_MEMORY_KIB``, ``SOJOURN_PASSWORD_TIME_COST``;
by default OWASP's minimum, m = 19 MiB, t = 2, p = 1: about 24 ms per verify here). Each process
sets it once at start (``create_app`` and the command line call ``use_settings``). Work runs in a
worker thread so one login never stalls other requests.
"""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sojourn.config import Settings

MIN_LENGTH = 8
MAX_LENGTH = 128


def _hasher_for(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib, parallelism=1
    )


_DUMMY_PASSWORD = "sojourn timing equaliser"
_hasher = _hasher_for(Settings())
# Verified when the login does not exist, so both paths take the same time.
_dummy_hash = _hasher.hash(_DUMMY_PASSWORD)


def use_settings(settings: Settings) -> None:
    """Hash and verify at the cost the settings give from now on, in this process."""
    global _hasher, _dummy_hash
    if (_hasher.memory_cost, _hasher.time_cost) != (settings.password_memory_kib, settings.password_time_cost):
        _hasher = _hasher_for(settings)
        _dummy_hash = _hasher.hash(_DUMMY_PASSWORD)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(_verify, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
