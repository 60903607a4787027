"""``/favicon.ico``: browsers ask for it at the site's root whatever the page says."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.response import File

from sojourn.web.static import static_directory


@get("/favicon.ico", include_in_schema=False, cache_control=CacheControlHeader(max_age=86400, public=True))
async def favicon() -> File:
    return File(
        static_directory() / "img" / "favicon.ico", media_type="image/x-icon", content_disposition_type="inline"
    )


ROUTES = [favicon]
