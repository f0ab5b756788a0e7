"""A real PTB Application with Nexus's handlers, fed real Update JSON through an
in-memory Bot API; tests assert the exact payloads the bot sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi, InMemoryRequest
from bot.settings import Settings

USER_ID = 5005


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def fixture_settings(settings: Settings) -> Settings:
    """Settings pointing at the small test knowledge base (stable expectations)."""
    return replace(settings, content_dir=Path(__file__).parent.parent / "fixtures" / "content")


@pytest.fixture
async def nexus(fixture_settings: Settings, api: FakeBotApi) -> AsyncIterator[Nexus]:
    """The bot on the small test knowledge base."""
    async with Nexus(fixture_settings, request=InMemoryRequest(api)) as running:
        yield running


@pytest.fixture
async def bundled_nexus(settings: Settings, api: FakeBotApi) -> AsyncIterator[Nexus]:
    """The bot on the shipped knowledge base."""
    async with Nexus(settings, request=InMemoryRequest(api)) as running:
        yield running
