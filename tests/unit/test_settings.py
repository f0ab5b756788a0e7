from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.clock import process_clock, utc_now
from bot.settings import DEFAULT_API_BASE_URL, Settings, SettingsError
from content import BUNDLED_CONTENT_DIR
from tests.fakes import VirtualTime


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == DEFAULT_API_BASE_URL == "https://api.telegram.org/bot"
    assert settings.data_dir == Path("data")
    assert settings.database_url == "sqlite+aiosqlite:///data/nexus.db"
    assert settings.content_dir == BUNDLED_CONTENT_DIR
    assert settings.admin_ids == frozenset()
    assert (settings.default_timezone, settings.log_level) == ("UTC", "INFO")
    assert settings.quiz_retention == 0.9
    assert Settings.from_env({"NEXUS_QUIZ_RETENTION": "0.85"}).quiz_retention == 0.85


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
        ("NEXUS_CLOCK_START", "tomorrow"),
        ("NEXUS_SEND_RATE", "0"),
        ("NEXUS_SEND_RATE", "fast"),
        ("NEXUS_QUIZ_RETENTION", "0.5"),
        ("NEXUS_QUIZ_RETENTION", "0.99"),
        ("NEXUS_QUIZ_RETENTION", "ninety"),
        ("NEXUS_CLOCK_START", "2026-11-27T08:59:58"),  # no offset: which 08:59?
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


def test_the_process_clock_starts_at_nexus_clock_start_and_runs_on() -> None:
    assert Settings.from_env({}).clock_start is None
    assert process_clock(None) is utc_now
    settings = Settings.from_env({"NEXUS_CLOCK_START": "2026-11-27T09:59:58+01:00"})
    start = datetime(2026, 11, 27, 8, 59, 58, tzinfo=UTC)
    assert settings.clock_start == start and settings.clock_start.tzinfo is UTC
    time_ = VirtualTime()
    clock = process_clock(settings.clock_start, time_.clock)
    assert clock() == start
    time_.now += 2.5
    assert clock() == start + timedelta(seconds=2.5)
