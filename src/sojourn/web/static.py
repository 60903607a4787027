"""Where the static files (CSS, scripts, images, the vendored API reference) are on disk."""

from __future__ import annotations

from pathlib import Path


def static_directory() -> Path:
    """``static/`` at the top of a checkout, or the copy bundled into the wheel."""
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent.parent / "static"
    return checkout if checkout.is_dir() else package / "static"
