from __future__ import annotations

import pytest

from global_chat.settings import AuthMode, Settings, SettingsError


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
        ("postgresql+asyncpg://postgres@h/db", "postgresql+asyncpg://postgres@h/db"),
    ],
)
def test_database_url_gets_its_async_driver(given: str, expected: str) -> None:
    assert make(database_url=given).async_database_url == expected


def test_anonymous_mode_refuses_a_public_address() -> None:
    with pytest.raises(SettingsError, match="ALLOW_INSECURE_BIND"):
        make(auth_mode=AuthMode.NONE).check_bind("0.0.0.0")


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_anonymous_mode_serves_loopback(host: str) -> None:
    make(auth_mode=AuthMode.NONE).check_bind(host)


def test_anonymous_mode_on_a_public_address_can_be_forced() -> None:
    make(auth_mode=AuthMode.NONE, allow_insecure_bind=True).check_bind("0.0.0.0")


def test_base_urls_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="absolute"):
        make(api_base_url="/v1")


def test_ui_origins_default_to_the_origin_of_the_ui_base_url() -> None:
    assert make(ui_base_url="https://App.example.com:443/chat").allowed_ui_origins == ("https://app.example.com",)


def test_ui_origins_are_a_comma_separated_list_of_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UI_ORIGINS", "https://app.example.com, http://localhost:3000/ ,")

    assert Settings(_env_file=None).allowed_ui_origins == ("https://app.example.com", "http://localhost:3000")


@pytest.mark.parametrize(
    "value",
    ["*", "https://*.example.com", "https://app.example.com/chat", "app.example.com", "null", "https://u@a.com"],
)
def test_a_ui_origin_must_be_exactly_an_origin(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("UI_ORIGINS", f"https://app.example.com,{value}")

    with pytest.raises(ValueError, match="is not an origin"):
        Settings(_env_file=None)


def test_the_pooler_setting_is_for_postgresql_only() -> None:
    with pytest.raises(ValueError, match="DB_POOLER=pgbouncer is for a PostgreSQL DATABASE_URL"):
        make(database_url="sqlite:///var/x.db", db_pooler="pgbouncer")


@pytest.mark.parametrize("pooler", ["none", "pgbouncer"])
def test_the_pooler_setting_takes_the_documented_values(pooler: str) -> None:
    assert make(database_url="postgresql://u@h/db", db_pooler=pooler).db_pooler.value == pooler


def test_an_unknown_pooler_stops_start_up() -> None:
    with pytest.raises(ValueError, match="db_pooler"):
        make(database_url="postgresql://u@h/db", db_pooler="pgpool")


@pytest.mark.parametrize(
    ("url", "expected"),
    [("sqlite:///var/x.db", "sqlite"), ("sqlite+aiosqlite:///x.db", "sqlite"), ("postgres://u@h/db", "postgresql")],
)
def test_the_backend_is_decided_once_from_the_url(url: str, expected: str) -> None:
    assert make(database_url=url).database_backend == expected


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "var/x.db"])
def test_a_database_we_do_not_serve_stops_start_up(url: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL must be a SQLite"):
        make(database_url=url)
