"""Logging: one format for the web process (Litestar and uvicorn) and the job runner, one
access line per request, and saq's routine lines about cron jobs at DEBUG.

saq writes "Enqueuing", "Processing" and "Finished" at INFO for every cron job, every minute;
that says nothing an operator needs (the job's own line says when it did something), so
those lines become DEBUG and show only with SOJOURN_LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import logging
import logging.config
import time
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ROUTINE_JOB_LINES = ("Enqueuing %s", "Processing %s", "Finished %s")
access = logging.getLogger("sojourn.access")


class RoutineJobLinesAtDebug(logging.Filter):
    """On the ``saq`` logger: its routine per-job lines are DEBUG, whatever level saq gave them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in ROUTINE_JOB_LINES:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def logging_dict(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for processes that are not the Litestar app (uvicorn, the worker)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"sojourn": {"format": FORMAT}},
        "filters": {"routine_jobs": {"()": RoutineJobLinesAtDebug}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "sojourn"}},
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "saq": {"level": level, "filters": ["routine_jobs"]},
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def configure(level: str) -> None:
    logging.config.dictConfig(logging_dict(level))


def litestar_logging(level: str) -> Any:
    """Litestar's own logging set-up, in the same format and with the same filter."""
    from litestar.logging.config import LoggingConfig

    return LoggingConfig(
        root={"level": level, "handlers": ["queue_listener"]},
        formatters={"standard": {"format": FORMAT}},
        filters={"routine_jobs": {"()": RoutineJobLinesAtDebug}},
        loggers={"saq": {"level": level, "filters": ["routine_jobs"], "propagate": True}},
        log_exceptions="debug",
    )


class AccessLog:
    """ASGI wrapper around the served app: one line per HTTP request — method, path (never the
    query string, which may carry search terms or tokens), status and duration.

    It wraps the whole app rather than being a Litestar middleware, because middleware runs
    only for requests that match a route: a 404 (say, for a missing page) would go unlogged.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:  # state, routes ... of the app inside
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app fails before it answers, the server answers 500

        async def send_and_note(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            access.info("%s %s %s %.1f ms", scope["method"], scope["path"], status, elapsed_ms)
