"""Password hashing at production's cost: the rest of the suite hashes at argon2's lowest cost
(tests/conftest.py), so the defaults, the setting and the re-hash on sign-in are checked here."""

from __future__ import annotations

import pytest

from sojourn import db
from sojourn.accounts import passwords
from sojourn.config import ConfigError, Settings, load_settings
from tests import factories

PRODUCTION_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def production_cost(settings):
    """Hash at the defaults' cost for this test, then back to the suite's cheap one."""
    passwords.use_settings(Settings())
    yield
    passwords.use_settings(settings)


def test_the_default_cost_is_owasps_minimum_and_the_suite_runs_cheaper(settings):
    assert (Settings().password_memory_kib, Settings().password_time_cost) == (19 * 1024, 2)
    assert (settings.password_memory_kib, settings.password_time_cost) == (8, 1)


async def test_passwords_are_hashed_at_the_default_cost(production_cost):
    stored = await passwords.hash_password("sunny-beach-2026")
    assert stored.startswith(PRODUCTION_PREFIX), stored
    assert await passwords.verify_password(stored, "sunny-beach-2026")
    assert not await passwords.verify_password(stored, "sunny-beach-2027")
    assert not await passwords.verify_password(None, "sunny-beach-2026")
    assert not passwords.needs_rehash(stored)


async def test_a_hash_of_another_cost_is_made_again_at_sign_in(client, settings):
    account_id = await factories.account("13800138000")
    async with db.connection() as conn:
        cheap = await conn.fetchval("SELECT password_hash FROM account WHERE id = $1", account_id)
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$"), cheap
    passwords.use_settings(Settings())
    try:
        await factories.bearer(client, "13800138000")
        async with db.connection() as conn:
            remade = await conn.fetchval("SELECT password_hash FROM account WHERE id = $1", account_id)
    finally:
        passwords.use_settings(settings)
    assert remade.startswith(PRODUCTION_PREFIX), remade


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SOJOURN_PASSWORD_MEMORY_KIB", "7", "at least 8"),
        ("SOJOURN_PASSWORD_MEMORY_KIB", "lots", "whole number"),
        ("SOJOURN_PASSWORD_TIME_COST", "0", "greater than zero"),
    ],
)
def test_a_cost_argon2_cannot_use_stops_start_up(variable, value, message, tmp_path):
    with pytest.raises(ConfigError, match=message) as refused:
        load_settings({variable: value, "SOJOURN_DATA_DIR": str(tmp_path)})
    assert variable in str(refused.value)


def test_the_cost_is_read_from_the_environment(tmp_path):
    read = load_settings(
        {"SOJOURN_PASSWORD_MEMORY_KIB": "65536", "SOJOURN_PASSWORD_TIME_COST": "3", "SOJOURN_DATA_DIR": str(tmp_path)}
    )
    assert (read.password_memory_kib, read.password_time_cost) == (65536, 3)
