"""The /unanswered inbox stays bounded and never holds up the event loop."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services import operations
from bot.services.context import ServiceContext
from bot.services.library import Library, LiveLibrary
from bot.services.operations import OpsService
from content import load_knowledge_base
from storage import Database
from storage.records import AskedQuestion

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


async def log_questions(database: Database, texts: list[str]) -> None:
    async with database.unit_of_work() as uow:
        await uow.users.arrive(7, 7, None, NOW)
        for minute, text in enumerate(texts):
            await uow.questions.add(
                AskedQuestion(
                    user_id=7,
                    text=text,
                    status="no_match",
                    entry_id=None,
                    score=None,
                    asked_at=NOW + timedelta(minutes=minute),
                )
            )
        await uow.commit()


async def test_only_the_latest_unanswered_questions_are_read(database: Database) -> None:
    await log_questions(database, [f"question {i}" for i in range(5)])
    async with database.unit_of_work() as uow:
        latest = await uow.ops.unanswered(NOW - timedelta(days=1), limit=3)
        everything = await uow.ops.unanswered(NOW - timedelta(days=1))
    assert [q.text for q in latest] == ["question 2", "question 3", "question 4"]
    assert len(everything) == 5


async def test_the_inbox_clusters_in_a_worker_thread_and_caps_its_work(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await log_questions(database, ["how do i bake bread"] * 4 + ["fix my bicycle"] * 2)
    seen: list[tuple[str, int]] = []
    real = operations.cluster_questions

    def spy(logged, normalizer):  # type: ignore[no-untyped-def]
        seen.append((threading.current_thread().name, len(logged)))
        return real(logged, normalizer)

    monkeypatch.setattr(operations, "cluster_questions", spy)
    monkeypatch.setattr(operations, "MAX_CLUSTERED", 5)
    library = LiveLibrary(Library.of(load_knowledge_base(FIXTURE)))
    later = ServiceContext(library, database.unit_of_work, lambda: NOW + timedelta(hours=1))
    service = OpsService(later, FIXTURE)
    inbox = await service.inbox(timedelta(days=7))
    ((thread, clustered),) = seen
    assert thread != threading.main_thread().name
    assert clustered == 5  # the latest five of six
    assert [(c.count, c.example) for c in inbox.clusters] == [
        (3, "how do i bake bread"),
        (2, "fix my bicycle"),
    ]
