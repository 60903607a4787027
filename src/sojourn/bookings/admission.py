"""The line in front of a base's lock: requests for one base go to it in the order they arrived.

PostgreSQL's lock queue is first come, first served, but only among the connections already
waiting on it, and every waiter holds a pooled connection while it waits; with a release-hour
crowd the pool runs dry (a request that only wants to sign in or read waits behind the crowd)
and a wait longer than ``SOJOURN_LOCK_TIMEOUT_MS`` ends in 503 for a senior whose only fault
was to be behind others. So a request that will take a base's lock (a hold, joining the waiting
list) first waits here, in this process, without a connection: one ``asyncio.Lock`` per base
(CPython's lock wakes its waiters in the order they came). At most one request per base and
per process is then at PostgreSQL's lock, so its queue there is at most one per serving process:
short, and still first come, first served. Order of arrival in the line is the order of the
engine's decisions, which is what the waiting list's order promises.

The wait here is bounded too, by ``SOJOURN_BOOKING_QUEUE_MS`` (30 s): past it the answer is
``Crowded`` (429 with Retry-After), which tells the senior how many people were ahead of her.
The line also keeps one pooled connection while anyone is in it and hands it from one person to
the next: the person whose turn it is never waits behind the crowd's other requests (signing in,
reading) for a connection, and while she holds the base's lock nobody else at this base holds one
of the pool's connections. This module only passes the connection on; it sends no SQL, and the
lock rule (docs/development.md) is unchanged: the lock is still taken, first, in each transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import asyncpg

from sojourn import db
from sojourn.errors import Crowded, DomainError
from sojourn.i18n import lazy_gettext as _l


@dataclass
class _Line:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    people: int = 0  # waiting or being served
    # The line's own pooled connection, handed from one person to the next while the line lasts.
    conn: asyncpg.Connection | None = None
    lease: AsyncExitStack | None = None
    # Set (and replaced) each time a turn ends in "sold out": people waiting for a hold look again.
    sold_out: asyncio.Event = field(default_factory=asyncio.Event)
    last_turn_full: bool = False  # the last turn ended in "sold out"


# Answers that mean "no room": after one of them, those waiting to hold may not need their turn.
FULL = frozenset({"sold_out", "seats_short", "quota_short"})
LeaveIf = Callable[[], Awaitable[DomainError | None]]


# Per process; a base's line is dropped when nobody is in it.
_LINES: dict[int, _Line] = {}


def selling_out(base_id: int) -> bool:
    """People are in this base's line and the last turn ended in "sold out": a newcomer who
    wants a hold had better look first (a busy base that still has beds is not worth the look)."""
    line = _LINES.get(base_id)
    return line is not None and line.last_turn_full


def people_in_line(base_id: int) -> int:
    line = _LINES.get(base_id)
    return line.people if line else 0


@asynccontextmanager
async def turn(
    base_id: int, *, wait_ms: int, leave_if: LeaveIf | None = None, skip: bool = False
) -> AsyncIterator[asyncpg.Connection]:
    """Wait for this base's turn, in order of arrival, and get the line's connection; raise
    ``Crowded`` after ``wait_ms``. Leave the connection as you found it (no open transaction).

    ``leave_if``: each time a turn at this base ends in "sold out", this look (outside the line,
    on a connection of its own) may return an answer; it is raised and its asker leaves the line.
    Otherwise she keeps her place.

    ``skip`` goes straight on with a connection of its own (only for a test that shows the race
    the base's lock prevents).
    """
    if skip:
        async with db.connection() as conn:
            yield conn
        return
    line = _LINES.setdefault(base_id, _Line())
    ahead = line.people
    line.people += 1
    try:
        try:
            async with asyncio.timeout(wait_ms / 1000):
                await (_wait(line, leave_if) if leave_if else line.lock.acquire())
        except TimeoutError:
            raise Crowded(
                _l(
                    "Many people are booking this place right now: %(n)s were ahead of you. "
                    "Nothing was changed; please try again in a moment.",
                    n=ahead,
                ),
                retry_after=max(2, min(30, ahead // 100)),
                people_ahead=ahead,
            ) from None
        try:
            yield await _connection(line)
            line.last_turn_full = False
        except DomainError as answer:
            line.last_turn_full = answer.code in FULL
            if line.last_turn_full:
                line.sold_out.set()
                line.sold_out = asyncio.Event()
            raise
        finally:
            if line.people == 1:  # nobody behind: the connection goes back to the pool
                await _give_back(line)
            line.lock.release()
    finally:
        line.people -= 1
        if not line.people:
            if _LINES.get(base_id) is line:
                del _LINES[base_id]
            if not line.lock.locked():
                await _give_back(line)  # the last one behind gave up waiting


async def _wait(line: _Line, leave_if: LeaveIf) -> None:
    """Wait for the lock, keeping the place in line, and look again after each "sold out"."""
    acquiring = asyncio.ensure_future(line.lock.acquire())
    try:
        while True:
            news = asyncio.ensure_future(line.sold_out.wait())
            await asyncio.wait({acquiring, news}, return_when=asyncio.FIRST_COMPLETED)
            news.cancel()
            if acquiring.done():
                return
            answer = await leave_if()
            if answer is not None:
                raise answer
    except BaseException:
        if acquiring.done() and not acquiring.cancelled() and acquiring.exception() is None:
            line.lock.release()  # the turn came while looking: pass it on
        else:
            acquiring.cancel()
        raise


async def _connection(line: _Line) -> asyncpg.Connection:
    """The line's connection; a fresh one when the last turn left it closed or inside a transaction."""
    if line.conn is not None and (line.conn.is_closed() or line.conn.is_in_transaction()):
        await _give_back(line)
    if line.conn is None:
        lease = AsyncExitStack()
        line.conn = await lease.enter_async_context(db.connection())
        line.lease = lease
    return line.conn


async def _give_back(line: _Line) -> None:
    lease, line.conn, line.lease = line.lease, None, None
    if lease is not None:
        await lease.aclose()
