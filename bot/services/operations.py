"""What the people who run a Nexus need: the unanswered-question inbox, feedback,
statistics, content reload, and each learner's data (export and forget)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bot.memory import give_back_free_memory
from bot.services.context import Service, ServiceContext
from bot.services.learners import Learner, arrive
from bot.services.library import Library
from content import Problem, read_content
from content.normalize import Normalizer

CLUSTER_SIMILARITY = 75.0
# The inbox clusters at most this many of the latest unanswered questions: the work
# stays bounded however busy the week was.
MAX_CLUSTERED = 1000


@dataclass(frozen=True)
class Cluster:
    count: int
    example: str  # the most frequent wording
    questions: tuple[str, ...]
    nearest_entry: str | None


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    phrasings: tuple[tuple[str, int], ...]  # (question, times picked)


@dataclass(frozen=True)
class Inbox:
    clusters: tuple[Cluster, ...]
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class Stats:
    users: int
    active_7d: int
    active_30d: int
    questions: dict[str, int]
    top_entries: tuple[tuple[str, int], ...]
    quiz_answers: int
    quiz_correct: int
    tips_last_day: dict[str, int]
    feedback: tuple[tuple[str, int, int], ...]


def cluster_questions(
    logged: Sequence[tuple[str, str | None]], normalizer: Normalizer
) -> list[Cluster]:
    """Group similar questions (greedy, in order), biggest group first. Each question
    joins the closest group whose first question is similar enough (rapidfuzz's
    C loop over the anchors, not a Python one)."""
    anchors: list[str] = []
    groups: list[tuple[str, list[tuple[str, str | None]]]] = []
    for text, entry in logged:
        key = " ".join(normalizer.content_tokens(text)) or text.lower().strip()
        found = process.extractOne(
            key, anchors, scorer=fuzz.token_set_ratio, score_cutoff=CLUSTER_SIMILARITY
        )
        if found is not None:
            groups[found[2]][1].append((text, entry))
        else:
            anchors.append(key)
            groups.append((key, [(text, entry)]))
    clusters = []
    for _, members in groups:
        wordings = Counter(text.strip() for text, _ in members)
        entries = Counter(entry for _, entry in members if entry)
        clusters.append(
            Cluster(
                count=len(members),
                example=wordings.most_common(1)[0][0],
                questions=tuple(wordings),
                nearest_entry=entries.most_common(1)[0][0] if entries else None,
            )
        )
    return sorted(clusters, key=lambda c: (-c.count, c.example))


async def _nothing_to_scrub() -> None:
    """A store that leaves no copies of deleted rows behind needs no scrub."""


class OpsService(Service):
    def __init__(
        self,
        context: ServiceContext,
        content_dir: Path,
        scrub: Callable[[], Awaitable[object]] = _nothing_to_scrub,
    ) -> None:
        super().__init__(context)
        self._content_dir = content_dir
        self._scrub = scrub

    async def vote(self, learner: Learner, entry_id: str, helpful: bool) -> None:
        async with self._units() as uow:
            await arrive(uow, learner, self._clock())
            await uow.ops.vote(learner.user_id, entry_id, helpful, self._clock())
            await uow.commit()

    async def inbox(self, since: timedelta) -> Inbox:
        start = self._clock() - since
        async with self._units() as uow:
            logged = await uow.ops.unanswered(start, limit=MAX_CLUSTERED)
            picked = await uow.ops.picked_suggestions(start)
        normalizer = self._library.normalizer
        # In a worker thread: a busy week's inbox must not hold up everyone's answers.
        clusters = await asyncio.to_thread(
            cluster_questions, [(q.text, q.entry_id) for q in logged], normalizer
        )
        by_entry: dict[str, Counter[str]] = {}
        for text, entry in picked:
            by_entry.setdefault(entry, Counter())[text.strip()] += 1
        suggestions = tuple(
            Suggestion(entry, tuple(counts.most_common()))
            for entry, counts in sorted(by_entry.items(), key=lambda kv: -sum(kv[1].values()))
        )
        return Inbox(tuple(clusters), suggestions)

    async def stats(self) -> Stats:
        now = self._clock()
        async with self._units() as uow:
            users, active_7d, active_30d = await uow.ops.user_counts(
                [now - timedelta(days=7), now - timedelta(days=30)]
            )
            questions = await uow.ops.question_statuses(now - timedelta(days=30))
            top = await uow.ops.top_entries(now - timedelta(days=30))
            answers, correct = await uow.ops.quiz_totals(now - timedelta(days=30))
            tips = await uow.ops.tip_statuses(now - timedelta(days=1))
            feedback = await uow.ops.feedback_by_entry()
        return Stats(
            users,
            active_7d,
            active_30d,
            questions,
            tuple(top),
            answers,
            correct,
            tips,
            tuple(feedback),
        )

    async def reload(self) -> list[Problem]:
        """Re-read the content; on errors the old content stays live. Reading and
        indexing (which encodes new or changed texts) run in a worker thread, so
        the bot keeps answering meanwhile."""
        return await asyncio.to_thread(self._reload)

    def _reload(self) -> list[Problem]:
        kb, problems = read_content(self._content_dir)
        errors = [p for p in problems if not p.warning]
        if not errors:
            self._library.replace(Library.of(kb))
            give_back_free_memory()  # the old matcher's arrays, and what the build read
        return errors

    async def export(self, learner: Learner) -> dict[str, Any]:
        async with self._units() as uow:
            return await uow.privacy.export(learner.user_id)

    async def forget(self, learner: Learner) -> int:
        async with self._units() as uow:
            removed = await uow.privacy.forget(learner.user_id)
            await uow.commit()
        await self._scrub()  # SQLite: no copy left in the WAL file either
        return removed

    async def purge_question_log(self, retention_days: int) -> int:
        async with self._units() as uow:
            removed = await uow.ops.purge_questions(self._clock() - timedelta(days=retention_days))
            await uow.commit()
        return removed
