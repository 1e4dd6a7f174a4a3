"""The app factory: settings, overrides, and refusing to start on a broken dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import create_app
from service.api.resources import AnswersByLanguage
from service.config import ConfigError, settings_from_env
from service.dataset import DATA_DIR, DatasetError
from service.state import AppState

from .helpers import TEST_SETTINGS


def test_factory_uses_the_shipped_dataset_by_default() -> None:
    """With no settings, the app serves data/ and caches for an hour."""
    app = create_app()
    assert app.config["DATA_DIR"] == str(DATA_DIR)
    assert app.config["CACHE_MAX_AGE"] == 3600
    assert not app.testing
    # A server builds every language's answers before its first request (and before it
    # forks its workers, which then share them).
    state: AppState = app.extensions["twitchlore"]
    assert isinstance(state.catalogues, AnswersByLanguage)
    assert state.catalogues.built() == list(state.datasets) == ["en", "es", "hi", "tr"]


def test_a_test_app_builds_a_language_on_its_first_use_then_keeps_it() -> None:
    """An app in testing builds English at start and each other language when first asked
    for it, so the many apps the tests make do not each build four languages."""
    app = create_app(TEST_SETTINGS)
    state: AppState = app.extensions["twitchlore"]
    assert isinstance(state.catalogues, AnswersByLanguage)
    assert state.catalogues.built() == ["en"]
    assert "hi" in state.catalogues and "xx" not in state.catalogues
    assert state.catalogues.built() == ["en"]
    client = app.test_client()
    reading = client.get("/v1/readings/left-upper-sudden?lang=hi")
    assert reading.status_code == 200 and reading.headers["Content-Language"] == "hi"
    assert state.catalogues.built() == ["en", "hi"]
    kept = state.catalogues["hi"]
    assert client.get("/v1/omens?lang=hi").status_code == 200
    assert state.catalogues["hi"] is kept
    assert list(state.catalogues) == ["en", "es", "hi", "tr"] and len(state.catalogues) == 4


def test_config_argument_overrides_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings passed to create_app win over environment variables."""
    monkeypatch.setenv("TWITCHLORE_CACHE_MAX_AGE", "60")
    assert create_app().config["CACHE_MAX_AGE"] == 60
    assert create_app({"CACHE_MAX_AGE": 5}).config["CACHE_MAX_AGE"] == 5


def test_cache_lifetimes_reach_the_responses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The three TWITCHLORE_CACHE_* settings set the lifetimes browsers and CDNs see."""
    monkeypatch.setenv("TWITCHLORE_CACHE_MAX_AGE", "120")
    monkeypatch.setenv("TWITCHLORE_CACHE_S_MAXAGE", "86400")
    monkeypatch.setenv("TWITCHLORE_CACHE_STALE_WHILE_REVALIDATE", "30")
    response = create_app().test_client().get("/v1/readings?side=left&lip=upper")
    assert response.headers["Cache-Control"] == (
        "public, max-age=120, s-maxage=86400, stale-while-revalidate=30"
    )


@pytest.mark.parametrize("value", ["soon", "-1", "1.5"])
def test_bad_cache_max_age_stops_start_up(value: str) -> None:
    """A cache max-age that is not a whole, non-negative number is refused by name."""
    with pytest.raises(ConfigError, match=rf"^TWITCHLORE_CACHE_MAX_AGE='{value}': must"):
        settings_from_env({"TWITCHLORE_CACHE_MAX_AGE": value})


def test_data_dir_comes_from_the_environment(data_dir: Path) -> None:
    """TWITCHLORE_DATA_DIR points the service at another copy of the dataset."""
    assert settings_from_env({"TWITCHLORE_DATA_DIR": str(data_dir)})["DATA_DIR"] == str(data_dir)


def test_broken_dataset_stops_the_factory(data_dir: Path) -> None:
    """The app is never created on a dataset that breaks a rule."""
    (data_dir / "readings.yaml").write_text("[]\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^data/readings\.yaml: no reading for side=left"):
        create_app({"DATA_DIR": str(data_dir)})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TWITCHLORE_RATE_LIMIT", "lots", "must be a rate limit such as '600 per minute'"),
        ("TWITCHLORE_RATE_LIMIT_ENABLED", "maybe", "must be true or false"),
        ("TWITCHLORE_RATE_LIMIT", "0 per minute", "every limit must allow at least 1 request"),
        ("TWITCHLORE_RATE_LIMIT_STORAGE", "mysql://db", "must be memory:// or a redis:// URI"),
        ("RATELIMIT_STORAGE_URI", "mysql://db", "must be memory:// or a redis:// URI"),
        ("TWITCHLORE_TRUSTED_PROXIES", "two", "must be a whole number"),
        ("TWITCHLORE_RATE_LIMIT_IPV6_PREFIX", "129", "must be a whole number from 1 to 128"),
        ("TWITCHLORE_RATE_LIMIT_IPV6_PREFIX", "/64", "must be a whole number from 1 to 128"),
        ("TWITCHLORE_RATE_LIMIT_STORAGE_BUDGET_MS", "0", "must be a whole number from 1 to"),
        ("TWITCHLORE_RATE_LIMIT_STORAGE_BUDGET_MS", "0.05", "must be a whole number from 1 to"),
        ("TWITCHLORE_CORS_ORIGINS", "app.example", "is not an origin such as https://app.example"),
        ("TWITCHLORE_CORS_ALLOW_HEADERS", "X-App, X App", "is not a header name"),
        ("TWITCHLORE_LOG_LEVEL", "chatty", "must be DEBUG, INFO, WARNING or ERROR"),
    ],
)
def test_bad_setting_stops_start_up_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    """Each setting's bad value is refused with the variable's name and what it must be."""
    with pytest.raises(ConfigError, match=variable) as caught:
        settings_from_env({variable: value})
    assert message in str(caught.value)


def test_settings_are_read_from_the_environment() -> None:
    """Every variable in the README's table reaches the app's settings."""
    settings = settings_from_env(
        {
            "TWITCHLORE_RATE_LIMIT": "10/second",
            "TWITCHLORE_RATE_LIMIT_ENABLED": "false",
            "TWITCHLORE_RATE_LIMIT_STORAGE": "redis://localhost:6379/0",
            "TWITCHLORE_TRUSTED_PROXIES": "1",
            "TWITCHLORE_CORS_ORIGINS": "https://a.example, https://b.example",
            "TWITCHLORE_LOG_LEVEL": "warning",
            "TWITCHLORE_CORS_ALLOW_HEADERS": "X-App-Version, X-Tenant",
            "TWITCHLORE_RATE_LIMIT_IPV6_PREFIX": "56",
            "TWITCHLORE_RATE_LIMIT_STORAGE_BUDGET_MS": "120",
        }
    )
    assert settings["RATELIMIT_DEFAULT"] == "10/second"
    assert settings["RATELIMIT_ENABLED"] is False
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://localhost:6379/0"
    assert settings["TRUSTED_PROXIES"] == 1
    assert settings["CORS_ORIGINS"] == ["https://a.example", "https://b.example"]
    assert settings["LOG_LEVEL"] == "WARNING"
    assert settings["CORS_ALLOW_HEADERS"] == ["X-App-Version", "X-Tenant"]
    assert settings["RATELIMIT_IPV6_PREFIX"] == 56
    assert settings["RATELIMIT_STORAGE_BUDGET_MS"] == 120


def test_the_older_storage_variable_still_works() -> None:
    """RATELIMIT_STORAGE_URI, the setting's earlier name, is read when the new one is unset."""
    settings = settings_from_env({"RATELIMIT_STORAGE_URI": "redis://old:6379/0"})
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://old:6379/0"
    both = settings_from_env(
        {
            "RATELIMIT_STORAGE_URI": "redis://old:6379/0",
            "TWITCHLORE_RATE_LIMIT_STORAGE": "memory://",
        }
    )
    assert both["RATELIMIT_STORAGE_URI"] == "memory://"
