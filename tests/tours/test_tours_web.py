"""The search and tour pages without JavaScript: filters, paging, "suitable for us", price, calendar."""

from __future__ import annotations

import datetime as dt
import re

from sojourn import db as database
from tests import factories
from tests.bookings.test_booking_web import signed_in_family

EN = {"Accept-Language": "en"}


async def test_search_cards_show_price_dates_medical_help_and_reviews_with_their_count(client, db):
    world = await factories.small_world()
    account_id = await factories.account("13500000000")
    guest = await factories.traveller(account_id)
    stay = await factories.past_stay(
        world.tours["vacation"], account_id, [guest["id"]], arrival=dt.date(2026, 1, 5), departure=dt.date(2026, 1, 12)
    )
    await factories.feedback(stay, guest["id"], ratings=5, nps=10)
    response = await client.get("/tours", headers=EN)
    assert response.status_code == 200
    assert "Stays found: 3" in response.text
    assert "¥2,500 per person per month" in response.text and "¥3,800 per person" in response.text
    assert "clinic on site" in response.text
    assert "(1 reviews)" in response.text  # the count always stands next to the score
    assert "No reviews yet" in response.text  # the other base


async def test_filters_narrow_the_results_and_paging_keeps_them(client, db):
    world = await factories.small_world()
    for i in range(11):
        await factories.tour(
            world.bases["sanya"]["id"],
            world.members["hi"]["id"],
            starts_on=world.start + dt.timedelta(days=40 + i),
            ends_on=world.start + dt.timedelta(days=45 + i),
            title_en=f"Extra week {i}",
        )
    first = await client.get("/tours", params={"mode": "vacation", "destination": "460000"}, headers=EN)
    assert "Stays found: 12" in first.text and "Page 1 of 2" in first.text
    assert "Beijing and Inner Mongolia exchange" not in first.text and "Sanya winter stay" not in first.text
    next_link = re.search(r'href="(/tours\?[^"]+page=2)"', first.text).group(1).replace("&amp;", "&")
    assert "mode=vacation" in next_link and "destination=460000" in next_link
    second = await client.get(next_link, headers=EN)
    assert "Page 2 of 2" in second.text and second.text.count('class="card tour-card') == 2
    cheap = await client.get("/tours", params={"max_price": "2000"}, headers=EN)
    assert "Stays found: 0" in cheap.text
    assert "No stay matches all of these choices." in cheap.text


async def test_htmx_search_answers_with_the_results_only(client, db):
    await factories.small_world()
    response = await client.get("/tours?mode=migratory", headers={**EN, "HX-Request": "true", "HX-Target": "results"})
    assert response.text.lstrip().startswith('<section id="results"')
    assert "Stays found: 1" in response.text


async def test_suitable_for_us_hides_high_places_and_trips_without_room_and_says_why(client, db):
    world = await factories.small_world()
    tibet = await factories.base(
        world.members["nm"]["id"],
        name_en="Lhasa Highland Home",
        province_code="540000",
        city_code="540100",
        altitude_m=3650,
    )
    await factories.tour(
        tibet["id"],
        world.members["nm"]["id"],
        starts_on=world.start,
        ends_on=world.start + dt.timedelta(days=7),
        title_en="Lhasa in summer",
    )
    async with database.connection() as conn:
        await conn.execute("UPDATE tour SET seats = 1 WHERE id = $1", world.tours["vacation"]["id"])
    await signed_in_family(client)  # two travellers from Heilongjiang
    everything = await client.get("/tours")
    assert (
        "Lhasa in summer" in everything.text and "Only stays suitable for the people I travel with" in everything.text
    )
    suitable = await client.get("/tours", params={"suitable": "1"})
    assert "Lhasa in summer" not in suitable.text
    assert "Seven days in Sanya" not in suitable.text  # one seat left, two travellers
    assert "Beijing and Inner Mongolia exchange" not in suitable.text  # not open to Heilongjiang
    assert "Sanya winter stay" in suitable.text
    assert "No places higher than 3,000 metres" in suitable.text
    assert "Only trips with room for all 2 people you travel with." in suitable.text


async def test_suitable_for_us_is_offered_only_to_signed_in_travellers(client, db):
    await factories.small_world()
    page = await client.get("/tours?suitable=1", headers=EN)
    assert "Stays found: 3" in page.text
    assert "Sign in to see only the stays that suit the people you travel with." in page.text


async def test_tour_page_shows_base_hospital_season_policy_and_a_book_button(client, db):
    world = await factories.small_world()
    tour = world.tours["migratory"]
    page = await client.get(f"/tours/{tour['id']}", headers=EN)
    assert page.status_code == 200
    for text in (
        "Nearest hospital",
        "km away",
        "Stay at least 28 nights.",
        "Cancel 30 or more days before arrival: full refund.",
        "Cancel less than 7 days before arrival: no refund.",
        "Book these dates",
        "Beds free each night",
    ):
        assert text in page.text, text


async def test_price_for_chosen_dates_uses_the_engines_rounding(client, db):
    world = await factories.small_world()
    tour = world.tours["migratory"]
    arrival = tour["starts_on"] + dt.timedelta(days=1)
    response = await client.get(
        f"/tours/{tour['id']}/price",
        params={"arrival": arrival.isoformat(), "departure": (arrival + dt.timedelta(days=29)).isoformat(), "party": 2},
        headers=EN,
    )
    # 29 nights of a 2,500-yuan month: round(250000 × 29 / 30) = 241,667 fen.
    assert (
        "29 nights" in response.text
        and "¥2,416.67 per person" in response.text
        and "¥4,833.34 for 2 people" in response.text
    )
    short = await client.get(
        f"/tours/{tour['id']}/price",
        params={"arrival": arrival.isoformat(), "departure": (arrival + dt.timedelta(days=3)).isoformat()},
        headers=EN,
    )
    assert "This stay needs at least 28 nights." in short.text


async def test_calendar_shows_beds_left_per_night_and_polls_without_redis(client, db):
    world = await factories.small_world(beds=10)
    tour = world.tours["migratory"]
    async with database.connection() as conn:
        await conn.execute(
            "UPDATE capacity_night SET taken = 10 WHERE base = $1 AND night = $2", tour["base"], tour["starts_on"]
        )
        await conn.execute(
            "UPDATE capacity_night SET taken = 8 WHERE base = $1 AND night = $2",
            tour["base"],
            tour["starts_on"] + dt.timedelta(days=1),
        )
    # The three nights looked at may span two months (whatever day the tour starts): read both.
    pages = []
    for night in (tour["starts_on"], tour["starts_on"] + dt.timedelta(days=2)):
        response = await client.get(
            f"/tours/{tour['id']}/calendar", params={"month": night.strftime("%Y-%m")}, headers=EN
        )
        assert response.status_code == 200
        assert 'hx-trigger="every 30s"' in response.text and "data-capacity-stream" not in response.text
        pages.append(response.text)
    text = "".join(pages)
    assert f'class="night full" data-date="{tour["starts_on"].isoformat()}"' in text
    assert f'class="night few" data-date="{(tour["starts_on"] + dt.timedelta(days=1)).isoformat()}"' in text
    assert ": 2 free" in text and ": 10 free" in text
    assert (await client.get(f"/tours/{tour['id']}/calendar/stream")).status_code == 404


async def test_unknown_tours_and_bad_filters_get_a_page_not_a_crash(client, db):
    await factories.small_world()
    assert (await client.get("/tours/999999", headers=EN)).status_code == 404
    assert (await client.get("/tours?month=2027-13", headers=EN)).status_code == 400


async def test_a_fixed_date_trip_has_no_nightly_bed_calendar_and_a_long_stay_opens_on_its_chosen_dates(client, db):
    world = await factories.small_world()
    vacation = await client.get(f"/tours/{world.tours['vacation']['id']}", headers=EN)
    assert "Places left: " in vacation.text
    assert "Beds free each night" not in vacation.text and "calendar-grid" not in vacation.text
    stay = world.tours["migratory"]
    arrival = stay["starts_on"] + dt.timedelta(days=62)
    departure = arrival + dt.timedelta(days=30)
    opened = await client.get(
        f"/tours/{stay['id']}",
        params={"arrival": arrival.isoformat(), "departure": departure.isoformat()},
        headers=EN,
    )
    caption = re.search(r"<caption>(.*?)</caption>", opened.text)[1]
    assert caption == f"{arrival:%B %Y}", caption
    assert f'data-date="{arrival.isoformat()}"' in opened.text
    # A month asked for still wins (the calendar's own month links).
    asked = await client.get(
        f"/tours/{stay['id']}",
        params={"arrival": arrival.isoformat(), "month": f"{stay['starts_on']:%Y-%m}"},
        headers=EN,
    )
    assert re.search(r"<caption>(.*?)</caption>", asked.text)[1] == f"{stay['starts_on']:%B %Y}"


async def test_hotline_and_base_numbers_are_tap_to_call(client, db):
    page = await client.get("/login")
    assert '<a class="phone" href="tel:96111">96111</a>' in page.text  # the footer and the sign-in help
    assert page.text.count('href="tel:96111"') == 2
    world = await factories.small_world()
    async with database.connection() as conn:
        await conn.execute("UPDATE base SET contact_phone = '0898-8888 6666' WHERE id = $1", world.bases["sanya"]["id"])
    base = await client.get(f"/bases/{world.bases['sanya']['id']}")
    assert re.search(r'<a class="phone" href="tel:[+0-9-]+">0898-8888 6666</a>', base.text), base.text[-3000:]


async def test_an_exchange_says_who_may_join_on_its_card_and_its_page(client, db):
    world = await factories.small_world()
    exchange = world.tours["interactive"]
    found = await client.get("/tours", params={"mode": "interactive"})
    card = found.text[found.text.index(exchange["title_zh"]) :]
    assert "只限常住内蒙古或北京的出行人报名。" in card
    assert "内蒙古(内蒙古):剩余 4 个名额" in card and "北京(北京):剩余 8 个名额" in card
    page = await client.get(f"/tours/{exchange['id']}", headers=EN)
    assert "Only for travellers who live in Inner Mongolia or Beijing." in page.text
    assert "Beijing (Beijing): 8 places left" in page.text
    quotas = (await client.get(f"/api/v1/tours/{exchange['id']}")).json()["quotas"]
    assert {(q["province_code"], q["seats_left"]) for q in quotas} == {("150000", 4), ("110000", 8)}
    # Vacation cards say nothing of the kind.
    assert "只限常住" not in (await client.get(f"/tours/{world.tours['vacation']['id']}")).text


async def test_a_traveller_from_elsewhere_is_told_on_the_exchange_page_before_booking(client, db):
    world = await factories.small_world()
    exchange = world.tours["interactive"]
    _, (wang, li) = await signed_in_family(client)  # both live in Heilongjiang (230000)
    page = await client.get(f"/tours/{exchange['id']}", headers=EN)
    assert "王秀兰、李建国 do not live in one of these provinces, so cannot join this exchange." in page.text
    async with database.connection() as conn:
        await conn.execute("UPDATE traveller SET home_province_code = '110000' WHERE id = $1", wang)
    page = await client.get(f"/tours/{exchange['id']}", headers=EN)
    assert "李建国 does not live in one of these provinces, so cannot join this exchange." in page.text
    assert "王秀兰 does not live" not in page.text
    assert "join this exchange" not in (await client.get(f"/tours/{world.tours['vacation']['id']}", headers=EN)).text
