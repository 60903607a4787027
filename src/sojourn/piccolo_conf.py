"""Piccolo's configuration: the engine for the configured (or embedded) database."""

from piccolo.conf.apps import AppRegistry

from sojourn.config import load_settings
from sojourn.database import build_engine, resolve_database_url

DB = build_engine(resolve_database_url(load_settings()))

APP_REGISTRY = AppRegistry(apps=["sojourn.piccolo_app"])
