"""Access logs never carry query strings: a query may hold a phone or identity number.

uvicorn's access log (on at DEBUG) prints the full request target. This filter, installed on
its logger by ``create_app``, rewrites each record's target to the path alone. Sojourn's own
request log lines, if any, log the path without the query string too.
"""

from __future__ import annotations

import logging

UVICORN_ACCESS_LOGGER = "uvicorn.access"


def path_only(target: str) -> str:
    return target.split("?", 1)[0]


class StripQueryStrings(logging.Filter):
    """uvicorn's access records are ``(client, method, target, http_version, status)``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], path_only(args[2]), *args[3:])
        return True


def install() -> None:
    logger = logging.getLogger(UVICORN_ACCESS_LOGGER)
    if not any(isinstance(existing, StripQueryStrings) for existing in logger.filters):
        logger.addFilter(StripQueryStrings())
