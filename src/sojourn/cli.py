"""The ``sojourn`` command: run the demo, serve, migrate, seed, manage users and keys."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from sojourn.config import ConfigError, Settings, generate_encryption_key, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    from sojourn.accounts import passwords

    try:
        settings = load_settings()
    except ConfigError as error:
        raise click.ClickException(f"Configuration error: {error}") from None
    passwords.use_settings(settings)
    return settings


def _run(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run async work with the database pool open (starting the embedded server if needed)."""
    from sojourn import db

    async def with_pool() -> T:
        await db.start_pool(settings)
        try:
            return await work()
        finally:
            await db.close_pool()

    return asyncio.run(with_pool())


@click.group(help="Sojourn: the booking network for senior health tourism (旅居康养).")
def main() -> None:
    pass


def _data_lines(settings: Settings) -> tuple[str, str]:
    """Where the data lives, and how to start over."""
    if settings.embedded_database:
        return (
            f"Data: embedded PostgreSQL in {settings.data_dir / 'pgdata'}, keys in {settings.data_dir}",
            f"To start over: stop Sojourn and delete {settings.data_dir} (or set SOJOURN_DATA_DIR to another folder).",
        )
    return (
        "Data: the database at SOJOURN_DATABASE_URL (keys in " + str(settings.data_dir) + ")",
        "To start over: empty that database, then run this again.",
    )


def _seed_demo(settings: Settings, now: dt.datetime) -> bool:
    """Seed the demo as of ``now``; True when it was added (False: it was there already).
    A failure becomes one sentence that says what to do, never a traceback."""
    import logging

    from sojourn.demo.seed import demo_today, seed_demo

    try:
        return _run(settings, lambda: seed_demo(settings, now)).added
    except Exception as error:  # any failure: the newcomer needs a sentence, not a traceback
        logging.getLogger(__name__).debug("seeding the demo failed", exc_info=True)
        reason = getattr(error, "message", None) or str(error) or type(error).__name__
        raise click.ClickException(
            f"Could not add the demo data for {demo_today(now)} ({reason}). {_data_lines(settings)[1]} "
            "Or start without demo data: `sojourn demo --no-seed`. SOJOURN_LOG_LEVEL=DEBUG shows the details."
        ) from None


def _notifications_to_a_file(settings: Settings) -> Settings:
    """The demo's messages go to a file in its data folder rather than flooding the console,
    unless SOJOURN_NOTIFICATION_SINK says otherwise."""
    import os
    from dataclasses import replace

    if "SOJOURN_NOTIFICATION_SINK" in os.environ:
        return settings
    sink = str(settings.data_dir / "notifications.jsonl")
    os.environ["SOJOURN_NOTIFICATION_SINK"] = sink  # for the server, which reads the environment
    return replace(settings, notification_sink=sink)


def _payment_sandbox(settings: Settings, host: str, port: int) -> Settings:
    """The demo takes money as production does, from the payment sandbox (WeChat Pay and Alipay's
    protocols) on the port 600 above the demo's, started here and stopped with the demo; its settings
    go into the environment for the server, and every member gets payees from its merchants."""
    import atexit
    import os
    import subprocess
    import time
    from dataclasses import replace

    import httpx

    from sojourn.config import load_settings
    from sojourn.demo.seed_payees import register_sandbox_payees
    from sojourn.payments.sandbox.keys import load_or_create

    directory = settings.data_dir / "payment-sandbox"
    sandbox_port = port + 600 if port + 600 <= 65535 else port - 600
    sandbox_url = f"http://{host}:{sandbox_port}"
    load_or_create(directory).write_env(sandbox_url)
    with (directory / "sandbox.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "sojourn", "payments", "sandbox", "--host", host, "--port", str(sandbox_port),
             "--data-dir", str(directory)],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )  # fmt: skip
    atexit.register(process.terminate)
    for _ in range(100):
        try:
            if httpx.get(f"{sandbox_url}/sandbox/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise click.ClickException(f"The payment sandbox did not start: see {directory / 'sandbox.log'}")
        time.sleep(0.1)
    lines = (directory / "sojourn.env").read_text().splitlines()
    os.environ.update(dict(line.split("=", 1) for line in lines if line))  # for the server, which reads them
    os.environ.setdefault("SOJOURN_PUBLIC_URL", f"http://{host}:{port}")
    configured = load_settings()
    fields = {
        name: getattr(configured, name)
        for name in Settings.__dataclass_fields__
        if name.startswith(("wechat_", "alipay_"))
    }
    settings = replace(settings, **fields, public_url=configured.public_url)
    _run(settings, lambda: register_sandbox_payees(settings, directory))
    click.echo(f"Payments: WeChat Pay and Alipay are played by the payment sandbox at {sandbox_url}")
    return settings


def _clock_start(settings: Settings, today: dt.datetime | None) -> Settings:
    """``--today``: the demo runs as of that day, 09:00 at the bases (the front desk's morning)."""
    import os
    from dataclasses import replace

    if today is None:
        return settings
    start = dt.datetime(today.year, today.month, today.day, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    os.environ["SOJOURN_CLOCK_START"] = start.isoformat()  # for the server, which reads the environment
    return replace(settings, clock_start=start.astimezone(dt.UTC))


@main.command(help="Start a demo: embedded PostgreSQL (unless configured), migrations, demo data, a server.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--no-seed", is_flag=True, help="Do not add the demo data.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Seed and serve the demo as of this day (YYYY-MM-DD), from 09:00 at the bases; time flows on from there.",
)
def demo(host: str, port: int, no_seed: bool, today: dt.datetime | None) -> None:
    from sojourn.clock import Clock
    from sojourn.db.migrations import migrate
    from sojourn.demo.plan_present import DESK_BASE
    from sojourn.demo.seed_accounts import ADMIN, AGENT, COORDINATOR, DAUGHTER, DEMO_PASSWORD, SENIOR, operator_login

    settings = _notifications_to_a_file(_clock_start(_settings(), today))
    now = Clock(settings.clock_start).now()
    data, start_over = _data_lines(settings)
    click.echo(data)
    click.echo(
        f"Messages to seniors, families and staff (text messages, e-mails) are written to {settings.notification_sink}"
    )
    click.echo("Preparing the database ...")
    _run(settings, migrate)
    added = False if no_seed else _seed_demo(settings, now)
    settings = _payment_sandbox(settings, host, port)
    url = f"http://{host}:{port}/"
    click.echo("")
    if settings.clock_start is not None:
        click.echo(
            f"Running as if it were {settings.clock_start.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d %H:%M} in China; time flows on from there."
        )
    if not no_seed:
        if not added:
            click.echo("The demo data was already there (made on an earlier start): today's arrivals may be past.")
        click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for login, role, what in (
            (SENIOR.login, "traveller", "senior from Harbin: trips to review, one booked, her sister waiting"),
            (DAUGHTER.login, "traveller", "daughter in Beijing; the hotline booked her parents' holiday"),
            (AGENT.login, "agent", f"hotline: {DAUGHTER.login}'s parents consented, {SENIOR.login} not yet"),
            (operator_login(DESK_BASE), "operator", "front desk: arrivals, departures, a no-show and reviews today"),
            (COORDINATOR.login, "coordinator", "alliance statistics"),
            (ADMIN.login, "admin", "administrator"),
        ):
            click.echo(f"  {login:<38} {role:<12} {what}")
        click.echo(
            "  ops-<base>@sojourn.example             operator     one per base, e.g. ops-sanya-haitang@sojourn.example"
        )
    click.echo(start_over)
    click.echo(f"Sojourn is starting at {url}  (press Ctrl+C to stop)")
    _serve(settings, host, port, workers=1)


@main.command(help="Serve Sojourn (run `sojourn db migrate` first).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes. More than one needs SOJOURN_REDIS_URL (shared sessions, limits and caches).",
)
def serve(host: str, port: int, workers: int) -> None:
    settings = _settings()
    if workers > 1 and not settings.uses_redis:
        raise click.ClickException(
            "--workers above 1 needs SOJOURN_REDIS_URL: sessions, rate limits and caches must be shared."
        )
    _serve(settings, host, port, workers)


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import signal

    import uvicorn

    from sojourn import logs
    from sojourn.db.embedded import resolve_database_url

    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting through SystemExit instead
    # lets the embedded PostgreSQL server be stopped by its exit hook.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    resolve_database_url(settings)  # start the embedded server once, before workers fork
    uvicorn.run(
        "sojourn.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        log_level=settings.log_level.lower(),
        log_config=logs.logging_dict(settings.log_level),
        access_log=False,  # sojourn.logs.AccessLog writes one line per request, without the query string
        timeout_graceful_shutdown=10,
    )


@main.group(help="Database: migrations and seed data.")
def db() -> None:
    pass


# Piccolo takes no lock of its own: two replicas migrating at once could both apply one
# migration. A session advisory lock makes them take turns; the second finds nothing to do.
MIGRATION_LOCK = (0x534A, 0x4D49)  # "SJ", "MI"


@db.command("migrate", help="Apply every migration not applied yet (one process at a time).")
def db_migrate() -> None:
    from sojourn import db as database
    from sojourn.db.migrations import migrate

    async def locked_migrate() -> None:
        lock = await database.engine().get_new_connection()
        try:
            await lock.execute("SELECT pg_advisory_lock($1, $2)", *MIGRATION_LOCK)
            await migrate()
        finally:
            await lock.close()  # ends the session, and with it the lock

    settings = _settings()
    _run(settings, locked_migrate)
    click.echo("Migrations applied.")


@db.command("seed", help="Add seed data (idempotent).")
@click.option("--demo", "demo_data", is_flag=True, help="The demo data set (the only one so far).")
def db_seed(demo_data: bool) -> None:
    from sojourn.clock import Clock

    if not demo_data:
        raise click.UsageError("Say which data set: --demo.")

    settings = _settings()
    added = _seed_demo(settings, Clock(settings.clock_start).now())
    click.echo("Demo data added." if added else "Demo data was already there; the catalogue is extended to today.")


@main.group(help="Accounts.")
def user() -> None:
    pass


@user.command("create", help="Create an account of any role.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["traveller", "agent", "operator", "coordinator", "admin"]),
    help="What the account may do.",
)
@click.option("--login", required=True, help="Mainland mobile number or e-mail address.")
@click.option(
    "--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
)
@click.option("--name", "display_name", default=None, help="Display name (default: the login).")
@click.option("--base", "bases", multiple=True, type=int, help="Base id an operator works for (repeatable).")
@click.option(
    "--member", "members", multiple=True, type=int, help="Member id a coordinator is limited to (repeatable)."
)
def user_create(
    role: str, login: str, password: str, display_name: str | None, bases: tuple[int, ...], members: tuple[int, ...]
) -> None:
    from sojourn.accounts.services import create_account
    from sojourn.accounts.tables import Role
    from sojourn.errors import DomainError
    from sojourn.i18n import using_locale

    if bases and role != "operator":
        raise click.BadParameter("only operators have bases", param_hint="--base")
    if members and role != "coordinator":
        raise click.BadParameter("only coordinators are limited to members", param_hint="--member")
    settings = _settings()
    try:
        account_id = _run(
            settings,
            lambda: create_account(
                login=login,
                password=password,
                display_name=display_name or login,
                role=Role(role),
                locale="en",
                base_ids=bases,
                member_ids=members,
            ),
        )
    except DomainError as error:
        with using_locale("en"):
            fields = "; ".join(f"{k}: {v}" for k, v in error.field_errors.items())
            raise click.ClickException(f"{error.message}{' (' + fields + ')' if fields else ''}") from None
    click.echo(f"Created {role} account {account_id} for {login}.")


@main.group(help="Encryption keys for identity numbers and health data.")
def keys() -> None:
    pass


@keys.command("generate", help="Print a new key for SOJOURN_ENCRYPTION_KEYS.")
def keys_generate() -> None:
    click.echo(generate_encryption_key())


@keys.command("rotate", help="Re-encrypt identity numbers and health declarations with the first key.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 100_000), help="Rows per transaction.")
def keys_rotate(batch: int) -> None:
    from sojourn.crypto import KeyRing
    from sojourn.jobs.key_rotation import rotate_keys

    settings = _settings()
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    report = _run(settings, lambda: rotate_keys(keyring, batch))
    for label, count in report.reencrypted.items():
        click.echo(f"{label}: {count} re-encrypted")
    if report.unreadable:
        for label, ids in report.unreadable.items():
            click.echo(f"{label}: {len(ids)} not readable with the configured keys (ids {ids[:20]})", err=True)
        raise click.ClickException("Some values could not be re-encrypted: is their old key still configured?")
    click.echo("Done: everything is encrypted with the first key. Old keys can be removed.")


@main.command(help="Run the background job worker (release holds, reminders, purges, outbox delivery).")
def worker() -> None:
    from sojourn import logs
    from sojourn.jobs.runtime import run_worker

    settings = _settings()
    logs.configure(settings.log_level)
    if not settings.uses_redis:
        click.echo(
            "No SOJOURN_REDIS_URL: the queue is in PostgreSQL. `sojourn serve` already runs the jobs "
            "unless SOJOURN_JOBS_IN_PROCESS=no.",
            err=True,
        )
    _run(settings, lambda: run_worker(settings))


@main.group(help="Background jobs: list them, or run one now.")
def jobs() -> None:
    pass


@jobs.command("list", help="The periodic jobs and when they run (cron, UTC).")
def jobs_list() -> None:
    from sojourn.jobs.schedule import PERIODIC_JOBS

    for job in PERIODIC_JOBS:
        click.echo(f"{job.name:<34} {job.cron:<16} {job.function.__module__}.{job.function.__name__}")


@jobs.command("run", help="Run one periodic job now, in this process (safe next to the worker).")
@click.argument("name")
def jobs_run(name: str) -> None:
    from sojourn.clock import Clock
    from sojourn.jobs.schedule import JOBS_BY_NAME

    job = JOBS_BY_NAME.get(name)
    if job is None:
        raise click.BadParameter(f"choose one of: {', '.join(JOBS_BY_NAME)}", param_hint="NAME")
    settings = _settings()
    done = _run(settings, lambda: job.run(now=Clock(settings.clock_start).now(), settings=settings))
    click.echo(f"{name}: {done}")


@main.group(help="Health declarations.")
def declarations() -> None:
    pass


@declarations.command(
    "purge",
    help="Shred the content of every declaration past its retention (SOJOURN_DECLARATION_RETENTION_DAYS "
    "after the trip ended). The nightly job does the same; this is for running it now.",
)
def declarations_purge() -> None:
    from sojourn.clock import Clock
    from sojourn.health.retention import shred_expired_declarations

    settings = _settings()
    shredded = _run(
        settings, lambda: shred_expired_declarations(now=Clock(settings.clock_start).now(), settings=settings)
    )
    click.echo(f"{shredded} declarations shredded (kept {settings.declaration_retention_days} days after the trip).")


@main.group(help="Payments: the provider sandbox.")
def payments() -> None:
    pass


@payments.command(
    "sandbox",
    help="Run a payment sandbox speaking WeChat Pay API v3 and Alipay, for demos and tests. It makes its keys "
    "in --data-dir on first start and writes DATA_DIR/sojourn.env with the settings that point Sojourn at it.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8600, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where its keys live (default: SOJOURN_DATA_DIR/payment-sandbox).",
)
@click.option(
    "--retry-delays",
    default="15,15,30,180,600,1200,1800",
    show_default=True,
    help="Seconds between notification attempts that were not answered with success.",
)
def payments_sandbox(host: str, port: int, data_dir: Path | None, retry_delays: str) -> None:
    import uvicorn

    from sojourn.payments.sandbox.app import create_sandbox_app

    try:
        delays = tuple(float(part) for part in retry_delays.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(
            "a comma-separated list of seconds, e.g. 15,15,30", param_hint="--retry-delays"
        ) from None
    directory = data_dir or _settings().data_dir / "payment-sandbox"
    base_url = f"http://{host}:{port}"
    app = create_sandbox_app(directory, base_url, delays)
    click.echo(f"Payment sandbox at {base_url}; Sojourn's settings for it: {directory / 'sojourn.env'}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
