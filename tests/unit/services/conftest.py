"""Services on the in-memory unit of work: fast, no database, an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services.context import ServiceContext
from bot.services.library import Library, LiveLibrary
from content import load_knowledge_base
from tests.fakes import FakeClock
from tests.fakes_storage import InMemoryStore

FIXTURE = Path(__file__).parents[2] / "fixtures" / "content"


@pytest.fixture(scope="session")
def fixture_library() -> Library:
    return Library.of(load_knowledge_base(FIXTURE))


@pytest.fixture
def library(fixture_library: Library) -> LiveLibrary:
    return LiveLibrary(fixture_library)


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # 08:00 in Berlin


@pytest.fixture
def context(library: LiveLibrary, store: InMemoryStore, clock: FakeClock) -> ServiceContext:
    return ServiceContext(library, store, clock, "Europe/Berlin")
