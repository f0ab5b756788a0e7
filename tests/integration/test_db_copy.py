"""`nexus-bot db copy`: a populated SQLite database into an empty PostgreSQL one."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage import Database
from storage.models import Base, QuestionLog, User
from storage.records import AskedQuestion, GroupAnswer, GroupChat, Memory, Review, RoundAnswer

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def populate(database: Database) -> None:
    async with database.unit_of_work() as uow:
        for user in (1, 2, 3):
            await uow.users.arrive(user, user, "en", NOW)
            await uow.questions.add(
                AskedQuestion(
                    user_id=user,
                    text=f"q{user}",
                    status="answered",
                    entry_id="e",
                    score=80.0,
                    asked_at=NOW,
                )
            )
            await uow.ops.vote(user, "e", user % 2 == 0, NOW)
            await uow.tips.claim(user, NOW.date(), "tip", NOW)
            await uow.digests.claim(user, NOW.date(), NOW)
        round_row = await uow.quizzes.create_round(1, ["a", "b"], {"sql": 0.0}, NOW)
        await uow.quizzes.record_answer(1, round_row.id, RoundAnswer(0, "a", 1, True, NOW))
        await uow.quizzes.save_progress(1, Review("a", Memory(2.3, 2.1, NOW, NOW), True))
        await uow.replicas.take_update(42, NOW)
        await uow.replicas.agree("webhook_secret", "s3cret")
        await uow.learned.teach("e", ["q1", "q2"], 1, NOW)
        await uow.groups.save(GroupChat(-500, "cohort", tips_enabled=True), NOW)
        await uow.groups.claim(-500, NOW.date(), "tip", NOW)
        group_round = await uow.group_quizzes.create_round(-5, 7, 1, None, ["a"], NOW, NOW)
        assert group_round is not None
        answer = GroupAnswer(group_round.id, 0, 2, "a", 1, True, 15, NOW)
        await uow.group_quizzes.record_answer(-5, answer)
        await uow.group_quizzes.save_member(-5, 2, "Two", NOW)
        await uow.group_quizzes.set_hidden(2, True)
        await uow.commit()


async def copy_command(
    script: str, target: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [script, "db", "copy", "--to", target],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def counts(database: Database) -> dict[str, int]:
    result = {}
    async with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result[table.name] = (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
    return result


async def test_copy_sqlite_to_postgresql(tmp_path: Path, postgres_database_url: str) -> None:
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path / 'nexus.db'}"
    source = Database(sqlite_url)
    await source.migrate()
    await populate(source)
    expected = await counts(source)
    await source.close()
    assert all(expected.values()), expected  # every table has rows to copy

    env = {"PATH": "/usr/bin:/bin", "NEXUS_DATABASE_URL": sqlite_url}
    script = str(Path(sys.executable).parent / "nexus-bot")
    result = await copy_command(script, postgres_database_url, env)
    assert result.returncode == 0, result.stderr
    assert f"copied and verified: {sum(expected.values())} rows" in result.stdout

    target = Database(postgres_database_url)
    assert await counts(target) == expected
    async with target.unit_of_work() as uow:
        user = await uow.session.get(User, 2)  # the raw row: created_at with its zone
        assert user is not None and user.created_at == NOW  # time zone kept
        # The sequence moved past the copied ids: new rows get fresh ones.
        new_id = await uow.questions.add(
            AskedQuestion(
                user_id=1, text="new", status="no_match", entry_id=None, score=None, asked_at=NOW
            )
        )
        await uow.commit()
        assert new_id > max(
            r.id
            for r in (
                await uow.session.execute(select(QuestionLog).where(QuestionLog.text != "new"))
            ).scalars()
        )
    await target.close()

    again = await copy_command(script, postgres_database_url, env)
    assert again.returncode == 1 and "copy into an empty database" in again.stderr
