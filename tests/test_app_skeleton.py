"""The app answers: health, home page, catalogue, problem details, security headers, OpenAPI."""

from tests import factories
from tests.web_helpers import form_token


async def test_healthz_reports_database_ok(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


async def test_home_page_lists_published_tours_of_every_mode(client):
    world = await factories.small_world()
    response = await client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    for tour in world.tours.values():
        assert tour["title_en"] in response.text
    assert world.draft_tour["title_en"] not in response.text
    assert 'lang="en"' in response.text


async def test_home_page_speaks_chinese_by_default(client):
    world = await factories.small_world()
    response = await client.get("/")
    assert 'lang="zh-CN"' in response.text
    assert world.tours["migratory"]["title_zh"] in response.text
    assert response.headers["content-language"] == "zh-CN"


async def test_unknown_api_path_is_problem_json_in_the_readers_language(client):
    english = await client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert english.headers["content-type"].startswith("application/problem+json")
    assert english.json()["title"] == "Not found"
    chinese = await client.get("/api/v1/nothing-here", headers={"Accept-Language": "zh-CN"})
    assert chinese.json()["title"] != "Not found"


async def test_bad_query_parameter_names_the_field(client):
    response = await client.get("/api/v1/tours?month=2026-13", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    body = response.json()
    assert "month" in body["field_errors"]


async def test_pages_carry_security_headers(client):
    response = await client.get("/healthz")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]


async def test_openapi_document_describes_the_catalogue(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/members", "/api/v1/tours", "/api/v1/tours/{tour_id}/availability"):
        assert path in paths


async def test_unknown_and_missing_fields_are_named_in_field_errors(client):
    from tests import factories

    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    body = factories.traveller_body(colour="blue")
    response = await client.post("/api/v1/travellers", json=body, headers=headers)
    assert response.status_code == 400 and "colour" in response.json()["field_errors"]
    nested = factories.traveller_body(emergency_contact={"name": "王强", "phone": "13900001111"})
    response = await client.post("/api/v1/travellers", json=nested, headers=headers)
    assert "emergency_contact.relation" in response.json()["field_errors"]


async def test_the_forms_on_an_error_page_carry_a_working_csrf_token(client):
    missing = await client.get("/no-such-page")
    assert missing.status_code == 404
    token = form_token(missing.text, "/preferences/language")
    assert token, "the language form on the error page must carry a CSRF token"
    assert form_token(missing.text, "/preferences/elder-mode") == token
    english = await client.post("/preferences/language", data={"_csrf_token": token, "locale": "en"})
    assert english.status_code in (302, 303), english.text[:300]
    assert "Back to the home page" in (await client.get("/no-such-page")).text


async def test_a_refused_form_answers_with_a_page_whose_forms_work_again(client):
    await client.get("/")
    refused = await client.post("/preferences/language", data={"_csrf_token": "stale", "locale": "en"})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text or "表单已过期" in refused.text
    token = form_token(refused.text, "/preferences/language")
    again = await client.post("/preferences/language", data={"_csrf_token": token, "locale": "en"})
    assert again.status_code in (302, 303), again.text[:300]
