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
