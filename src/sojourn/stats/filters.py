"""The filters every statistic takes: a period of whole months, a trip mode, a member, a base.

Periods are whole months because the rollups are monthly: ``from=2026-10&to=2027-04`` covers
October to April inclusive; a full date (``2026-10-15``) stands for its month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sojourn.alliance.tables import TripMode
from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l

MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])(-[0-3][0-9])?$"
_MONTH = re.compile(MONTH_PATTERN)


def parse_month(value: str | None, field: str) -> dt.date | None:
    """'2026-10' or '2026-10-15' -> 2026-10-01; None when empty."""
    if not value:
        return None
    if not _MONTH.match(value):
        message = _l("Write the month as year-month, for example 2026-10.")
        raise InvalidInput(message, field_errors={field: message})
    year, month = int(value[:4]), int(value[5:7])
    if len(value) > 7:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            message = _l("This date does not exist. Write the month as year-month, for example 2026-10.")
            raise InvalidInput(message, field_errors={field: message}) from None
    return dt.date(year, month, 1)


def month_label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


@dataclass(frozen=True)
class StatsFilter:
    start: dt.date | None = None  # first month included
    end: dt.date | None = None  # last month included
    mode: str | None = None
    member_id: int | None = None
    base_id: int | None = None

    @classmethod
    def parse(
        cls,
        start: str | None = None,
        end: str | None = None,
        mode: TripMode | str | None = None,
        member_id: int | None = None,
        base_id: int | None = None,
    ) -> StatsFilter:
        first, last = parse_month(start, "from"), parse_month(end, "to")
        if first and last and first > last:
            message = _l("The first month must not be after the last month.")
            raise InvalidInput(message, field_errors={"to": message})
        mode_value = mode.value if isinstance(mode, TripMode) else mode
        return cls(first, last, mode_value or None, member_id, base_id)

    def key(self) -> str:
        return ":".join(str(part or "") for part in (self.start, self.end, self.mode, self.member_id, self.base_id))

    def query_string(self) -> str:
        """The same filters as URL query parameters (for links to the CSV download)."""
        parts = []
        for name, value in (
            ("from", self.start and month_label(self.start)),
            ("to", self.end and month_label(self.end)),
            ("mode", self.mode),
            ("member_id", self.member_id),
            ("base_id", self.base_id),
        ):
            if value:
                parts.append(f"{name}={value}")
        return "&".join(parts)

    def period_sql(self, alias: str, args: list[Any]) -> str:
        """Conditions on ``{alias}.month`` and ``{alias}.mode`` (rollup rows)."""
        clauses = ["TRUE"]
        if self.start:
            args.append(self.start)
            clauses.append(f"{alias}.month >= ${len(args)}")
        if self.end:
            args.append(self.end)
            clauses.append(f"{alias}.month <= ${len(args)}")
        if self.mode:
            args.append(self.mode)
            clauses.append(f"{alias}.mode = ${len(args)}")
        return " AND ".join(clauses)

    def base_sql(self, base_alias: str, args: list[Any]) -> str:
        """Conditions on the destination ``base`` row: the base, and the member that owns it."""
        clauses = ["TRUE"]
        if self.base_id:
            args.append(self.base_id)
            clauses.append(f"{base_alias}.id = ${len(args)}")
        if self.member_id:
            args.append(self.member_id)
            clauses.append(f"{base_alias}.member = ${len(args)}")
        return " AND ".join(clauses)

    def flow_sql(self, base_id: str | None, destination_member: str, origin_code: str, args: list[Any]) -> str:
        """Conditions on flows (SQL for the destination base's id and member, and the origin
        province): the base, and a member keeps flows into its bases or out of its province.
        ``base_id`` None: rows not kept per base (then the base filter must be empty)."""
        clauses = [self.base_id_sql(base_id, args)]
        if self.member_id:
            args.append(self.member_id)
            n = len(args)
            clauses.append(
                f"({destination_member} = ${n} OR {origin_code} = (SELECT fm.code FROM member fm WHERE fm.id = ${n}))"
            )
        return " AND ".join(clauses)

    def base_id_sql(self, base_id: str | None, args: list[Any]) -> str:
        """The condition on a base id (SQL) that the base filter sets, if any."""
        if not self.base_id:
            return "TRUE"
        if base_id is None:
            raise ValueError("a base filter needs rollup rows kept per base")
        args.append(self.base_id)
        return f"{base_id} = ${len(args)}"
