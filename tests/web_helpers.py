"""Driving server-rendered forms in tests: CSRF tokens, sign-in, reading pages."""

from __future__ import annotations

import re

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client, path: str = "/login") -> str:
    page = await client.get(path)
    match = CSRF_FIELD.search(page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


async def post_form(client, path: str, data: dict, *, from_page: str | None = None, **kwargs):
    token = await csrf_token(client, from_page or path)
    return await client.post(path, data={**data, "_csrf_token": token}, **kwargs)


async def sign_in(client, login: str, password: str):
    response = await post_form(client, "/login", {"login": login, "password": password})
    assert response.status_code == 303, response.text[:500]
    return response
