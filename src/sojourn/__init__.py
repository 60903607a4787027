"""Sojourn: an online booking network for senior health tourism (旅居康养)."""

import os

# Piccolo finds its engine through this module; set it before any table is used.
os.environ.setdefault("PICCOLO_CONF", "sojourn.db.piccolo_conf")

__version__ = "0.1.0"
