"""The list envelope every collection endpoint returns: ``{"items": [...], "total": n}``."""

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
