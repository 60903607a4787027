"""The base's lock lasts as long as its transaction, so taking it outside one is refused."""

from __future__ import annotations

import pytest

from sojourn import db
from sojourn.bookings.locking import BASE_LOCK_NAMESPACE, LOCK_SQL, LockOutsideTransaction, lock_base

TRY_SQL = "SELECT pg_try_advisory_xact_lock($1, $2)"


async def test_outside_a_transaction_the_lock_would_protect_nothing(migrated_database):
    async with db.connection() as conn, db.connection() as other:
        await conn.execute(LOCK_SQL, "1000ms", BASE_LOCK_NAMESPACE, 7)  # what lock_base runs, in autocommit
        async with other.transaction():
            assert await other.fetchval(TRY_SQL, BASE_LOCK_NAMESPACE, 7)  # already free again


async def test_lock_base_refuses_to_run_outside_a_transaction(migrated_database):
    async with db.connection() as conn:
        with pytest.raises(LockOutsideTransaction):
            await lock_base(conn, 7, 1000)


async def test_inside_a_transaction_the_lock_holds_until_it_ends(migrated_database):
    async with db.connection() as conn, db.connection() as other:
        async with conn.transaction():
            await lock_base(conn, 7, 1000)
            async with other.transaction():
                assert not await other.fetchval(TRY_SQL, BASE_LOCK_NAMESPACE, 7)
        async with other.transaction():
            assert await other.fetchval(TRY_SQL, BASE_LOCK_NAMESPACE, 7)
