"""What Piccolo's tables and tools read: the engine (made from the settings, lazily) and the apps.

``PICCOLO_CONF`` points here (``sojourn/__init__.py``); the repository's own ``piccolo_conf.py``
re-exports it so that ``piccolo migrations ...`` works from a checkout.
"""

from piccolo.conf.apps import AppRegistry

from sojourn.db.engine import ENGINE

DB = ENGINE

APP_REGISTRY = AppRegistry(apps=["sojourn.piccolo_app"])
