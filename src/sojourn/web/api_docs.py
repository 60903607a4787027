"""The interactive API reference at ``/schema``: Scalar from our own static files.

Litestar's Scalar page loads ``@latest`` from a CDN with an inline bootstrap script: whatever
the CDN serves would run on our origin. Here the pinned, vendored bundle
(``static/vendor/scalar``, see its SOURCE) is started by ``static/js/api-docs.js``, so the page
runs under a policy that allows scripts from this site only.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import ScalarRenderPlugin

SCRIPT = "/static/vendor/scalar/standalone.js"
STARTER = "/static/js/api-docs.js"
STYLE = "/static/css/api-docs.css"

# Scalar sets styles from script (CSS-in-JS): styles may be inline on this page; scripts may not.
API_DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class VendoredScalarRenderPlugin(ScalarRenderPlugin):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(js_url=SCRIPT, **kwargs)

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = escape(openapi_schema["info"]["title"])
        url = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{STYLE}">
</head>
<body>
<noscript>The interactive API reference needs JavaScript. The OpenAPI document is at {url}.</noscript>
<div id="api-reference" data-url="{url}"></div>
<script src="{SCRIPT}"></script>
<script src="{STARTER}"></script>
</body>
</html>""".encode()
