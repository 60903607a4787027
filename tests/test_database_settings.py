"""The app's database comes from its settings, and nothing starts a server on import."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest

from sojourn import db
from sojourn.app import create_app


def test_the_app_uses_the_database_its_settings_name(migrated_database, settings):
    create_app(settings)
    assert db.engine().config["dsn"] == settings.database_url


def test_the_database_cannot_change_under_an_open_pool(migrated_database, settings):
    elsewhere = replace(settings, database_url="postgresql://postgres@127.0.0.1:5432/elsewhere")
    with pytest.raises(RuntimeError, match="connection pool is open"):
        create_app(elsewhere)
    assert db.engine().config["dsn"] == settings.database_url


def test_importing_piccolo_conf_starts_no_database(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SOJOURN_")}
    environment["SOJOURN_DATA_DIR"] = str(tmp_path)
    code = "import sojourn.db.piccolo_conf as conf, sojourn.app\nassert conf.DB._resolved is None, conf.DB._resolved\n"
    subprocess.run([sys.executable, "-c", code], env=environment, check=True, timeout=60)
    assert not (tmp_path / "pgdata").exists()
