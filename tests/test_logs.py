"""Logging: one access line per request (no query string, 404s too), saq's routine lines at DEBUG, a favicon."""

from __future__ import annotations

import logging

import httpx

from sojourn.logs import AccessLog, RoutineJobLinesAtDebug


async def test_each_request_writes_one_access_line_without_the_query_string(app, caplog):
    caplog.set_level(logging.INFO, logger="sojourn.access")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=AccessLog(app)), base_url="http://test") as http:
        assert (await http.get("/tours?mode=vacation&q=%E4%B8%89%E4%BA%9A")).status_code == 200
        assert (await http.get("/no-such-page?token=secret")).status_code == 404
    lines = [record.getMessage() for record in caplog.records if record.name == "sojourn.access"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /tours 200 ") and lines[0].endswith(" ms")
    assert lines[1].startswith("GET /no-such-page 404 ")
    assert "?" not in "".join(lines) and "secret" not in "".join(lines)


async def test_the_favicon_is_served_at_the_root_and_linked_from_every_page(client):
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = await client.get("/")
    assert '<link rel="icon" href="/favicon.ico"' in page.text
    assert (await client.get("/static/img/favicon.svg")).status_code == 200


def test_saqs_routine_job_lines_show_only_at_debug():
    saq = logging.getLogger("saq")
    quiet = RoutineJobLinesAtDebug()
    before = saq.level
    try:
        saq.setLevel(logging.INFO)
        routine = saq.makeRecord("saq", logging.INFO, __file__, 1, "Enqueuing %s", ("Job<cron>",), None)
        assert not quiet.filter(routine)
        other = saq.makeRecord("saq", logging.INFO, __file__, 1, "Worker starting: %s", ("queue",), None)
        assert quiet.filter(other) and other.levelno == logging.INFO
        saq.setLevel(logging.DEBUG)
        routine = saq.makeRecord("saq", logging.INFO, __file__, 1, "Finished %s", ("Job<cron>",), None)
        assert quiet.filter(routine) and routine.levelname == "DEBUG"
    finally:
        saq.setLevel(before)
