"""Waiting for a server process the tests started (sojourn serve, the payment sandbox)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

# How long a server the tests start may take to answer. Seconds on an idle machine, but starting
# one is mostly importing the app, CPU-bound: on two cores shared by several test runs it was
# measured at up to 110 s, and a session fixture's server that gives up fails every test using it.
STARTUP_TIMEOUT = 120.0


def wait_for_health(
    process: subprocess.Popen, url: str, what: str, log: Path, timeout: float = STARTUP_TIMEOUT
) -> None:
    """Until ``url`` answers 200; fails with the end of ``log`` if the process exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{what} did not answer {url} within {timeout} s")
