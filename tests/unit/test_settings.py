from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_BASE_URL, Settings, SettingsError
from content import BUNDLED_CONTENT_DIR


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == DEFAULT_API_BASE_URL == "https://api.telegram.org/bot"
    assert settings.data_dir == Path("data")
    assert settings.database_url == "sqlite+aiosqlite:///data/nexus.db"
    assert settings.content_dir == BUNDLED_CONTENT_DIR
    assert settings.admin_ids == frozenset()
    assert (settings.default_timezone, settings.log_level) == ("UTC", "INFO")


def test_values_are_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "1:abc",
            "NEXUS_ADMIN_IDS": "1, 2,3",
            "NEXUS_DEFAULT_TIMEZONE": "Europe/Berlin",
            "NEXUS_LOG_LEVEL": "debug",
            "NEXUS_DATA_DIR": "/tmp/nexus-x",
        }
    )
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.log_level == "DEBUG"
    assert settings.database_url == "sqlite+aiosqlite:////tmp/nexus-x/nexus.db"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NEXUS_DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("NEXUS_DEFAULT_TIMEZONE", "localtime"),
        ("NEXUS_ADMIN_IDS", "alice,bob"),
        ("NEXUS_LOG_LEVEL", "LOUD"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org"),
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("NEXUS_CONTENT_DIR", "/nonexistent"),
    ],
)
def test_bad_values_fail_with_the_variable_name(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_missing_token_names_the_variable_and_suggests_chat() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({}).require_token()
    assert "TELEGRAM_BOT_TOKEN" in str(raised.value)
    assert "nexus-bot chat" in str(raised.value)


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.log_level = "DEBUG"  # type: ignore[misc]
