"""Who holds a bearer token is kept a few seconds per process (accounts.principal): a change made
in this process is seen at once, one made elsewhere (another serving process, /admin) within
TOKEN_CACHE_TTL."""

from sojourn.accounts.principal import TOKEN_CACHE_TTL, principal_for_account
from sojourn.accounts.services import set_preferences
from sojourn.db import connection
from tests import factories


async def test_a_token_revoked_by_another_process_stops_working_here_within_the_ttl(client, clock):
    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    # Another serving process signs it out: only the database changes, this process is not told.
    async with connection() as conn:
        await conn.execute("UPDATE api_token SET revoked_at = $1", clock.now())
    clock.advance(seconds=TOKEN_CACHE_TTL.total_seconds() - 1)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200  # still known here
    clock.advance(seconds=1)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_signing_out_and_a_new_language_are_seen_at_once_by_the_process_that_made_them(client):
    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    assert (await client.get("/api/v1/me", headers=headers)).json()["locale"] == "zh_CN"
    async with connection() as conn:
        account_id = await conn.fetchval("SELECT id FROM account WHERE phone = '13800138000'")
    principal = await principal_for_account(account_id)
    assert principal is not None
    await set_preferences(principal, locale="en")
    assert (await client.get("/api/v1/me", headers=headers)).json()["locale"] == "en"
    assert (await client.delete("/api/v1/auth/token", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
