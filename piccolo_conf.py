"""Lets the `piccolo` command run from the repository root (e.g. `piccolo migrations check`)."""

from sojourn.db.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
