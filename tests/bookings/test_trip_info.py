"""Before going: the trip page's place facts, the printable confirmation with its check-in QR
code, the .ics file, and the page the code opens for the base's operators (and nobody else)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sojourn.bookings import confirmation, ics
from tests import booking_helpers, factories
from tests.pinned import SHANGHAI
from tests.shared_app import asgi_client
from tests.web_helpers import post_form, sign_in


@pytest.fixture
async def trip(app, client, world):
    x, y = world.bases["sanya"]["id"], world.bases["hulunbuir"]["id"]
    await factories.account("op@x.example", role="operator", base_ids=[x])
    await factories.account("op@y.example", role="operator", base_ids=[y])
    op_x = await factories.bearer(client, "op@x.example")
    await client.patch(
        f"/api/v1/operator/bases/{x}/place",
        json={
            "phone": "0898-8888 6666",
            "check_in_time": "15:00",
            "bring_zh": "泳衣",
            "latitude": 18.25,
            "longitude": 109.51,
        },
        headers=op_x,
    )
    account = await factories.account("13800138000", name="王秀兰")
    traveller = await factories.traveller(account, name="王秀兰", birth=dt.date(1955, 4, 12))
    headers = await factories.bearer(client, "13800138000")
    held = await client.post(
        "/api/v1/bookings",
        json={"tour_id": world.tours["vacation"]["id"], "traveller_ids": [traveller["id"]]},
        headers=headers,
    )
    assert held.status_code == 201, held.text
    booking = held.json()
    await booking_helpers.confirm(client, booking["id"], headers)
    await sign_in(client, "13800138000", factories.PASSWORD)
    return {"booking": booking, "x": x, "world": world}


async def test_the_trip_page_says_where_when_what_to_bring_and_about_insurance(client, trip):
    page = await client.get(f"/trips/{trip['booking']['id']}")
    assert page.status_code == 200
    text = page.text
    assert 'href="tel:089888886666"' in text and "三亚" in text
    assert "15:00" in text and "12:00" in text
    assert "身份证" in text and "医保卡" in text and "泳衣" in text  # the standard list and the base's own
    assert "12393" in text and "异地就医备案" in text
    assert f"/trips/{trip['booking']['id']}/confirmation" in text and f"/trips/{trip['booking']['id']}/stay.ics" in text


async def test_the_confirmation_carries_a_qr_code_that_opens_this_booking_on_the_bases_screen(client, trip, settings):
    booking = trip["booking"]
    page = await client.get(f"/trips/{booking['id']}/confirmation")
    assert page.status_code == 200
    departure = dt.date.fromisoformat(booking["departure"])
    url = "http://testserver/operator/pass/" + confirmation.pass_for(settings.secret_key, booking["id"], departure)
    assert confirmation.qr_svg(url) in page.text  # the code encodes exactly that address
    assert 'style="' not in confirmation.qr_svg(url)  # the CSP forbids inline styles
    assert booking["reference"] in page.text


async def test_the_calendar_file_is_an_all_day_stay_with_escaped_folded_lines(client, trip):
    booking = trip["booking"]
    response = await client.get(f"/trips/{booking['id']}/stay.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # CRLF everywhere
    assert f"DTSTART;VALUE=DATE:{booking['arrival'].replace('-', '')}" in body
    last_day = dt.date.fromisoformat(booking["departure"]) + dt.timedelta(days=1)
    assert f"DTEND;VALUE=DATE:{last_day:%Y%m%d}" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert f"UID:booking-{booking['id']}-{booking['reference']}@sojourn" in unfolded
    assert "STATUS:CONFIRMED" in unfolded


def test_ics_text_is_escaped_and_folded_without_cutting_characters():
    assert ics.escape_text("海边, 山里; 一\\二\n三") == "海边\\, 山里\\; 一\\\\二\\n三"
    line = "DESCRIPTION:" + "旅居康养" * 30
    folded = ics.fold(line)
    parts = folded.split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(parts) == line  # unfolding gives it back, every character whole


def test_a_check_in_code_cannot_be_moved_to_another_booking_or_forged():
    token = confirmation.pass_for("secret", 42, dt.date(2027, 2, 1))
    assert confirmation.read_pass("secret", token) == confirmation.CheckInPass(42, dt.date(2027, 2, 2))
    booking, valid, signature = token.split(".")
    assert confirmation.read_pass("secret", f"43.{valid}.{signature}") is None
    assert confirmation.read_pass("secret", f"{booking}.20300101.{signature}") is None
    assert confirmation.read_pass("another secret", token) is None
    assert confirmation.read_pass("secret", "garbage") is None


async def _pass_url(client, trip) -> str:
    page = await client.get(f"/trips/{trip['booking']['id']}/confirmation")
    svg = re.search(r"<svg.*?</svg>", page.text, re.DOTALL).group(0)
    assert svg
    from sojourn.config import load_settings

    departure = dt.date.fromisoformat(trip["booking"]["departure"])
    return "/operator/pass/" + confirmation.pass_for(load_settings().secret_key, trip["booking"]["id"], departure)


async def test_the_code_opens_the_booking_for_the_bases_operators_only(app, client, trip, clock):
    url = await _pass_url(client, trip)
    async with asgi_client(app) as anonymous:
        response = await anonymous.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    assert (await client.get(url)).status_code == 404  # the traveller herself
    async with asgi_client(app) as other:
        await sign_in(other, "op@y.example", factories.PASSWORD)
        assert (await other.get(url)).status_code == 404
    async with asgi_client(app) as desk:
        await sign_in(desk, "op@x.example", factories.PASSWORD)
        tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
        assert (await desk.get(tampered)).status_code == 404
        page = await desk.get(url)
        assert page.status_code == 200 and trip["booking"]["reference"] in page.text
        assert "/check-in" not in page.text  # not yet the arrival day

        arrival = dt.date.fromisoformat(trip["booking"]["arrival"])
        clock.set(dt.datetime.combine(arrival, dt.time(10), SHANGHAI).astimezone(dt.UTC))
        await sign_in(desk, "op@x.example", factories.PASSWORD)  # weeks later: a staff session lasts 12 hours
        page = await desk.get(url)
        assert f"/operator/bookings/{trip['booking']['id']}/check-in" in page.text
        response = await post_form(
            desk, f"/operator/bookings/{trip['booking']['id']}/check-in", {"next": url}, from_page=url
        )
        assert response.status_code == 303 and response.headers["location"] == url

        departure = dt.date.fromisoformat(trip["booking"]["departure"])
        clock.set(dt.datetime.combine(departure + dt.timedelta(days=2), dt.time(10), SHANGHAI).astimezone(dt.UTC))
        await sign_in(desk, "op@x.example", factories.PASSWORD)
        assert (await desk.get(url)).status_code == 404  # expired
