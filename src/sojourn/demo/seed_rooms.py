"""The demo's room calendars: every base sells beds (its ``bed`` type, sized by the plan), and a few
bases also sell rooms, on top of their beds, so the tour pages and the booking steps show room types.

The extra rooms have no price of their own (the tour's price per traveller, as beds): the demo's
engine-booked stays may take them (a couple then gets a double for the price of two beds) without
changing what the plan charges, and the plan's beds stay as many as it counted on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import asyncpg

# code, 中文, English, beds per room, accessible, rooms a night
EXTRA_ROOMS: dict[str, list[tuple[str, str, str, int, bool, int]]] = {
    "sanya-haitang": [
        ("double", "大床房", "Double room", 2, False, 6),
        ("twin", "双床房", "Twin room", 2, False, 6),
        ("accessible", "无障碍房", "Accessible room", 2, True, 3),
    ],
    "beidaihe-seaside": [
        ("single", "单人间", "Single room", 1, False, 8),
        ("double", "大床房", "Double room", 2, False, 6),
    ],
    "xishuangbanna-rainforest": [
        ("suite", "套间", "Suite", 3, True, 2),
    ],
}

BED_TYPE_SQL = """
INSERT INTO room_type (base, code, name_zh, name_en, beds_per_room, sort_order)
VALUES ($1, 'bed', '床位', 'Bed', 1, 0)
ON CONFLICT (base, code) DO UPDATE SET code = EXCLUDED.code
RETURNING id
"""

TYPE_SQL = """
INSERT INTO room_type (base, code, name_zh, name_en, beds_per_room, accessible, sort_order)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (base, code) DO UPDATE SET code = EXCLUDED.code
RETURNING id
"""

# One statement per type: the calendar's triggers (beds, free runs) run once for it.
NIGHTS_SQL = """
INSERT INTO room_night (base, room_type, night, rooms, taken_rooms)
SELECT $1, $2, x.night, x.rooms, 0 FROM unnest($3::date[], $4::int[]) AS x(night, rooms)
ON CONFLICT (room_type, night) DO NOTHING
"""


async def seed_room_calendars(
    conn: asyncpg.Connection,
    bases: dict[str, int],
    first: dt.date,
    last: dt.date,
    beds_on: Callable[[str, dt.date], int],
) -> None:
    """Rooms a night from ``first`` to ``last``: each base's beds (``beds_on(slug, night)``) in its bed
    type, and the extra rooms above; nights already there are left alone (idempotent)."""
    nights = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    for slug, base_id in bases.items():
        bed_type = await conn.fetchval(BED_TYPE_SQL, base_id)
        await conn.execute(NIGHTS_SQL, base_id, bed_type, nights, [beds_on(slug, night) for night in nights])
        for order, (code, name_zh, name_en, beds, accessible, rooms) in enumerate(EXTRA_ROOMS.get(slug, []), start=1):
            room_type = await conn.fetchval(TYPE_SQL, base_id, code, name_zh, name_en, beds, accessible, order)
            await conn.execute(NIGHTS_SQL, base_id, room_type, nights, [rooms] * len(nights))
