"""The import contracts in pyproject.toml keep up with the code: every module that serves routes
is a protected controller, and every protected controller serves routes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sojourn import routes

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_every_route_module_is_a_protected_controller():
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    protected = next(contract for contract in contracts if contract["type"] == "protected")
    assert set(protected["protected_modules"]) == {module.__name__ for module in routes.ROUTE_MODULES}
