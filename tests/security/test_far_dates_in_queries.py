"""Finding 8, dates in queries: a far date in any date parameter is a 4xx (or an empty answer),
never a 500, for the public catalogue and the operator's calendar alike."""

import pytest

from tests.health_helpers import operator

FAR = ("9999-12-30", "9999-12-31")
EARLY = ("0001-01-01", "0001-01-02")


@pytest.mark.parametrize("first, last", [FAR, EARLY])
async def test_far_dates_in_query_parameters_are_never_a_server_error(client, world, first, last):
    tour = world.tours["migratory"]["id"]
    base = world.bases["sanya"]["id"]
    staff = await operator(client, "ops@sanya.cn", base)
    calls = [
        (f"/api/v1/tours/{tour}/availability", {"start": first, "end": last}, {}),
        ("/api/v1/tours", {"arrival": first, "departure": last}, {}),
        (f"/api/v1/tours/{tour}/room-types", {"arrival": first, "departure": last}, {}),
        (f"/api/v1/operator/bases/{base}/occupancy", {"start": first, "end": last}, staff),
        (f"/api/v1/operator/bases/{base}/manifest", {"date": first}, staff),
        (f"/api/v1/operator/bases/{base}/dashboard", {"date": first}, staff),
        (f"/tours/{tour}", {"arrival": first, "departure": last}, {}),
        (f"/operator/bases/{base}/calendar", {"start": first}, staff),
    ]
    for path, params, headers in calls:
        response = await client.get(path, params=params, headers=headers)
        assert response.status_code < 500, (path, response.status_code, response.text[:300])


async def test_a_far_date_in_a_query_names_the_parameter(client, world):
    base = world.bases["sanya"]["id"]
    staff = {**await operator(client, "ops@sanya.cn", base), "Accept-Language": "en"}
    response = await client.get(
        f"/api/v1/operator/bases/{base}/occupancy", params={"start": "9999-12-30", "end": "9999-12-31"}, headers=staff
    )
    assert response.status_code == 422
    assert "between 1900-01-01 and 2100-12-31" in response.json()["field_errors"]["start"]
    text = await client.get("/api/v1/tours", params={"q": "1850-01-01"})
    assert text.status_code == 200  # free text is not read as a date
