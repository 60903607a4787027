"""The changes to the rollups across bases (flows, bookings by origin) are folded in while
bookings keep changing: nothing is lost or counted twice, and two folds at once do not both fold."""

from __future__ import annotations

import asyncio

from sojourn import db
from sojourn.stats.rollups import FLOW_ROWS, ORIGIN_BOOKING_ROWS, OUTCOME_COLUMNS

FLOW_KEYS = "month, mode, origin_code, origin_member, destination_code, destination_member"
FLOWS = f"""
SELECT {FLOW_KEYS}, sum(travellers)::int AS travellers, sum(bed_nights)::int AS bed_nights
FROM {FLOW_ROWS} r GROUP BY {FLOW_KEYS} HAVING sum(travellers) <> 0 OR sum(bed_nights) <> 0
"""
ORIGIN_KEYS = "month, mode, origin_code, destination_member"
BOOKINGS = f"""
SELECT {ORIGIN_KEYS}, {", ".join(f"sum({c})::int" for c in OUTCOME_COLUMNS.split(", "))}
FROM {ORIGIN_BOOKING_ROWS} r GROUP BY {ORIGIN_KEYS}
HAVING {" OR ".join(f"sum({c}) <> 0" for c in OUTCOME_COLUMNS.split(", "))}
"""
PENDING = "SELECT (SELECT count(*) FROM stats_flow_change) + (SELECT count(*) FROM stats_origin_booking_change)"


async def flows() -> tuple[set[tuple], set[tuple]]:
    """Flows and bookings by origin, whether folded or not."""
    async with db.connection() as conn:
        return (
            {tuple(row.values()) for row in await conn.fetch(FLOWS)},
            {tuple(row.values()) for row in await conn.fetch(BOOKINGS)},
        )


async def test_folding_while_bookings_change_loses_and_doubles_nothing(history):
    sold = ("long", "no_show", "vacation", "bj_to_nm", "nm_to_bj", "nm_own")
    stop = asyncio.Event()
    folded: list[int] = []

    async def flip(name: str) -> int:
        """Cancel and restore one booking over and over, each change its own transaction."""
        booking_id, changes = history.bookings[name], 0
        async with db.connection() as conn:
            status = await conn.fetchval("SELECT status FROM booking WHERE id = $1", booking_id)
            for _ in range(25):
                for new_status in ("cancelled", status):
                    async with conn.transaction():
                        await conn.execute("UPDATE booking SET status = $2 WHERE id = $1", booking_id, new_status)
                    changes += 1
        return changes

    async def fold() -> None:
        async with db.connection() as conn:
            while not stop.is_set():
                async with conn.transaction():
                    folded.append(await conn.fetchval("SELECT stats_fold_flows()"))
                await asyncio.sleep(0)

    before = await flows()
    folding = asyncio.create_task(fold())
    changes = await asyncio.gather(*(flip(name) for name in sold))
    stop.set()
    await folding
    assert sum(changes) == 300 and sum(folded) > 0  # the folds did run among the changes
    assert await flows() == before  # every booking is back as it was
    async with db.connection() as conn:
        await conn.execute("SELECT stats_fold_flows()")
        assert await conn.fetchval(PENDING) == 0
        await conn.execute("SELECT stats_rebuild()")
    assert await flows() == before  # and a count from the raw rows agrees


async def test_a_second_fold_at_the_same_time_leaves_the_changes_to_the_first(history):
    async with db.connection() as first, db.connection() as second:
        pending = await first.fetchval(PENDING)
        assert pending > 0
        async with first.transaction():
            assert await first.fetchval("SELECT stats_fold_flows()") > 0
            async with second.transaction():
                assert await second.fetchval("SELECT stats_fold_flows()") == 0
        assert await second.fetchval(PENDING) == 0
