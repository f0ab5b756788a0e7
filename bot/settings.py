"""Settings, read once from the environment into a frozen object.

Bad values fail at start with one line naming the variable; secrets come only
from the environment (see .env.example).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.services import schedule
from content import BUNDLED_CONTENT_DIR

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
# Telegram allows about 30 messages/s per bot; more only makes sense against a test
# server (the benchmarks use it to measure processing without the flood limit).
MAX_SEND_RATE = 1000.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A missing or invalid environment variable; the message names it."""


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str | None
    telegram_api_base_url: str
    data_dir: Path
    database_url: str
    content_dir: Path
    admin_ids: frozenset[int]
    default_timezone: str
    log_level: str
    quiz_round_size: int = 5
    quiz_new_per_day: int = 10
    quiz_retention: float = 0.9
    send_rate: float = 29.5
    tip_tick_seconds: int = 15
    log_format: str = "text"
    metrics_port: int | None = None
    log_retention_days: int = 90
    messages_per_minute: int = 20
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = 8080
    clock_start: datetime | None = None  # rehearsals and tests: see bot.app.process_clock
    group_quiz_seconds: int = 60  # how long a group quiz question stays open
    group_quiz_round_size: int = 5

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        data_dir = Path(get("NEXUS_DATA_DIR") or "./data").expanduser()
        return cls(
            telegram_bot_token=_token(get("TELEGRAM_BOT_TOKEN")),
            telegram_api_base_url=_base_url(get("TELEGRAM_API_BASE_URL")),
            data_dir=data_dir,
            database_url=get("NEXUS_DATABASE_URL")
            or f"sqlite+aiosqlite:///{data_dir / 'nexus.db'}",
            content_dir=_content_dir(get("NEXUS_CONTENT_DIR")),
            admin_ids=_admin_ids(get("NEXUS_ADMIN_IDS")),
            default_timezone=_timezone(get("NEXUS_DEFAULT_TIMEZONE") or "UTC"),
            log_level=_log_level(get("NEXUS_LOG_LEVEL") or "INFO"),
            quiz_round_size=_whole_number(
                "NEXUS_QUIZ_ROUND_SIZE", get("NEXUS_QUIZ_ROUND_SIZE"), 5, 1, 20
            ),
            quiz_new_per_day=_whole_number(
                "NEXUS_QUIZ_NEW_PER_DAY", get("NEXUS_QUIZ_NEW_PER_DAY"), 10, 0, 500
            ),
            quiz_retention=_retention(get("NEXUS_QUIZ_RETENTION")),
            send_rate=_rate(get("NEXUS_SEND_RATE")),
            tip_tick_seconds=_whole_number(
                "NEXUS_TIP_TICK_SECONDS", get("NEXUS_TIP_TICK_SECONDS"), 15, 1, 60
            ),
            log_format=_choice(
                "NEXUS_LOG_FORMAT", get("NEXUS_LOG_FORMAT") or "text", ("text", "json")
            ),
            metrics_port=(
                _whole_number("NEXUS_METRICS_PORT", port, 0, 1, 65535)
                if (port := get("NEXUS_METRICS_PORT"))
                else None
            ),
            log_retention_days=_whole_number(
                "NEXUS_LOG_RETENTION_DAYS", get("NEXUS_LOG_RETENTION_DAYS"), 90, 1, 3650
            ),
            messages_per_minute=_whole_number(
                "NEXUS_MESSAGES_PER_MINUTE", get("NEXUS_MESSAGES_PER_MINUTE"), 20, 1, 1000
            ),
            webhook_url=_webhook_url(get("NEXUS_WEBHOOK_URL")),
            webhook_secret=_webhook_secret(get("NEXUS_WEBHOOK_SECRET")),
            port=_whole_number("NEXUS_PORT", get("NEXUS_PORT"), 8080, 1, 65535),
            clock_start=_instant("NEXUS_CLOCK_START", get("NEXUS_CLOCK_START")),
            group_quiz_seconds=_whole_number(
                "NEXUS_GROUP_QUIZ_SECONDS", get("NEXUS_GROUP_QUIZ_SECONDS"), 60, 5, 3600
            ),
            group_quiz_round_size=_whole_number(
                "NEXUS_GROUP_QUIZ_ROUND_SIZE", get("NEXUS_GROUP_QUIZ_ROUND_SIZE"), 5, 1, 20
            ),
        )

    def require_token(self) -> str:
        if not self.telegram_bot_token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it, "
                "or try the bot offline with `nexus-bot chat`"
            )
        return self.telegram_bot_token


def _token(value: str | None) -> str | None:
    if value is not None and (":" not in value or any(c.isspace() for c in value)):
        raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a bot token (123456:ABC...)")
    return value


def _base_url(value: str | None) -> str:
    url = value or DEFAULT_API_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise SettingsError(
            f"TELEGRAM_API_BASE_URL must start with http:// or https://, got {url!r}"
        )
    return url


def _content_dir(value: str | None) -> Path:
    path = Path(value).expanduser() if value else BUNDLED_CONTENT_DIR
    if not (path / "topics.yaml").is_file():
        raise SettingsError(f"NEXUS_CONTENT_DIR={path} is not a content folder (no topics.yaml)")
    return path


def _admin_ids(value: str | None) -> frozenset[int]:
    if not value:
        return frozenset()
    try:
        return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
    except ValueError:
        raise SettingsError(
            f"NEXUS_ADMIN_IDS must be comma-separated Telegram user ids, got {value!r}"
        ) from None


def _timezone(value: str) -> str:
    # The same names /timezone accepts: zones of the bundled tzdata, not the host's.
    if value not in schedule.bundled_zones():
        raise SettingsError(
            f"NEXUS_DEFAULT_TIMEZONE must be an IANA zone such as Europe/Berlin, got {value!r}"
        ) from None
    return value


def _whole_number(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return number


def _decimal(
    name: str, value: str | None, default: float, valid: Callable[[float], bool], expected: str
) -> float:
    """A number with a fraction; `expected` says what `valid` accepts, for the error."""
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan  # fails every comparison
    if not valid(number):
        raise SettingsError(f"{name} must be {expected}, got {value!r}")
    return number


def _rate(value: str | None) -> float:
    expected = f"messages per second above 0 and at most {MAX_SEND_RATE}"
    return _decimal("NEXUS_SEND_RATE", value, 29.5, lambda r: 0 < r <= MAX_SEND_RATE, expected)


def _retention(value: str | None) -> float:
    """FSRS's desired retention: the predicted recall at which a question is due again."""
    expected = "a recall probability from 0.7 to 0.97"
    return _decimal("NEXUS_QUIZ_RETENTION", value, 0.9, lambda r: 0.7 <= r <= 0.97, expected)


def _webhook_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise SettingsError(f"NEXUS_WEBHOOK_URL must be an https:// URL, got {value!r}")
    return value


def _webhook_secret(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
        raise SettingsError(
            "NEXUS_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    return value


def _instant(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise SettingsError(
            f"{name} must be an ISO 8601 instant with its offset, such as "
            f"2026-11-27T08:59:58+00:00, got {value!r}"
        )
    return moment.astimezone(UTC)


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value.lower() not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value.lower()


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise SettingsError(
            f"NEXUS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}"
        )
    return level
