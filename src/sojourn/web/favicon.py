"""``/favicon.ico``: browsers ask for it at the site's root whatever the page says."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.response import File


@get("/favicon.ico", include_in_schema=False, cache_control=CacheControlHeader(max_age=86400, public=True))
async def favicon() -> File:
    from sojourn.app import static_directory  # the app module wires routes: import it late

    return File(
        static_directory() / "img" / "favicon.ico", media_type="image/x-icon", content_disposition_type="inline"
    )


ROUTES = [favicon]
