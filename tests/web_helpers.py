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


def form_token(html: str, action: str) -> str:
    """The CSRF token of the form that posts to ``action``, as the page gives it."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form for {action}"
    token = re.search(r'name="_csrf_token" value="([^"]*)"', form.group(1))
    assert token, f"the form for {action} has no CSRF field"
    return token.group(1)
