"""Which rooms a party takes: the rooms it chose, checked, or the cheapest arrangement that fits.

Pure rules (no I/O): the caller reads the base's room types with what is left of each for the
stay (``bookings.rooms``) under the base's lock and passes them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours.pricing import Priced, rooms_price_fen


@dataclass(frozen=True)
class RoomChoice:
    """A room type of the base, with the rooms left on every night of the stay asked for."""

    id: int
    code: str
    name_zh: str
    name_en: str
    beds_per_room: int
    accessible: bool
    price_fen: int | None
    price_per: str
    price_period: str
    sort_order: int
    rooms_left: int


@dataclass(frozen=True)
class RoomLine:
    room: RoomChoice
    count: int


def travellers_per_line(lines: Sequence[RoomLine], party_size: int) -> list[int]:
    """How many of the party sleep in each line's rooms: filled in the order of the lines."""
    left = party_size
    out = []
    for line in lines:
        here = min(left, line.count * line.room.beds_per_room)
        out.append(here)
        left -= here
    return out


def price_fen(tour: Priced, lines: Sequence[RoomLine], party_size: int, nights: int) -> int:
    return sum(
        rooms_price_fen(tour, line.room, rooms=line.count, travellers=people, nights=nights)
        for line, people in zip(lines, travellers_per_line(lines, party_size), strict=True)
    )


def _invalid(message: object) -> InvalidInput:
    return InvalidInput(message, field_errors={"rooms": message})


def chosen(types: Sequence[RoomChoice], wanted: Sequence[tuple[int, int]], party_size: int) -> list[RoomLine]:
    """The rooms the party asked for, checked: this base's types, each once, a bed for everyone and
    no room left empty. Whether they are free is counted later (``taking.check_room``)."""
    by_id = {room.id: room for room in types}
    if len({type_id for type_id, _ in wanted}) != len(wanted):
        raise _invalid(_l("Choose each room type once, with the number of rooms you need."))
    unknown = [type_id for type_id, _ in wanted if type_id not in by_id]
    if unknown:
        raise _invalid(_l("This place has no such room type. Please choose one of its rooms."))
    lines = [RoomLine(by_id[type_id], count) for type_id, count in wanted]
    lines.sort(key=lambda line: (line.room.sort_order, line.room.id))
    beds = sum(line.count * line.room.beds_per_room for line in lines)
    rooms = sum(line.count for line in lines)
    if beds < party_size:
        raise _invalid(
            _l("These rooms have %(beds)s beds for %(n)s travellers. Please add a room.", beds=beds, n=party_size)
        )
    if rooms > party_size:
        raise _invalid(_l("More rooms than travellers: every room needs at least one guest."))
    return lines


def cheapest(tour: Priced, types: Sequence[RoomChoice], party_size: int, nights: int) -> list[RoomLine] | None:
    """The cheapest rooms, among those left, that give everyone a bed with no room empty
    (then the fewest rooms, then the fewest spare beds, then the operator's order); None if none fits.

    At most 10 travellers: every combination of at most ``party_size`` rooms is tried (a few
    thousand with six types), which is exact where a greedy choice is not (per-room and
    per-person prices mixed).
    """
    ordered = sorted(types, key=lambda room: (room.sort_order, room.id))
    best: tuple[tuple[int, int, int, list[int]], list[RoomLine]] | None = None

    def visit(i: int, lines: list[RoomLine], rooms: int, beds: int) -> None:
        nonlocal best
        if beds >= party_size:
            key = (price_fen(tour, lines, party_size, nights), rooms, beds - party_size, [ln.room.id for ln in lines])
            if best is None or key < best[0]:
                best = (key, list(lines))
            return
        if i == len(ordered) or rooms == party_size:
            return
        room = ordered[i]
        for count in range(min(room.rooms_left, party_size - rooms), 0, -1):
            lines.append(RoomLine(room, count))
            visit(i + 1, lines, rooms + count, beds + count * room.beds_per_room)
            lines.pop()
        visit(i + 1, lines, rooms, beds)

    visit(0, [], 0, 0)
    return None if best is None else best[1]


def for_party(
    tour: Priced,
    types: Sequence[RoomChoice],
    wanted: Sequence[tuple[int, int]] | None,
    party_size: int,
    nights: int,
) -> list[RoomLine] | None:
    """The rooms to take: those chosen; without a choice, a base with one room type gives each
    traveller a bed in as few rooms of it as they fill (its ``bed`` type: one each, as before room
    types), and a base with several proposes the cheapest arrangement left (None: nothing fits)."""
    if wanted:
        return chosen(types, wanted, party_size)
    if len(types) == 1:
        room = types[0]
        return [RoomLine(room, -(-party_size // room.beds_per_room))]
    return cheapest(tour, types, party_size, nights)
