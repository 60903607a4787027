"""Pages: a base's own page (photos, where it is and how to get there, climate, its stays), and
the processed photos themselves, served from PostgreSQL with year-long immutable caching."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from sojourn.alliance.regions import province_name
from sojourn.bases import photo_store, travel
from sojourn.bases import services as bases
from sojourn.bases.pages import place_context
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.errors import NotFound
from sojourn.feedback.scores import base_scores
from sojourn.i18n import current_locale
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours import services as tours

PHOTO_NAME = re.compile(r"^([0-9a-f]{32})\.(webp|jpg)$")
FORMATS = {"webp": "webp", "jpg": "jpeg"}
IMMUTABLE = "public, max-age=31536000, immutable"
# Opened on its own (the "see it larger" link), a browser shows an image in a page of its own
# whose centring is an inline style: allowed here, where nothing can run.
PHOTO_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"


@get("/bases/{base_id:int}", include_in_schema=False)
async def base_page(base_id: FromPath[int], clock: NamedDependency[Clock]) -> Template:
    base = await bases.get_base(base_id)
    place = await travel.place_of(base_id)
    offered, _total = await tours.find_tours(tours.TourFilter(base_id=base_id), clock.now(), limit=50)
    scores = (await base_scores([base_id])).get(base_id)
    return Template(
        "bases/base.html",
        context={
            "base": base,
            "tours": offered,
            "scores": scores,
            "province": province_name(base.province_code, current_locale()),
            **place_context(place),
        },
    )


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [part.strip() for part in if_none_match.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)


@get("/photos/{name:str}", include_in_schema=False)
async def serve_photo(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """One processed size of a photo. The URL names the hash of its bytes, so it never changes:
    cached for a year, and an If-None-Match with that hash is answered 304 at once."""
    found = PHOTO_NAME.match(name)
    if found is None:
        raise NotFound(_l("There is no such photo."))
    digest, extension = found.groups()
    etag = f'"{digest}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "Content-Security-Policy": PHOTO_CSP}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers)
    content = await photo_store.rendition(digest, FORMATS[extension])
    if content is None:
        raise NotFound(_l("There is no such photo."))
    return Response(content, media_type=photo_store.MEDIA_TYPES[FORMATS[extension]], headers=headers)


ROUTES = [base_page, serve_photo]
