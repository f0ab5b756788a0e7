"""Authors teach the bot: a question group from the unanswered inbox becomes learned
phrasings of an entry, stored in the database and applied to every replica's matcher."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.services.context import Service, ServiceContext
from bot.services.library import Library
from bot.services.operations import Cluster, OpsService
from content import KnowledgeBase
from storage import UnitsOfWork
from storage.records import LearnedPhrasing

if TYPE_CHECKING:
    from content.matcher import Matcher

SYNC_SECONDS = 60  # how soon every replica answers what was taught on another
CANDIDATES = 3  # the matcher's best entries offered for a group, beside its logged nearest
MAX_TEXT = 500  # longer questions are not stored (the column's limit; none teach much)


@dataclass(frozen=True)
class TeachCard:
    """One inbox group, ready to teach: its number in the inbox and the entries to offer."""

    number: int
    key: str
    cluster: Cluster
    candidates: tuple[str, ...]  # entry ids, nearest first


@dataclass(frozen=True)
class Taught:
    entry_id: str
    questions: int  # the group's distinct questions now answered by the entry
    added: int  # how many of them were not taught before


@dataclass(frozen=True)
class UnknownEntry:
    given: str
    close: tuple[str, ...]  # the knowledge base's nearest entry ids


@dataclass(frozen=True)
class NoSuchGroup:
    """The group is not in the inbox (any more): a stale button or a wrong number."""


TeachResult = Taught | UnknownEntry | NoSuchGroup


def cluster_key(cluster: Cluster) -> str:
    """A short, stable name for a group (10 hex digits of its example's hash), so a
    button still finds it after the inbox gained or lost other groups."""
    return _key(cluster.example)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def close_ids(kb: KnowledgeBase, given: str) -> tuple[str, ...]:
    found = process.extract(
        given.lower(), [e.id for e in kb.entries], scorer=fuzz.WRatio, limit=3, score_cutoff=60
    )
    return tuple(entry_id for entry_id, _, _ in found)


def grouped(phrasings: Sequence[LearnedPhrasing]) -> list[tuple[str, list[str]]]:
    """(entry id, its questions oldest first), by entry id."""
    by_entry: dict[str, list[str]] = {}
    for phrasing in phrasings:
        by_entry.setdefault(phrasing.entry_id, []).append(phrasing.text)
    return sorted(by_entry.items())


async def learned_phrasings(units: UnitsOfWork) -> list[LearnedPhrasing]:
    async with units() as uow:
        return await uow.learned.all()


class TeachingService(Service):
    def __init__(
        self,
        context: ServiceContext,
        ops: OpsService,
    ) -> None:
        super().__init__(context)
        self._ops = ops
        # What the live matcher was last given; a reload brings a new matcher.
        self._applied: tuple[Matcher, tuple[tuple[str, str], ...]] | None = None
        # One sync at a time: a slow periodic read must not overwrite a newer teach's.
        self._sync_lock = asyncio.Lock()

    async def card(self, key: str, since: timedelta) -> TeachCard | None:
        found = await self._find(since, key=key)
        return self._card(await self._library.ready(), *found) if found else None

    async def teach_group(
        self, key: str, entry_id: str, admin_id: int, since: timedelta
    ) -> TeachResult:
        """Teach the group a button names (by key) to answer with `entry_id`."""
        return self._unknown(entry_id) or await self._teach(
            await self._find(since, key=key), entry_id, admin_id
        )

    async def teach_number(
        self, number: int, entry_id: str, admin_id: int, since: timedelta
    ) -> TeachResult:
        """Teach the inbox's group `number` (1-based, as /unanswered shows it now)."""
        return self._unknown(entry_id) or await self._teach(
            await self._find(since, number=number), entry_id, admin_id
        )

    async def sync(self) -> bool:
        """Give the live matcher every learned phrasing in the database; True if it
        changed. Runs on each replica every SYNC_SECONDS, at start, after a teach
        and after a reload (which builds a new matcher)."""
        return await self.teach_matcher((await self._library.ready()).matcher)

    async def teach_matcher(self, matcher: Matcher) -> bool:
        """Give `matcher` every learned phrasing in the database (a start gives its new
        matcher them before the first question); True if it changed."""
        async with self._sync_lock:
            pairs = tuple((p.entry_id, p.text) for p in await learned_phrasings(self._units))
            if self._applied is not None:
                applied_to, applied = self._applied
                if applied_to is matcher and applied == pairs:
                    return False
            matcher.set_learned(pairs)
            self._applied = (matcher, pairs)
            return True

    def _unknown(self, entry_id: str) -> UnknownEntry | None:
        """Checked before anything else: a mistyped id must not look like success."""
        kb = self._library.kb
        return None if kb.entry(entry_id) else UnknownEntry(entry_id, close_ids(kb, entry_id))

    async def _find(
        self, since: timedelta, *, key: str | None = None, number: int | None = None
    ) -> tuple[int, Cluster] | None:
        clusters = (await self._ops.inbox(since)).clusters
        if number is not None:
            return (number, clusters[number - 1]) if 1 <= number <= len(clusters) else None
        for position, cluster in enumerate(clusters, start=1):
            if cluster_key(cluster) == key:
                return position, cluster
        # Counts changed and another wording became the example: still the same group.
        for position, cluster in enumerate(clusters, start=1):
            if any(_key(question) == key for question in cluster.questions):
                return position, cluster
        return None

    def _card(self, library: Library, number: int, cluster: Cluster) -> TeachCard:
        ranked = [c.entry.id for c in library.matcher.rank(cluster.example)[:CANDIDATES]]
        nearest = cluster.nearest_entry
        if nearest and nearest not in ranked and library.kb.entry(nearest) is not None:
            ranked.append(nearest)
        return TeachCard(number, cluster_key(cluster), cluster, tuple(ranked))

    async def _teach(
        self, found: tuple[int, Cluster] | None, entry_id: str, admin_id: int
    ) -> TeachResult:
        if found is None:
            return NoSuchGroup()
        questions = [q for q in found[1].questions if q and len(q) <= MAX_TEXT]
        async with self._units() as uow:
            added = await uow.learned.teach(entry_id, questions, admin_id, self._clock())
            await uow.commit()
        await self.sync()  # this replica answers at once; the others within SYNC_SECONDS
        return Taught(entry_id, len(questions), added)
