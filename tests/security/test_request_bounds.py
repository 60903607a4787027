"""Findings 8 and 9: odd or oversized input is refused with a clear 4xx, never parsed at length
nor answered with a 500."""

from tests import factories

BIG = 2 * 1024 * 1024


async def test_a_huge_form_is_refused_with_413_before_it_is_parsed(client):
    body = "login=" + "x" * BIG
    response = await client.post(
        "/login", content=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "What you sent is too large" in response.text


async def test_a_huge_json_body_is_refused_with_a_problem_413(client):
    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    response = await client.post(
        "/api/v1/travellers",
        content=b'{"name": "' + b"x" * BIG + b'"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_photo_above_the_bound_still_reaches_the_photo_upload_routes(client, world):
    """The 256 KB bound is the app's; the photo upload routes (API and page) have their own,
    15 MB and the form around it, and a body that size anywhere else is still refused."""
    from tests import photo_helpers
    from tests.health_helpers import operator
    from tests.web_helpers import csrf_token, sign_in

    photo = photo_helpers.noisy_png()
    assert len(photo) > 4 * 256 * 1024
    base = world.bases["sanya"]["id"]
    staff = await operator(client, "ops@sanya.cn", base)
    upload = {"photo": ("garden.png", photo, "image/png")}
    alt = {"alt_zh": "花园", "alt_en": "The garden"}
    api = await client.post(f"/api/v1/operator/bases/{base}/photos", files=upload, data=alt, headers=staff)
    assert api.status_code == 201, api.text[:300]
    await sign_in(client, "ops@sanya.cn", factories.PASSWORD)
    token = await csrf_token(client, f"/operator/bases/{base}/place")
    another = {"photo": ("terrace.png", photo_helpers.noisy_png(seed=8), "image/png")}  # not the same photo again
    page = await client.post(f"/operator/bases/{base}/photos", files=another, data={**alt, "_csrf_token": token})
    assert page.status_code == 303, page.text[:300]
    elsewhere = await client.post(f"/api/v1/operator/bases/{base}/place", files=upload, data=alt, headers=staff)
    assert elsewhere.status_code in (405, 413), elsewhere.text[:300]
    tour = await client.post("/api/v1/operator/tours", files=upload, data=alt, headers=staff)
    assert tour.status_code == 413, tour.text[:300]


# --- Finding 8: odd input ---------------------------------------------------------------------

import pytest  # noqa: E402

from tests.health_helpers import operator  # noqa: E402
from tests.operator.test_operator_tours_api import vacation_body  # noqa: E402
from tests.web_helpers import csrf_token  # noqa: E402


@pytest.mark.parametrize(
    "path, params",
    [("/tours", {"q": "三亚\x00"}), ("/api/v1/tours", {"q": "\x00"}), ("/login", {"next": "/\x00"})],
)
async def test_a_nul_byte_in_a_query_is_a_clear_4xx(client, path, params):
    response = await client.get(path, params=params, headers={"Accept-Language": "en"})
    assert response.status_code in (400, 422), response.text[:300]
    assert "invisible control character" in response.text


async def test_a_nul_byte_in_forms_is_a_clear_4xx(client):
    for path, data in [
        ("/login", {"login": "13800138000\x00", "password": "secret\x00"}),
        ("/register", {"display_name": "王\x00", "phone": "13800138000", "password": "长城长城长城长城"}),
    ]:
        token = await csrf_token(client, path)
        response = await client.post(path, data={**data, "_csrf_token": token}, headers={"Accept-Language": "en"})
        assert response.status_code in (400, 422), (path, response.status_code, response.text[:300])
        assert "invisible control character" in response.text


async def test_a_nul_byte_in_json_is_a_clear_4xx(client):
    await factories.account("13800138000")
    headers = {**await factories.bearer(client, "13800138000"), "Accept-Language": "en"}
    body = factories.traveller_body(name="王\u0000秀兰")
    response = await client.post("/api/v1/travellers", json=body, headers=headers)
    assert response.status_code in (400, 422), response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "invisible control character" in response.json()["detail"]
    token = await client.post("/api/v1/auth/token", json={"login": "13800138000\u0000", "password": "x\u0000"})
    assert token.status_code in (400, 422), token.text


async def test_json_nested_very_deep_is_a_clear_4xx(client):
    body = b"[" * 100_000 + b"]" * 100_000
    response = await client.post("/api/v1/auth/token", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_tour_dated_9999_is_refused_field_by_field(client, world):
    staff = {**await operator(client, "ops@sanya.cn", world.bases["sanya"]["id"]), "Accept-Language": "en"}
    body = vacation_body(world, starts_on="9999-12-20", ends_on="9999-12-31")
    response = await client.post("/api/v1/operator/tours", json=body, headers=staff)
    assert response.status_code in (400, 422), response.text[:300]
    assert set(response.json()["field_errors"]) >= {"starts_on"}
    assert "between" in response.json()["field_errors"]["starts_on"]


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/v1/tours", {"month": "9999-12"}),
        ("/api/v1/tours", {"arrival": "9999-12-30", "departure": "9999-12-31"}),
        ("/tours", {"month": "9999-12"}),
    ],
)
async def test_far_dates_in_queries_are_clear_4xx(client, world, path, params):
    response = await client.get(path, params=params)
    assert response.status_code in (200, 400, 422), response.text[:300]
