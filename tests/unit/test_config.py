"""Configuration: documented defaults, and one clear sentence for each invalid value."""

from __future__ import annotations

import pytest

from pipeline_core.domain.errors import ConfigError
from pipeline_core.store.config import load_settings

VARIABLES = [
    "DATABASE_URL",
    "REDIS_URL",
    "PIPELINE_DATA_DIR",
    "PIPELINE_TIMEZONE",
    "PIPELINE_LOG_LEVEL",
    "PIPELINE_SEED_DEMO",
    "PIPELINE_CACHE_TTL_HEALTH",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_run_everything_embedded() -> None:
    settings = load_settings()
    assert settings.embedded_database and settings.embedded_redis
    assert settings.pipeline_timezone == "Asia/Jakarta"
    assert settings.pipeline_log_level == "INFO"
    assert settings.data_dir.name == ".data"
    assert (settings.pipeline_cache_ttl_health, settings.pipeline_cache_ttl_stages) == (300, 900)


def test_external_urls_switch_off_the_embedded_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert not settings.embedded_database and not settings.embedded_redis


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "DATABASE_URL",
            "mysql://root@localhost/db",
            "DATABASE_URL is invalid ('mysql://…'): expected a PostgreSQL URL",
        ),
        ("REDIS_URL", "memcached://x", "REDIS_URL is invalid ('memcached://…'): expected a Redis URL"),
        (
            "PIPELINE_TIMEZONE",
            "Asia/Jakarte",
            "PIPELINE_TIMEZONE is invalid ('Asia/Jakarte'): expected an IANA time zone",
        ),
        ("PIPELINE_LOG_LEVEL", "chatty", "PIPELINE_LOG_LEVEL is invalid ('CHATTY'): expected one of DEBUG"),
        ("PIPELINE_SEED_DEMO", "maybe", "PIPELINE_SEED_DEMO is invalid ('maybe'): expected true or false"),
        (
            "PIPELINE_CACHE_TTL_HEALTH",
            "0",
            "PIPELINE_CACHE_TTL_HEALTH is invalid ('0'): expected a whole number",
        ),
        (
            "PIPELINE_TRUSTED_PROXIES",
            "127.0.0.1,nginx",
            "PIPELINE_TRUSTED_PROXIES is invalid ('127.0.0.1,nginx'): expected IP addresses or networks",
        ),
    ],
)
def test_an_invalid_value_names_the_variable_and_what_is_expected(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def test_credentials_in_a_bad_url_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://admin:s3cret@db.internal/umrah")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert "s3cret" not in str(error.value)


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TRUSTED_PROXIES", " 127.0.0.1 , 10.0.0.0/8,::1")
    assert load_settings().pipeline_trusted_proxies == "127.0.0.1,10.0.0.0/8,::1"
    monkeypatch.delenv("PIPELINE_TRUSTED_PROXIES")
    assert load_settings().pipeline_trusted_proxies == ""  # nobody's forwarded headers believed


def test_the_scan_limit_is_5_mb_unless_set_and_refused_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIPELINE_SCAN_MAX_MB", raising=False)
    assert load_settings().scan_max_bytes == 5 * 1024 * 1024
    monkeypatch.setenv("PIPELINE_SCAN_MAX_MB", "2.5")
    assert load_settings().scan_max_bytes == int(2.5 * 1024 * 1024)
    monkeypatch.setenv("PIPELINE_SCAN_MAX_MB", "500")
    with pytest.raises(
        ConfigError, match=r"PIPELINE_SCAN_MAX_MB is invalid \('500'\): expected a number of megabytes"
    ):
        load_settings()
