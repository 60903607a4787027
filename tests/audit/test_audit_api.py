"""The audit log: sensitive actions are recorded, and only administrators can read them."""

import re

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


async def test_the_audit_page_lists_the_events_for_administrators_only(client):
    traveller = await factories.account("13800138000")
    await client.post("/api/v1/auth/token", json={"login": "13800138000", "password": "not-it-1234"})
    admin = await factories.account("admin@sojourn.example", role="admin")
    assert (await client.get("/audit")).status_code == 401
    await sign_in(client, "13800138000", factories.PASSWORD)
    assert (await client.get("/audit")).status_code == 403
    client.cookies.clear()
    await sign_in(client, "admin@sojourn.example", factories.PASSWORD)

    page = await client.get("/audit")
    assert page.status_code == 200
    assert "共 3 条记录" in page.text
    # Newest first: who (account and role), what, on which object, for whom, from where.
    assert [row[1:] for row in table_rows(page.text)] == [
        [f"{admin} admin", "login", "", "", "127.0.0.1"],
        [f"{traveller} traveller", "login", "", "", "127.0.0.1"],
        [f"{traveller}", "login_failed", "", "", "127.0.0.1"],
    ]
    failed = await client.get("/audit", params={"action": "login_failed"})
    assert "共 1 条记录" in failed.text
    assert [row[2] for row in table_rows(failed.text)] == ["login_failed"]


def table_rows(html: str) -> list[list[str]]:
    """The cells of each row of the page's table body, stripped."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [" ".join(cell.split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
