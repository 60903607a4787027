"""Finding 7 in a real browser: a crafted ``next`` renders a link that stays on this site."""

from urllib.parse import urlsplit

from tests import factories

ME = "13800138000"


async def test_a_backslash_next_link_stays_on_this_site(page, db, live_server):
    await factories.account(ME, name="王秀兰")
    await page.goto("/login")
    await page.fill("#login", ME)
    await page.fill("#password", factories.PASSWORD)
    async with page.expect_navigation():
        await page.press("#password", "Enter")
    # The travellers page turns ``next`` into a "Back to my booking" link.
    await page.goto("/account/travellers?next=/%5Cevil.example/")
    links = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    site = urlsplit(live_server).netloc
    assert all(urlsplit(link).netloc == site for link in links if link.startswith("http")), links
    # A signed-in visitor sent to the sign-in page is redirected to ``next``: on this site too.
    await page.goto("/login?next=/%5Cevil.example/")
    assert urlsplit(page.url).netloc == site, page.url
