"""Picking the reader's language out of paired ``*_zh`` / ``*_en`` columns."""

from __future__ import annotations

from typing import Any, Mapping

from sojourn.i18n import current_locale


def pick(row: Mapping[str, Any], field: str) -> str:
    """``row[field_zh]`` for Chinese readers, ``row[field_en]`` (or Chinese if empty) otherwise."""
    chinese = row.get(f"{field}_zh") or ""
    if current_locale() == "zh_CN":
        return chinese or row.get(f"{field}_en") or ""
    return row.get(f"{field}_en") or chinese
