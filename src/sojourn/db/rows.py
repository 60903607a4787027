"""Rows as typed structs, made once at the query boundary.

A query's record becomes a ``msgspec.Struct`` that names the columns the code uses; services and
templates then read attributes (``tour.time_zone``), checked by mypy, instead of ``row["..."]``.
A struct takes the columns it declares and ignores the others (``SELECT t.*`` is fine); a column
it declares without a default must be in the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)

_MISSING = object()
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(cls.__struct_fields__)
    return names


def row(cls: type[S], record: Mapping[str, Any] | Any) -> S:
    """``record`` (an asyncpg Record or a dict) as a ``cls``."""
    values = {}
    for name in _fields(cls):
        value = record.get(name, _MISSING)
        if value is not _MISSING:
            values[name] = value
    return cls(**values)


def row_or_none(cls: type[S], record: Mapping[str, Any] | Any | None) -> S | None:
    return None if record is None else row(cls, record)


def rows(cls: type[S], records: Iterable[Mapping[str, Any] | Any]) -> list[S]:
    return [row(cls, record) for record in records]
