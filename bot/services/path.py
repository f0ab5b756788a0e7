"""A path through the program: its topics in the order it teaches them, the
learner's mastery of each, and the next concept to learn.

The order is the knowledge base's: topics as listed in content/data/topics.yaml,
and within a topic its entries in the order of their entry file. A concept is an
entry with quiz questions (only those can be learned and checked). **The next
concept** is the first one, in that order, with a question the learner has not
mastered (never answered, or predicted recall below `repetition.MASTERED_RECALL`
two weeks from now). When every question is mastered there is none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.services import repetition
from bot.services.context import Service
from bot.services.learners import Learner
from content import Entry, KnowledgeBase
from storage.records import Memory


class StepStatus(Enum):
    DONE = "done"  # every question of the topic mastered
    CURRENT = "current"  # holds the next concept
    AHEAD = "ahead"  # anything else, including a topic without questions


@dataclass(frozen=True)
class PathStep:
    topic_id: str
    title: str
    mastered: int  # questions mastered
    questions: int
    status: StepStatus


@dataclass(frozen=True)
class NextConcept:
    entry: Entry
    step: int  # 1-based position of its topic on the path
    topic_title: str


@dataclass(frozen=True)
class LearningPath:
    steps: tuple[PathStep, ...]
    next: NextConcept | None  # None: everything on the path is mastered


def learning_path(kb: KnowledgeBase, memories: Mapping[str, Memory], now: datetime) -> LearningPath:
    """The path for one learner's memories (quiz id -> memory) at `now`."""
    mastered = {q for q, memory in memories.items() if repetition.is_mastered(memory, now)}
    concept: NextConcept | None = None
    steps = []
    for number, topic in enumerate(kb.topics, start=1):
        entries = kb.entries_in(topic.id)
        questions = [q.id for e in entries for q in kb.quizzes_for(e.id)]
        done = sum(q in mastered for q in questions)
        first = next((e for e in entries if _unmastered(kb, e, mastered)), None)
        if concept is None and first is not None:
            concept = NextConcept(first, number, topic.title)
            status = StepStatus.CURRENT
        elif questions and done == len(questions):
            status = StepStatus.DONE
        else:
            status = StepStatus.AHEAD
        steps.append(PathStep(topic.id, topic.title, done, len(questions), status))
    return LearningPath(tuple(steps), concept)


def _unmastered(kb: KnowledgeBase, entry: Entry, mastered: set[str]) -> bool:
    return any(q.id not in mastered for q in kb.quizzes_for(entry.id))


class PathService(Service):
    """Reads only: showing the path stores nothing about the learner."""

    async def path(self, learner: Learner) -> LearningPath:
        kb = self._library.kb
        async with self._units() as uow:
            progress = await uow.quizzes.progress(learner.user_id)
        memories = {q: card.memory for q, card in progress.items()}
        return learning_path(kb, memories, self._clock())
