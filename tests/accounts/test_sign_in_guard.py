"""The pages of a booker's own trips: one guard sends visitors to sign in and back (``next``)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sojourn.bookings.pages import booker_page
from tests import factories
from tests.web_helpers import post_form, sign_in


def _next_of(response) -> str:
    assert response.status_code == 303, response.text[:500]
    location = urlsplit(response.headers["location"])
    assert location.path == "/login"
    return parse_qs(location.query)["next"][0]


def test_every_booking_trip_and_health_page_has_the_guard(app):
    pages = [
        (route.path, handler)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if route.path.startswith(("/book/", "/trips", "/waitlist/")) and "OPTIONS" not in handler.http_methods
    ]
    assert len(pages) >= 20
    unguarded = [path for path, handler in pages if booker_page not in handler.resolve_guards()]
    assert unguarded == [], unguarded


async def test_a_posted_form_comes_back_with_its_choices_after_signing_in(client, db):
    world = await factories.small_world()
    tour_id = world.tours["migratory"]["id"]
    form = {"traveller_ids": ["3", "4"], "arrival": "2027-01-02", "departure": "2027-02-02"}
    response = await post_form(client, f"/book/{tour_id}/hold", form, from_page="/login")
    assert (
        _next_of(response)
        == f"/book/{tour_id}/hold?traveller_ids=3&traveller_ids=4&arrival=2027-01-02&departure=2027-02-02"
    )


async def test_a_posted_action_comes_back_to_the_page_that_offered_it(client, db):
    response = await post_form(client, "/trips/5/cancel", {}, from_page="/login")
    assert _next_of(response) == "/trips/5/cancel"
    response = await post_form(client, "/trips/5/extend-hold", {"next": "/trips/5/health"}, from_page="/login")
    assert _next_of(response) == "/trips/5/health"


async def test_staff_accounts_are_told_to_use_a_travellers_account(client, db):
    await factories.account("ops@sanya.cn", role="operator")
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)
    page = await client.get("/trips")
    assert page.status_code == 403
    assert "工作人员账户不能预订" in page.text
