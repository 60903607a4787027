"""Piccolo Admin mounted at ``/admin``, for Sojourn administrators only.

Who gets in is decided by Sojourn's session (the ``admins`` guard: others get 401/403);
Piccolo Admin's own login never shows. Each Sojourn admin has a mirror user in
``admin_console_user`` and a server-side Piccolo session whose token is put into the
request's cookies on the way in; it never reaches the browser. Piccolo Admin keeps its own
CSRF protection (cookie ``csrftoken``); Litestar's CSRF check, which uses other names,
skips ``/admin`` (see app.py). The admin app is built once per process, at start-up.

Piccolo Admin has no per-row scoping: fine for admins, never for base operators. It never
shows secrets (``console_tables``) and every write through it is audited (``console_audit``).
"""

from __future__ import annotations

import asyncio
import secrets
from http.cookies import SimpleCookie
from typing import Any, cast

from litestar import Litestar, asgi
from litestar.connection import ASGIConnection
from litestar.types import HTTPResponseStartEvent, Receive, Scope, Send

from sojourn.accounts.guards import admins
from sojourn.accounts.principal import Principal
from sojourn.admin.console_audit import audited
from sojourn.admin.console_tables import table_configs
from sojourn.admin.tables import AdminConsoleSession, AdminConsoleUser
from sojourn.piccolo_app import APP_CONFIG
from sojourn.web.client_ip import client_ip

PATH = "/admin"
SESSION_COOKIE = "id"  # Piccolo's session cookie name
# Piccolo Admin's single-page app sets a few styles from script; nothing else is loosened.
ADMIN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_admin_app: Any = None


def admin_app() -> Any:
    """Piccolo Admin's ASGI app, built once per process (it takes a second or two)."""
    global _admin_app
    if _admin_app is None:
        from piccolo_admin.endpoints import create_admin  # FastAPI and friends: only when needed

        _admin_app = create_admin(
            tables=table_configs(APP_CONFIG.table_classes),
            auth_table=AdminConsoleUser,
            session_table=AdminConsoleSession,
            site_name="Sojourn",
            default_language_code="zh",
            auto_include_related=False,  # every table is listed; related ones would bring their secrets
        )
    return _admin_app


async def build_on_startup(app: Litestar) -> None:
    """Build the admin while the server starts, not on an administrator's first click."""
    admin_app()


_tokens: dict[int, str] = {}
_lock = asyncio.Lock()


async def _mirror_user(principal: Principal) -> int:
    username = f"sojourn-{principal.account_id}"
    row = await AdminConsoleUser.select(AdminConsoleUser.id).where(AdminConsoleUser.username == username).first()
    if row:
        return row["id"]
    # A random password nobody knows: this user can only be reached through Sojourn's session.
    password = await asyncio.to_thread(AdminConsoleUser.hash_password, secrets.token_urlsafe(32))
    user = AdminConsoleUser(
        username=username,
        password=password,
        email=f"account-{principal.account_id}@admin.sojourn.invalid",
        first_name=principal.display_name[:255],
        active=True,
        admin=True,
        superuser=True,
    )
    await user.save()
    return user.id


async def session_token(principal: Principal) -> str:
    """A valid Piccolo session for this admin, reused while it lasts."""
    async with _lock:
        token = _tokens.get(principal.account_id)
        if token and await AdminConsoleSession.get_user_id(token) is not None:
            return token
        user_id = await _mirror_user(principal)
        session = await AdminConsoleSession.create_session(user_id=user_id)
        _tokens[principal.account_id] = session.token
        return session.token


def _with_session_cookie(scope: Scope, token: str) -> Scope:
    cookies = SimpleCookie()
    headers = []
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies.load(value.decode("latin-1"))
        else:
            headers.append((name, value))
    jar = {key: morsel.value for key, morsel in cookies.items() if key != SESSION_COOKIE}
    jar[SESSION_COOKIE] = token
    headers.append((b"cookie", "; ".join(f"{k}={v}" for k, v in jar.items()).encode("latin-1")))
    return cast("Scope", {**scope, "headers": headers})


def _without_trailing_slash(scope: Scope) -> bool:
    """``/admin`` itself: the console's page links its assets relatively (``./assets/...``), so it
    only works at ``/admin/``. The mount sees ``/`` for both; the raw path tells them apart."""
    raw_path = scope.get("raw_path") or b""
    return raw_path.split(b"?", 1)[0] == PATH.encode()


async def _redirect_to_slash(scope: Scope, send: Send) -> None:
    query = scope.get("query_string") or b""
    location = PATH.encode() + b"/" + (b"?" + query if query else b"")
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 308,
        "headers": [(b"location", location), (b"content-length", b"0")],
    }
    await send(start)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


@asgi(PATH, is_mount=True, copy_scope=True, guards=[admins], include_in_schema=False)
async def piccolo_admin(scope: Scope, receive: Receive, send: Send) -> None:
    if _without_trailing_slash(scope):
        await _redirect_to_slash(scope, send)
        return
    principal: Principal = scope["user"]
    inner = _with_session_cookie(scope, await session_token(principal))

    async def send_with_policy(message: Any) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
            headers.append((b"content-security-policy", ADMIN_CSP.encode()))
            message = {**message, "headers": headers}
        await send(message)

    ip = client_ip(ASGIConnection(scope))
    await audited(admin_app(), principal, inner, receive, send_with_policy, ip=ip)


ROUTES = [piccolo_admin]
