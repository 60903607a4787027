"""The audit log: sensitive actions are recorded, and only administrators can read them."""

from tests import factories
from tests.web_helpers import sign_in


async def test_administrators_read_the_audit_log_and_nobody_else(client):
    await factories.account("13800138000")
    await client.post("/api/v1/auth/token", json={"login": "13800138000", "password": "not-it-1234"})
    await factories.account("admin@sojourn.example", role="admin")
    admin = await factories.bearer(client, "admin@sojourn.example")
    response = await client.get("/api/v1/admin/audit-events", params={"action": "login_failed"}, headers=admin)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["items"][0]["detail"] == {"login_kind": "phone"}
    traveller = await factories.bearer(client, "13800138000")
    assert (await client.get("/api/v1/admin/audit-events", headers=traveller)).status_code == 403
    assert (await client.get("/api/v1/admin/audit-events")).status_code == 401


async def test_audit_page_for_administrators(client):
    await factories.account("admin@sojourn.example", role="admin")
    await sign_in(client, "admin@sojourn.example", factories.PASSWORD)
    page = await client.get("/audit")
    assert page.status_code == 200 and "login" in page.text
