"""Settings read once from the environment into one frozen object.

Every knob is a ``SOJOURN_*`` variable. A bad value stops start-up with a
message that names the variable and says what is wrong, so an operator never
has to guess which setting broke a deployment.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import platformdirs

T = TypeVar("T")


class ConfigError(Exception):
    """A setting has a value Sojourn cannot use; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, resolved and validated."""

    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str = ""
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("sojourn")))
    # Encryption keys for sensitive columns: the first one encrypts, all of them decrypt.
    encryption_keys: tuple[str, ...] = ()
    public_url: str = "http://127.0.0.1:8000"
    hold_minutes: int = 15
    hold_extension_minutes: int = 15
    hold_max_extensions: int = 3
    offer_hours: int = 24
    lock_timeout_ms: int = 3000
    # Longest wait in a base's line (bookings.admission) before "many people are booking" (429).
    booking_queue_ms: int = 30_000
    declaration_retention_days: int = 90
    db_pool_min: int = 2
    db_pool_max: int = 20
    trusted_proxies: tuple[str, ...] = ()
    log_level: str = "INFO"
    # Background jobs in the serving process: None means "when there is no Redis" (embedded mode).
    jobs_in_process: bool | None = None
    # Notification channels: e-mail and SMS when configured, otherwise the development sink.
    smtp_url: str | None = None
    mail_from: str = "Sojourn <noreply@sojourn.example>"
    sms_gateway_url: str | None = None
    sms_gateway_token: str = ""
    notification_sink: str = "console"
    notification_max_attempts: int = 8
    departure_reminder_days: int = 3
    # Payments (docs/payments.md). Each provider is enabled when its ids and key files are set; the
    # URLs default to the providers' production endpoints (the sandbox is another URL, nothing else).
    wechat_api_url: str = "https://api.mch.weixin.qq.com"
    wechat_sp_mchid: str = ""
    wechat_sp_appid: str = ""
    wechat_private_key_file: Path | None = None
    wechat_cert_serial_no: str = ""
    wechat_apiv3_key_file: Path | None = None
    wechat_public_key_file: Path | None = None
    wechat_public_key_id: str = ""
    alipay_gateway_url: str = "https://openapi.alipay.com/gateway.do"
    alipay_app_id: str = ""
    alipay_private_key_file: Path | None = None
    alipay_public_key_file: Path | None = None
    payment_minutes: int = 15
    refund_max_attempts: int = 6
    notification_max_age_minutes: int = 10
    # Run as if it were this moment (demos, training, rehearsals): the clock starts here and flows on.
    clock_start: dt.datetime | None = None
    # argon2id cost for stored passwords: OWASP's minimum (19 MiB, 2 passes). Hashes made at another
    # cost are re-made at this one on the next sign-in. Lower values only make guessing cheaper:
    # the test suite lowers them to run fast, and tests the defaults once.
    password_memory_kib: int = 19 * 1024
    password_time_cost: int = 2

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

    @property
    def runs_jobs_in_process(self) -> bool:
        return (not self.uses_redis) if self.jobs_in_process is None else self.jobs_in_process

    @property
    def wechat_configured(self) -> bool:
        return bool(
            self.wechat_sp_mchid
            and self.wechat_sp_appid
            and self.wechat_private_key_file
            and self.wechat_cert_serial_no
            and self.wechat_apiv3_key_file
            and self.wechat_public_key_file
            and self.wechat_public_key_id
        )

    @property
    def alipay_configured(self) -> bool:
        return bool(self.alipay_app_id and self.alipay_private_key_file and self.alipay_public_key_file)

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")


def _text(name: str, raw: str) -> str:
    return raw.strip()


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than zero, got {value}.")
    return value


def _non_negative_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
    if value < 0:
        raise ConfigError(f"{name} must be zero or more, got {value}.")
    return value


def _at_least(minimum: int) -> Callable[[str, str], int]:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
        if value < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {value}.")
        return value

    return parse


def _url(*schemes: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip()
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            allowed = ", ".join(f"{s}://" for s in schemes)
            raise ConfigError(f"{name} must start with {allowed}; got {value!r}.")
        if not (parts.hostname or "host=" in parts.query or parts.path not in ("", "/")):
            raise ConfigError(f"{name} has no host in {value!r}.")
        return value

    return parse


def _keys(name: str, raw: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    if not keys:
        raise ConfigError(f"{name} is set but holds no key.")
    for key in keys:
        try:
            decoded = base64.urlsafe_b64decode(key.encode())
        except (ValueError, TypeError):
            decoded = b""
        if len(decoded) != 32:
            raise ConfigError(
                f"{name} must be a comma-separated list of url-safe base64 keys of 32 bytes "
                "(generate one with `sojourn keys generate`)."
            )
    return keys


def _readable_file(name: str, raw: str) -> Path:
    path = Path(raw.strip()).expanduser()
    if not path.is_file():
        raise ConfigError(f"{name} must name a readable file; {str(path)!r} is not one.")
    return path


def _log_level(name: str, raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"{name} must be one of DEBUG, INFO, WARNING, ERROR; got {raw!r}.")
    return value


def _yes_no(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "yes", "true", "on"}:
        return True
    if value in {"0", "no", "false", "off"}:
        return False
    raise ConfigError(f"{name} must be yes or no; got {raw!r}.")


def _instant(name: str, raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an ISO 8601 instant like 2026-12-07T09:00+08:00; got {raw!r}.") from None
    if value.tzinfo is None:
        raise ConfigError(f"{name} must say its time zone, like 2026-12-07T09:00+08:00; got {raw!r}.")
    return value.astimezone(dt.UTC)


def _addresses(name: str, raw: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in raw.split(",") if v.strip())
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigError(f"{name} must list IP addresses or networks; {value!r} is neither.") from None
    return values


_PARSERS: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "database_url": ("SOJOURN_DATABASE_URL", _url("postgresql", "postgres")),
    "redis_url": ("SOJOURN_REDIS_URL", _url("redis", "rediss", "unix")),
    "secret_key": ("SOJOURN_SECRET_KEY", _text),
    "data_dir": ("SOJOURN_DATA_DIR", lambda n, raw: Path(raw).expanduser()),
    "encryption_keys": ("SOJOURN_ENCRYPTION_KEYS", _keys),
    "public_url": ("SOJOURN_PUBLIC_URL", _url("http", "https")),
    "hold_minutes": ("SOJOURN_HOLD_MINUTES", _positive_int),
    "hold_extension_minutes": ("SOJOURN_HOLD_EXTENSION_MINUTES", _positive_int),
    "hold_max_extensions": ("SOJOURN_HOLD_MAX_EXTENSIONS", _non_negative_int),
    "offer_hours": ("SOJOURN_OFFER_HOURS", _positive_int),
    "lock_timeout_ms": ("SOJOURN_LOCK_TIMEOUT_MS", _positive_int),
    "booking_queue_ms": ("SOJOURN_BOOKING_QUEUE_MS", _positive_int),
    "declaration_retention_days": ("SOJOURN_DECLARATION_RETENTION_DAYS", _non_negative_int),
    "db_pool_min": ("SOJOURN_DB_POOL_MIN", _non_negative_int),
    "db_pool_max": ("SOJOURN_DB_POOL_MAX", _positive_int),
    "trusted_proxies": ("SOJOURN_TRUSTED_PROXIES", _addresses),
    "log_level": ("SOJOURN_LOG_LEVEL", _log_level),
    "jobs_in_process": ("SOJOURN_JOBS_IN_PROCESS", _yes_no),
    "smtp_url": ("SOJOURN_SMTP_URL", _url("smtp", "smtps")),
    "mail_from": ("SOJOURN_MAIL_FROM", _text),
    "sms_gateway_url": ("SOJOURN_SMS_GATEWAY_URL", _url("http", "https")),
    "sms_gateway_token": ("SOJOURN_SMS_GATEWAY_TOKEN", _text),
    "notification_sink": ("SOJOURN_NOTIFICATION_SINK", _text),
    "notification_max_attempts": ("SOJOURN_NOTIFICATION_MAX_ATTEMPTS", _positive_int),
    "departure_reminder_days": ("SOJOURN_DEPARTURE_REMINDER_DAYS", _positive_int),
    "wechat_api_url": ("SOJOURN_WECHAT_API_URL", _url("http", "https")),
    "wechat_sp_mchid": ("SOJOURN_WECHAT_SP_MCHID", _text),
    "wechat_sp_appid": ("SOJOURN_WECHAT_SP_APPID", _text),
    "wechat_private_key_file": ("SOJOURN_WECHAT_PRIVATE_KEY_FILE", _readable_file),
    "wechat_cert_serial_no": ("SOJOURN_WECHAT_CERT_SERIAL_NO", _text),
    "wechat_apiv3_key_file": ("SOJOURN_WECHAT_APIV3_KEY_FILE", _readable_file),
    "wechat_public_key_file": ("SOJOURN_WECHAT_PUBLIC_KEY_FILE", _readable_file),
    "wechat_public_key_id": ("SOJOURN_WECHAT_PUBLIC_KEY_ID", _text),
    "alipay_gateway_url": ("SOJOURN_ALIPAY_GATEWAY_URL", _url("http", "https")),
    "alipay_app_id": ("SOJOURN_ALIPAY_APP_ID", _text),
    "alipay_private_key_file": ("SOJOURN_ALIPAY_PRIVATE_KEY_FILE", _readable_file),
    "alipay_public_key_file": ("SOJOURN_ALIPAY_PUBLIC_KEY_FILE", _readable_file),
    "payment_minutes": ("SOJOURN_PAYMENT_MINUTES", _positive_int),
    "refund_max_attempts": ("SOJOURN_REFUND_MAX_ATTEMPTS", _positive_int),
    "notification_max_age_minutes": ("SOJOURN_PAYMENT_NOTIFICATION_MAX_AGE_MINUTES", _positive_int),
    "clock_start": ("SOJOURN_CLOCK_START", _instant),
    "password_memory_kib": ("SOJOURN_PASSWORD_MEMORY_KIB", _at_least(8)),  # argon2's own minimum
    "password_time_cost": ("SOJOURN_PASSWORD_TIME_COST", _positive_int),
}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every ``SOJOURN_*`` variable; raise ConfigError on the first bad one."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for attr, (name, parse) in _PARSERS.items():
        raw = env.get(name)
        if raw is None or raw.strip() == "":
            continue
        values[attr] = parse(name, raw)
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.db_pool_min > settings.db_pool_max:
        raise ConfigError("SOJOURN_DB_POOL_MIN must not be greater than SOJOURN_DB_POOL_MAX.")
    return _with_local_secrets(settings)


def _with_local_secrets(settings: Settings) -> Settings:
    """Fill a missing secret key or encryption key from files kept in the data directory.

    A demo or a single-machine install then works without any set-up, and its
    keys survive restarts; a deployment sets both variables explicitly.
    """
    secret_key = settings.secret_key
    keys = settings.encryption_keys
    if secret_key and keys:
        return settings
    if not secret_key:
        secret_key = _read_or_create(settings.data_dir / "secret.key", lambda: secrets.token_urlsafe(48))
    if not keys:
        keys = (_read_or_create(settings.data_dir / "encryption.key", generate_encryption_key),)
    return replace(settings, secret_key=secret_key, encryption_keys=keys)


def generate_encryption_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _read_or_create(path: Path, make: Callable[[], str]) -> str:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"SOJOURN_DATA_DIR ({path.parent}) cannot be created: {error}.") from None
    if path.exists():
        return path.read_text().strip()
    value = make()
    # Created with O_EXCL so two processes starting together cannot write different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value
