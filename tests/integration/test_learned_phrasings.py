"""Learned phrasings on real databases: the repository (SQLite and PostgreSQL), two
replicas sharing what an admin taught (PostgreSQL), and the CLI export."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.services.context import ServiceContext
from bot.services.library import Library, LiveLibrary
from bot.services.operations import OpsService
from bot.services.teaching import NoSuchGroup, Taught, TeachingService, UnknownEntry
from content import MatchStatus, load_knowledge_base
from storage import Database
from storage.records import AskedQuestion
from tests.fakes import FakeClock

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
ADMIN = 9001
WEEK = timedelta(days=7)
GROUP = ("how do i bake sourdough bread", "bake sourdough bread?", "sourdough bread baking")


# -- the repository ----------------------------------------------------------------


async def test_teaching_twice_stores_each_phrasing_once(database: Database) -> None:
    async with database.unit_of_work() as uow:
        assert await uow.learned.teach("caching-etag", ["etag pls", "what's an etag"], 1, NOW) == 2
        await uow.commit()
    async with database.unit_of_work() as uow:
        later = NOW + timedelta(hours=1)
        assert await uow.learned.teach("caching-etag", ["etag pls", "etag?"], 2, later) == 1
        await uow.commit()
    async with database.unit_of_work() as uow:
        rows = await uow.learned.all()
    assert [(r.entry_id, r.text, r.taught_by) for r in rows] == [
        ("caching-etag", "etag pls", 1),
        ("caching-etag", "what's an etag", 1),
        ("caching-etag", "etag?", 2),
    ]
    assert rows[0].created_at.replace(tzinfo=UTC) == NOW


async def test_teaching_a_question_to_another_entry_moves_it(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.learned.teach("caching-etag", ["cache headers?", "etag pls"], 1, NOW)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.learned.teach("caching-cache-control", ["cache headers?"], 1, NOW) == 1
        await uow.commit()
    async with database.unit_of_work() as uow:
        pairs = sorted((r.entry_id, r.text) for r in await uow.learned.all())
    assert pairs == [("caching-cache-control", "cache headers?"), ("caching-etag", "etag pls")]


async def test_uncommitted_teaching_is_rolled_back(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.learned.teach("caching-etag", ["etag pls"], 1, NOW)
    async with database.unit_of_work() as uow:
        assert await uow.learned.all() == []


async def test_the_admins_data_lists_taught_phrasings_and_forget_keeps_them(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        await uow.learned.teach("caching-etag", ["etag pls"], ADMIN, NOW)
        await uow.learned.teach("caching-etag", ["etag?"], ADMIN + 1, NOW)
        await uow.commit()
    async with database.unit_of_work() as uow:
        exported = await uow.privacy.export(ADMIN)
    assert [(r["entry_id"], r["text"]) for r in exported["learned_phrasings"]] == [
        ("caching-etag", "etag pls")
    ]
    async with database.unit_of_work() as uow:
        await uow.privacy.forget(ADMIN)
        await uow.commit()
    async with database.unit_of_work() as uow:
        rows = await uow.learned.all()
    assert [(r.text, r.taught_by) for r in rows] == [("etag pls", None), ("etag?", ADMIN + 1)]


# -- the service, and two replicas -------------------------------------------------


def replica(database: Database, clock: FakeClock) -> tuple[LiveLibrary, TeachingService]:
    """One process's view: its own knowledge base and matcher, the shared database."""
    library = LiveLibrary(Library.of(load_knowledge_base(FIXTURE)))
    context = ServiceContext(library, database.unit_of_work, clock)
    return library, TeachingService(context, OpsService(context, FIXTURE))


async def log_unanswered(database: Database, questions: tuple[str, ...], at: datetime) -> None:
    async with database.unit_of_work() as uow:
        for question in questions:
            await uow.questions.add(
                AskedQuestion(
                    user_id=None,
                    text=question,
                    status="no_match",
                    entry_id=None,
                    score=20.0,
                    asked_at=at,
                )
            )
        await uow.commit()


def answers(library: LiveLibrary, question: str) -> str | None:
    result = library().matcher.match(question)
    best = result.best
    return best.entry.id if result.status is MatchStatus.ANSWERED and best else None


async def test_teaching_checks_the_entry_first_and_answers_at_once(database: Database) -> None:
    clock = FakeClock(NOW)
    library, teaching = replica(database, clock)
    await log_unanswered(database, GROUP, NOW - timedelta(hours=1))
    typo = await teaching.teach_number(1, "caching-etagg", ADMIN, WEEK)
    assert isinstance(typo, UnknownEntry) and typo.close[0] == "caching-etag"
    assert answers(library, GROUP[0]) != "caching-etag"

    outcome = await teaching.teach_number(1, "caching-etag", ADMIN, WEEK)
    assert outcome == Taught("caching-etag", questions=3, added=3)
    assert [answers(library, q) for q in GROUP] == ["caching-etag"] * 3
    assert not await teaching.sync()  # already applied: nothing changed

    clock.now = NOW + timedelta(days=8)  # the questions left the inbox's window
    assert await teaching.teach_number(1, "caching-etag", ADMIN, WEEK) == NoSuchGroup()


@pytest.fixture
async def shared_postgres(postgres_database_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two Database objects (two replicas' pools) on one PostgreSQL database."""
    first, second = Database(postgres_database_url), Database(postgres_database_url)
    await first.migrate()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
async def test_what_one_replica_is_taught_the_other_answers_after_its_sync(
    shared_postgres: tuple[Database, Database],
) -> None:
    database_a, database_b = shared_postgres
    clock = FakeClock(NOW)
    library_a, teaching_a = replica(database_a, clock)
    library_b, teaching_b = replica(database_b, clock)
    assert await teaching_b.sync()  # at start: the (empty) learned set is applied
    await log_unanswered(database_a, GROUP, NOW - timedelta(hours=1))

    assert await teaching_a.teach_number(1, "caching-etag", ADMIN, WEEK) == Taught(
        "caching-etag", 3, 3
    )
    assert answers(library_a, GROUP[1]) == "caching-etag"
    assert answers(library_b, GROUP[1]) != "caching-etag"  # B has not synced yet

    assert await teaching_b.sync()  # what B's job does every minute
    assert [answers(library_b, q) for q in GROUP] == ["caching-etag"] * 3
    assert not await teaching_b.sync()

    # B reloads its content: a new matcher, which the next sync fills at once.
    library_b.replace(Library.of(load_knowledge_base(FIXTURE)))
    assert answers(library_b, GROUP[2]) != "caching-etag"
    assert await teaching_b.sync()
    assert answers(library_b, GROUP[2]) == "caching-etag"


@pytest.mark.postgres
async def test_two_replicas_teaching_the_same_group_at_once_store_it_once(
    shared_postgres: tuple[Database, Database],
) -> None:
    database_a, database_b = shared_postgres
    clock = FakeClock(NOW)
    _, teaching_a = replica(database_a, clock)
    _, teaching_b = replica(database_b, clock)
    await log_unanswered(database_a, GROUP, NOW - timedelta(hours=1))
    outcomes = await asyncio.gather(
        teaching_a.teach_number(1, "caching-etag", ADMIN, WEEK),
        teaching_b.teach_number(1, "caching-etag", ADMIN + 1, WEEK),
    )
    assert sorted(o.added for o in outcomes if isinstance(o, Taught)) == [0, 3]
    async with database_a.unit_of_work() as uow:
        assert len(await uow.learned.all()) == 3


# -- the command line ----------------------------------------------------------------


def test_cli_lists_and_exports_learned_phrasings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEXUS_DATABASE_URL", raising=False)
    monkeypatch.setenv("NEXUS_DATA_DIR", str(tmp_path / "data"))
    assert main(["content", "learned", "--export"]) == 0
    assert capsys.readouterr().out == ""  # nothing taught: an empty export

    async def seed() -> None:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'nexus.db'}")
        async with database.unit_of_work() as uow:
            await uow.learned.teach("kubernetes-probes", ["pods die on deploy"], ADMIN, NOW)
            later = NOW + timedelta(minutes=1)
            await uow.learned.teach("caching-etag", ["etag pls", "what's an etag"], ADMIN, later)
            await uow.commit()
        await database.close()

    asyncio.run(seed())
    assert main(["content", "learned", "--export"]) == 0
    exported = capsys.readouterr().out
    assert yaml.safe_load(exported) == [
        {"entry": "caching-etag", "questions": ["etag pls", "what's an etag"]},
        {"entry": "kubernetes-probes", "questions": ["pods die on deploy"]},
    ]
    assert exported.startswith("- entry: caching-etag\n  questions:\n")

    output = tmp_path / "learned.yaml"
    assert main(["content", "learned", "--export", "--output", str(output)]) == 0
    assert capsys.readouterr().out == ""
    assert output.read_text() == exported

    assert main(["content", "learned"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["entry", "taught", "by", "taught", "at", "question"]
    assert table[1].split() == ["caching-etag", str(ADMIN), "2026-12-04", "09:01", "etag", "pls"]
    assert table[-1] == "3 phrasing(s) for 2 entries"


def test_cli_exports_a_phrasing_taught_for_a_merged_entry_under_the_entry_it_became(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEXUS_DATABASE_URL", raising=False)
    monkeypatch.setenv("NEXUS_DATA_DIR", str(tmp_path / "data"))
    assert main(["content", "learned", "--export"]) == 0  # creates the database
    capsys.readouterr()

    async def seed() -> None:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'nexus.db'}")
        async with database.unit_of_work() as uow:
            # Taught before rate-limiting-drf-throttling was merged into drf-throttling.
            await uow.learned.teach("rate-limiting-drf-throttling", ["429 on drf"], ADMIN, NOW)
            await uow.commit()
        await database.close()

    asyncio.run(seed())
    assert main(["content", "learned", "--export"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == [
        {"entry": "drf-throttling", "questions": ["429 on drf"]}
    ]
