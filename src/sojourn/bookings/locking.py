"""The lock discipline of the booking engine (see docs/booking-engine.md).

Every change to a base's capacity (holds, cancellations, expiry, waiting-list
offers, capacity edits) first takes one transaction-scoped advisory lock for that
base, with a bounded wait. One lock per transaction means no lock-ordering
deadlocks; everything else is then counted live under the lock. A wait that runs
out becomes ``Busy`` (503 with Retry-After): the request changed nothing and can
be retried.

The lock lives as long as the transaction, so ``lock_base`` refuses to run outside one (as
pretix's ``lock_objects`` does): in autocommit mode PostgreSQL would release it as soon as the
statement ended, and the counting after it would be unprotected.
"""

from __future__ import annotations

import asyncpg

from sojourn.errors import Busy
from sojourn.i18n import lazy_gettext as _l

BASE_LOCK_NAMESPACE = 0x534A  # "SJ": keeps our advisory locks apart from anyone else's

LOCK_SQL = "SELECT set_config('lock_timeout', $1, true), pg_advisory_xact_lock($2, $3)"


class LockOutsideTransaction(RuntimeError):
    """A programming error: the base's lock was asked for with no transaction open."""


async def lock_base(conn: asyncpg.Connection, base_id: int, timeout_ms: int) -> None:
    """Serialise capacity changes of one base until this transaction ends.

    Take it first in the transaction, before any row lock, and for one base only.
    """
    if not conn.is_in_transaction():
        raise LockOutsideTransaction(f"lock_base({base_id}) needs an open transaction: the lock ends with it")
    try:
        await conn.execute(LOCK_SQL, f"{int(timeout_ms)}ms", BASE_LOCK_NAMESPACE, base_id)
    except asyncpg.LockNotAvailableError:
        raise Busy(
            _l("Many people are booking this place right now. Nothing was changed; please try again."),
            retry_after=2,
        ) from None
