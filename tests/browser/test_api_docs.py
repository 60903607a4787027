"""Finding 6 in a browser: the API reference renders under its strict script policy, with no
request to another site and no policy violation."""

from urllib.parse import urlsplit


async def test_the_api_reference_renders_from_our_own_files(page, live_server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    await page.goto("/schema")
    await page.wait_for_selector("text=Sojourn API", timeout=20000)
    site = urlsplit(live_server).netloc
    outside = [url for url in requested if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != site]
    assert outside == [], outside
    from tests.browser.conftest import screenshot

    await screenshot(page, "api-docs")
    assert not [p for p in page.problems if "Content Security Policy" in p or "Refused" in p], page.problems
