"""``create_app()``: plugins, stores, middleware and routers. Wiring only; no rules here."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry

from sojourn import db, logs, routes
from sojourn.accounts import passwords
from sojourn.accounts.authentication import RenewableSessionConfig, SojournAuthenticationMiddleware
from sojourn.admin import web as admin_console
from sojourn.bookings.live import live_plugins
from sojourn.clock import Clock
from sojourn.config import Settings, load_settings
from sojourn.crypto import KeyRing
from sojourn.di import app_dependencies
from sojourn.web import problems
from sojourn.web.api_docs import VendoredScalarRenderPlugin
from sojourn.web.input_guard import InputGuardMiddleware
from sojourn.web.middleware import LocaleMiddleware, security_headers_hook
from sojourn.web.sign_in import SignInFirst, sign_in_redirect
from sojourn.web.static import static_directory
from sojourn.web.templating import template_config

log = logging.getLogger(__name__)

CSRF_COOKIE = "sojourn_csrf"
CSRF_HEADER = "x-sojourn-csrf"
SESSION_COOKIE = "sojourn_session"
SESSION_IDLE_SECONDS = 12 * 3600
# No page form or JSON body comes near this; a larger one is refused (413) before it is read,
# let alone parsed (a 10 MB form used to cost a second of CPU before the CSRF refusal).
# A route that takes uploads sets its own, larger limit (photos: bases.photos).
REQUEST_MAX_BODY_BYTES = 256 * 1024
# Paths that need neither a session nor a signed-in user. Anchored: Litestar matches these
# patterns anywhere in the path, and /admin/api/tables/x/schema/ needs the session.
UNAUTHENTICATED_PATHS = ["^/static/", "^/photos/", "^/healthz", "^/schema", "^/favicon.ico"]


def _stores(settings: Settings) -> tuple[StoreRegistry, Any]:
    """Redis-backed stores when Redis is configured, in-process ones otherwise (one worker)."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        root = RedisStore(client, namespace="sojourn", handle_client_shutdown=False)
        return StoreRegistry(default_factory=root.with_namespace), client
    return StoreRegistry(default_factory=lambda name: MemoryStore()), None


def _lifespan(settings: Settings, clock: Clock, redis_client: Any) -> Any:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        """The pool first; then, in embedded mode, the background jobs; stopped in reverse."""
        await db.start_pool(settings)
        try:
            async with AsyncExitStack() as jobs:
                if settings.runs_jobs_in_process:
                    from sojourn.jobs.runtime import jobs_in_process

                    await jobs.enter_async_context(jobs_in_process(settings, clock))
                yield
        finally:
            await db.close_pool()
            if redis_client is not None:
                await redis_client.aclose()

    return lifespan


def _route_handlers() -> list[Any]:
    handlers: list[Any] = routes.route_handlers()
    handlers.append(
        create_static_files_router(path="/static", directories=[static_directory()], include_in_schema=False)
    )
    return handlers


def _middleware(settings: Settings) -> list[Any]:
    """Sessions (pages only), then who is calling (session or bearer token), then the language, then
    odd input refused before any handler (NUL bytes, JSON nested too deep, dates out of range)."""
    sessions = RenewableSessionConfig(
        key=SESSION_COOKIE,
        store="sessions",
        max_age=SESSION_IDLE_SECONDS,
        renew_on_access=True,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        # The API authenticates with bearer tokens only and never gets a session cookie.
        exclude=["^/api/", *UNAUTHENTICATED_PATHS],  # anchored: /admin/api/ needs the session
    )
    return [
        sessions.middleware,
        DefineMiddleware(SojournAuthenticationMiddleware, exclude=UNAUTHENTICATED_PATHS),
        LocaleMiddleware(),
        InputGuardMiddleware(),
    ]


def _csrf(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        # The JSON API authenticates with bearer tokens only, never cookies, so it needs no CSRF token.
        exclude=["^/api/", "^/healthz", "^/admin/"],  # /admin: Piccolo Admin checks its own CSRF token
    )


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Sojourn API",
        version="1.0.0",
        description="The public JSON API of the Sojourn senior sojourn booking network.",
        path="/schema",
        render_plugins=[VendoredScalarRenderPlugin()],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", description="POST /api/v1/auth/token")
            }
        ),
    )


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings()
    clock = clock or Clock(settings.clock_start)
    db.configure(settings)  # Piccolo's tables and the pool use settings.database_url from now on
    passwords.use_settings(settings)
    stores, redis_client = _stores(settings)
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    app = Litestar(
        route_handlers=_route_handlers(),
        dependencies=app_dependencies(settings, clock, keyring),
        stores=stores,
        state=State({"settings": settings, "clock": clock, "keyring": keyring, "redis": redis_client}),
        lifespan=[_lifespan(settings, clock, redis_client)],
        on_startup=[admin_console.build_on_startup],  # Piccolo Admin at /admin, built once
        middleware=_middleware(settings),
        before_send=[security_headers_hook(hsts=settings.secure_cookies)],
        csrf_config=_csrf(settings),
        plugins=[ProblemDetailsPlugin(ProblemDetailsConfig()), *live_plugins(settings)],
        exception_handlers={**problems.EXCEPTION_HANDLERS, SignInFirst: sign_in_redirect},
        template_config=template_config(),
        openapi_config=_openapi(),
        logging_config=logs.litestar_logging(settings.log_level),
        request_max_body_size=REQUEST_MAX_BODY_BYTES,
        debug=False,
    )
    problems.document_problems(app)
    return app


def create_served_app() -> Any:
    """What ``sojourn serve`` runs: the app, with a line in the access log for every request."""
    return logs.AccessLog(create_app())
