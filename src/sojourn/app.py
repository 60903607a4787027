"""``create_app()``: plugins, stores, middleware and routers. Wiring only; no rules here."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

from litestar import Litestar
from litestar.datastructures import State
from litestar.config.csrf import CSRFConfig
from litestar.logging.config import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry

from sojourn import db, routes
from sojourn.accounts.authentication import RenewableSessionConfig, SojournAuthenticationMiddleware
from sojourn.admin import web as admin_console
from sojourn.bookings.live import live_plugins
from sojourn.clock import Clock
from sojourn.config import Settings, load_settings
from sojourn.crypto import KeyRing
from sojourn.di import app_dependencies
from sojourn.web import access_log_privacy, problems
from sojourn.web.api_docs import VendoredScalarRenderPlugin
from sojourn.web.input_guard import InputGuardMiddleware
from sojourn.web.middleware import LocaleMiddleware, security_headers_hook
from sojourn.web.templating import template_config

log = logging.getLogger(__name__)

CSRF_COOKIE = "sojourn_csrf"
CSRF_HEADER = "x-sojourn-csrf"
SESSION_COOKIE = "sojourn_session"
SESSION_IDLE_SECONDS = 12 * 3600
# No page form or JSON body comes near this; a larger one is refused (413) before it is read,
# let alone parsed (a 10 MB form used to cost a second of CPU before the CSRF refusal).
# A route that takes uploads sets its own, larger limit.
REQUEST_MAX_BODY_BYTES = 256 * 1024
# Paths that need neither a session nor a signed-in user. Anchored: Litestar matches these
# patterns anywhere in the path, and /admin/api/tables/x/schema/ needs the session.
UNAUTHENTICATED_PATHS = ["^/static/", "^/healthz", "^/schema"]


def static_directory() -> Path:
    """``static/`` at the top of a checkout, or the copy bundled into the wheel."""
    package = Path(__file__).resolve().parent
    checkout = package.parent.parent / "static"
    return checkout if checkout.is_dir() else package / "static"


def _stores(settings: Settings) -> tuple[StoreRegistry, Any]:
    """Redis-backed stores when Redis is configured, in-process ones otherwise (one worker)."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        root = RedisStore(client, namespace="sojourn", handle_client_shutdown=False)
        return StoreRegistry(default_factory=root.with_namespace), client
    return StoreRegistry(default_factory=lambda name: MemoryStore()), None


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings()
    clock = clock or Clock()
    access_log_privacy.install()
    stores, redis_client = _stores(settings)

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

    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    route_handlers: list[Any] = routes.route_handlers()
    route_handlers.append(
        create_static_files_router(path="/static", directories=[static_directory()], include_in_schema=False)
    )
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

    app = Litestar(
        route_handlers=route_handlers,
        dependencies=app_dependencies(settings, clock, keyring),
        stores=stores,
        state=State({"settings": settings, "clock": clock, "keyring": keyring, "redis": redis_client}),
        lifespan=[lifespan],
        on_startup=[admin_console.build_on_startup],  # Piccolo Admin at /admin, built once
        middleware=[
            sessions.middleware,
            DefineMiddleware(SojournAuthenticationMiddleware, exclude=UNAUTHENTICATED_PATHS),
            LocaleMiddleware(),
            InputGuardMiddleware(),
        ],
        before_send=[security_headers_hook(hsts=settings.secure_cookies)],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            # The JSON API authenticates with bearer tokens only, never cookies, so it needs no CSRF token.
            exclude=["^/api/", "^/healthz", "^/admin/"],  # /admin: Piccolo Admin checks its own CSRF token
        ),
        plugins=[ProblemDetailsPlugin(ProblemDetailsConfig()), *live_plugins(settings)],
        exception_handlers=problems.EXCEPTION_HANDLERS,
        template_config=template_config(),
        openapi_config=OpenAPIConfig(
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
        ),
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        request_max_body_size=REQUEST_MAX_BODY_BYTES,
        debug=False,
    )
    problems.document_problems(app)
    return app
