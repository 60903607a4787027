"""Picking the reader's language out of paired ``*_zh`` / ``*_en`` columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sojourn.i18n import current_locale


def pick(row: Mapping[str, Any] | Any, field: str) -> str:
    """``field_zh`` for Chinese readers, ``field_en`` (or Chinese if empty) otherwise; ``row`` is a
    mapping or an asyncpg record (both have ``get``), or an object with those attributes (a row struct)."""
    get = getattr(row, "get", None)
    if get is not None:
        chinese, english = get(f"{field}_zh"), get(f"{field}_en")
    else:
        chinese, english = getattr(row, f"{field}_zh", None), getattr(row, f"{field}_en", None)
    chinese = chinese or ""
    if current_locale() == "zh_CN":
        return chinese or english or ""
    return english or chinese
