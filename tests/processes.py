"""Waiting for a server process the tests started (sojourn serve, the payment sandbox)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx


def wait_for_health(process: subprocess.Popen, url: str, what: str, log: Path, timeout: float = 30) -> None:
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
