"""Finding 5: the admin console shows no secrets, audits every write, and the audit log is
append-only in PostgreSQL itself."""

import re

import asyncpg
import pytest

from sojourn import db as sojourn_db
from tests import factories
from tests.web_helpers import post_form, sign_in

ADMIN = "admin@sojourn.example"


async def _console(client) -> dict[str, str]:
    """Sign in as an administrator; the headers Piccolo Admin wants for a write (its CSRF token)."""
    await factories.account(ADMIN, role="admin", name="管理员")
    await sign_in(client, ADMIN, factories.PASSWORD)
    response = await client.get("/admin/api/tables/")
    assert response.status_code == 200, response.text
    token = client.cookies.get("csrftoken")
    assert token, "Piccolo Admin sets its CSRF cookie"
    return {"X-CSRFToken": token}


async def _rows(sql: str, *args):
    async with sojourn_db.connection() as conn:
        return await conn.fetch(sql, *args)


async def test_the_audit_log_refuses_updates_and_deletes_in_the_database(db):
    async with sojourn_db.connection() as conn:
        await conn.execute("INSERT INTO audit_event (action, detail) VALUES ('login', '{}')")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("UPDATE audit_event SET action = 'nothing'")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("DELETE FROM audit_event")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("TRUNCATE audit_event")
        assert await conn.fetchval("SELECT count(*) FROM audit_event WHERE action = 'login'") == 1


async def test_table_schemas_answer_in_the_console(client):
    await _console(client)
    response = await client.get("/admin/api/tables/account/schema/")
    assert response.status_code == 200, response.text
    assert "password_hash" not in response.text


async def test_the_console_shows_no_password_or_token_hashes_nor_encrypted_blobs(client):
    await _console(client)
    account_id = await factories.account("13800138000", name="王秀兰")
    traveller = await factories.traveller(account_id, name="王秀兰")
    async with sojourn_db.connection() as conn:
        await conn.execute("UPDATE traveller SET id_number_cipher = '\\x0102'::bytea WHERE id = $1", traveller["id"])
    await factories.bearer(client, "13800138000")
    for table, secret in [
        ("account", "password_hash"),
        ("api_token", "token_hash"),
        ("traveller", "id_number_cipher"),
        ("health_declaration", "content_cipher"),
    ]:
        listing = await client.get(f"/admin/api/tables/{table}/")
        assert listing.status_code == 200, (table, listing.status_code, listing.text[:300])
        assert secret not in listing.text, table
        schema = await client.get(f"/admin/api/tables/{table}/schema/")
        assert schema.status_code == 200 and secret not in schema.text, table
    detail = await client.get(f"/admin/api/tables/account/{account_id}/")
    assert detail.status_code == 200 and "argon2" not in detail.text


async def test_a_role_change_through_the_console_is_audited(client):
    headers = await _console(client)
    account_id = await factories.account("13800138000", name="王秀兰")
    response = await client.patch(
        f"/admin/api/tables/account/{account_id}/", json={"role": "coordinator"}, headers=headers
    )
    assert response.status_code == 200, response.text
    events = await _rows(
        "SELECT actor_role, object_type, object_id, ip, detail FROM audit_event WHERE action = 'admin_console_write'"
    )
    assert len(events) == 1
    assert events[0]["object_type"] == "account" and events[0]["object_id"] == account_id
    assert events[0]["actor_role"] == "admin" and events[0]["ip"]
    assert '"role"' in events[0]["detail"] and "PATCH" in events[0]["detail"]


async def test_audit_events_cannot_be_deleted_through_the_console(client):
    headers = await _console(client)
    async with sojourn_db.connection() as conn:
        event_id = await conn.fetchval("INSERT INTO audit_event (action, detail) VALUES ('login', '{}') RETURNING id")
    response = await client.delete(f"/admin/api/tables/audit_event/{event_id}/", headers=headers)
    assert response.status_code in (403, 405), response.status_code
    assert len(await _rows("SELECT id FROM audit_event WHERE id = $1", event_id)) == 1


async def test_admin_without_the_slash_opens_the_console_with_its_assets(client):
    await _console(client)
    bare = await client.get("/admin?tab=account")
    assert bare.status_code == 308 and bare.headers["location"] == "/admin/?tab=account"
    page = await client.get(bare.headers["location"])
    assert page.status_code == 200 and "Piccolo Admin" in page.text
    # The page links its assets relatively: from /admin/ they are under /admin/assets/.
    assets = re.findall(r'(?:src|href)="\./(assets/[^"]+)"', page.text)
    kinds = {asset.rsplit(".", 1)[1] for asset in assets}
    assert kinds == {"js", "css"}, assets
    for asset in assets:
        served = await client.get(f"/admin/{asset}")
        expected = "text/css" if asset.endswith(".css") else "javascript"
        assert served.status_code == 200 and expected in served.headers["content-type"], (asset, served.headers)


async def test_the_admin_console_is_in_the_admins_navigation_only(client):
    await _console(client)
    home = await client.get("/alliance/members")
    assert '<a href="/admin/">管理后台</a>' in home.text
    await post_form(client, "/logout", {}, from_page="/account")
    await factories.account("coordinator@sojourn.example", role="coordinator")
    await sign_in(client, "coordinator@sojourn.example", factories.PASSWORD)
    assert "/admin/" not in (await client.get("/alliance")).text
    assert (await client.get("/admin")).status_code == 403
