"""Contexts whose rows are typed structs (docs/development.md, "SQL"): none of their modules reads
a record by key (``row["status"]``) any more, so a new query there gets a struct too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "sojourn"

# Converted so far; add a context here when its rows become structs.
CONVERTED = ("health", "feedback", "stats", "alliance", "travellers", "hotline", "audit", "notifications", "accounts")

# A record read by key: ``row["x"]``, ``rows[0]["x"]``, ``first_row["x"]``, ``record["x"]``.
LOOKUP = re.compile(r"""\b\w*(?:rows?|records?)(?:\[\d+\])?\[["']""")


def _lookups(context: str) -> list[str]:
    return [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted((SRC / context).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if LOOKUP.search(line)
    ]


@pytest.mark.parametrize("context", CONVERTED)
def test_a_converted_context_reads_rows_as_structs(context):
    assert _lookups(context) == [], "read the struct's attributes instead (db/rows.py)"


def test_the_check_sees_a_lookup():
    assert LOOKUP.search('status = row["status"]')
    assert LOOKUP.search('total = rows[0]["total_count"]')
    assert LOOKUP.search("name = record['name']")
    assert not LOOKUP.search("status = row.status")
    assert not LOOKUP.search('errors["diet"] = message')
