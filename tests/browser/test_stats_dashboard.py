"""The coordinators' dashboard in a real browser: charts drawn, tables there, no accessibility
errors, no CSP violations (the page fixture fails on any), usable on a narrow screen."""

from __future__ import annotations

from tests import factories
from tests.browser.conftest import accessibility_violations, screenshot
from tests.stats_helpers import seeded_history


async def sign_in_as_coordinator(page) -> None:
    await factories.account("coordinator@sojourn.example", role="coordinator", name="联盟协调员")
    await page.goto("/login")
    await page.fill("#login", "coordinator@sojourn.example")
    await page.fill("#password", factories.PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/alliance")  # a coordinator lands on the statistics


async def test_dashboard_charts_render_over_accessible_tables(page, client, clock, db):
    await seeded_history(client, clock)
    await sign_in_as_coordinator(page)
    for path, kind, name in (
        ("/alliance", "bars", "stats-bookings"),
        ("/alliance/stats/flows", "sankey", "stats-flows"),
        ("/alliance/stats/occupancy", "heatmap", "stats-occupancy"),
        ("/alliance/stats/exchange", "bars", "stats-exchange"),
        ("/alliance/stats/satisfaction", "bars", "stats-satisfaction"),
    ):
        await page.goto(path)
        chart = page.locator(f".chart-{kind}[data-chart-ready='true']")
        await chart.wait_for(timeout=10_000)
        assert await chart.locator("canvas").count() >= 1, path
        box = await chart.bounding_box()
        assert box["height"] > 200 and box["width"] > 300, path
        assert await page.locator("table tbody tr").count() >= 1, path
        assert await chart.get_attribute("role") == "img" and len(await chart.get_attribute("aria-label") or "") > 10, (
            path
        )
        assert await accessibility_violations(page) == [], path
        await screenshot(page, name)
    await page.goto("/alliance/stats/health")
    assert await page.locator("section.health-base").count() >= 1
    assert await accessibility_violations(page) == []


async def test_dashboard_works_on_a_narrow_screen_and_filters_by_form(page, client, clock, db):
    await seeded_history(client, clock)
    await sign_in_as_coordinator(page)
    await page.set_viewport_size({"width": 320, "height": 700})
    await page.goto("/alliance/stats/occupancy")
    await page.locator(".chart[data-chart-ready='true']").wait_for(timeout=10_000)
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    await page.fill("#from", "2027-02")
    await page.fill("#to", "2027-02")
    await page.locator("form.filters button[type=submit]").click()
    await page.wait_for_load_state()
    assert "from=2027-02" in page.url
    headers = await page.locator("table.matrix thead th").all_inner_texts()
    assert headers[1:] == ["2027-02"]
    await screenshot(page, "stats-occupancy-narrow")
