"""PathService and learning_path on the in-memory unit of work: the program's
order, the next concept, and how mastering questions moves it on."""

from __future__ import annotations

from datetime import timedelta

from bot.services.context import ServiceContext
from bot.services.learners import Learner
from bot.services.path import LearningPath, PathService, StepStatus, learning_path
from content import load_knowledge_base
from storage.records import Memory, Review
from tests.fakes import FakeClock
from tests.fakes_storage import InMemoryStore

ADA = Learner(user_id=1, chat_id=1)


def strong(clock: FakeClock) -> Memory:
    """Mastered: predicted recall two weeks out stays far above 90%."""
    return Memory(200.0, 3.0, clock.now, clock.now + timedelta(days=200))


def faded(clock: FakeClock) -> Memory:
    """Answered once long ago: not mastered any more."""
    long_ago = clock.now - timedelta(days=60)
    return Memory(2.0, 5.0, long_ago, long_ago + timedelta(days=2))


async def remember(store: InMemoryStore, memory: Memory, *quiz_ids: str) -> None:
    async with store() as uow:
        for quiz_id in quiz_ids:
            await uow.quizzes.save_progress(ADA.user_id, Review(quiz_id, memory, True))
        await uow.commit()


def questions_of(context: ServiceContext, topic: str) -> list[str]:
    kb = context.library().kb
    return [q.id for e in kb.entries_in(topic) for q in kb.quizzes_for(e.id)]


def marks(path: LearningPath) -> list[tuple[str, StepStatus, int, int]]:
    return [(s.topic_id, s.status, s.mastered, s.questions) for s in path.steps]


async def test_a_new_learner_starts_at_step_one(context: ServiceContext) -> None:
    path = await PathService(context).path(ADA)
    assert marks(path) == [
        ("django", StepStatus.CURRENT, 0, 2),
        ("caching", StepStatus.AHEAD, 0, 2),
        ("kubernetes", StepStatus.AHEAD, 0, 2),
    ]
    assert path.next is not None
    assert (path.next.entry.id, path.next.step, path.next.topic_title) == (
        "django-select-related",
        1,
        "Django",
    )


async def test_the_next_concept_moves_on_as_questions_are_mastered(
    context: ServiceContext, store: InMemoryStore, clock: FakeClock
) -> None:
    service = PathService(context)
    await remember(store, strong(clock), "django-select-related-q1")
    path = await service.path(ADA)
    assert path.next is not None and path.next.entry.id == "django-only-defer"
    assert marks(path)[0] == ("django", StepStatus.CURRENT, 1, 2)

    await remember(store, strong(clock), *questions_of(context, "django"))
    path = await service.path(ADA)
    assert path.next is not None
    assert (path.next.entry.id, path.next.step) == ("caching-etag", 2)
    assert [s.status for s in path.steps] == [
        StepStatus.DONE,
        StepStatus.CURRENT,
        StepStatus.AHEAD,
    ]


async def test_a_question_answered_but_not_mastered_is_still_next(
    context: ServiceContext, store: InMemoryStore, clock: FakeClock
) -> None:
    """Seen is not learned: a faded question keeps (or brings back) its concept."""
    await remember(store, strong(clock), *questions_of(context, "django"))
    await remember(store, faded(clock), "django-only-defer-q1")
    path = await PathService(context).path(ADA)
    assert path.next is not None and path.next.entry.id == "django-only-defer"
    assert marks(path)[0] == ("django", StepStatus.CURRENT, 1, 2)


async def test_later_topics_mastered_first_do_not_skip_the_earlier_ones(
    context: ServiceContext, store: InMemoryStore, clock: FakeClock
) -> None:
    await remember(store, strong(clock), *questions_of(context, "kubernetes"))
    path = await PathService(context).path(ADA)
    assert path.next is not None and path.next.entry.topic == "django"
    assert [s.status for s in path.steps] == [
        StepStatus.CURRENT,
        StepStatus.AHEAD,
        StepStatus.DONE,
    ]


async def test_everything_mastered_leaves_no_next_concept(
    context: ServiceContext, store: InMemoryStore, clock: FakeClock
) -> None:
    kb = context.library().kb
    await remember(store, strong(clock), *(q.id for q in kb.quizzes))
    path = await PathService(context).path(ADA)
    assert path.next is None
    assert {s.status for s in path.steps} == {StepStatus.DONE}


async def test_showing_the_path_stores_nothing(
    context: ServiceContext, store: InMemoryStore
) -> None:
    await PathService(context).path(ADA)
    async with store() as uow:
        assert await uow.users.get(ADA.user_id) is None


def test_the_bundled_path_follows_the_program(clock: FakeClock) -> None:
    """topics.yaml's order, the program's: Python first, the projects last; the
    first concept is Python's first entry with questions; entries without questions
    are never a next concept."""
    kb = load_knowledge_base()
    path = learning_path(kb, {}, clock.now)
    assert [s.topic_id for s in path.steps] == [t.id for t in kb.topics]
    order = [s.topic_id for s in path.steps]
    assert order[0] == "python" and order[-1] == "program"
    assert order.index("django") < order.index("drf") < order.index("docker")
    assert order.index("database-design") < order.index("sql") < order.index("migrations")
    assert path.next is not None
    assert path.next.entry == kb.entries_in("python")[0]
    in_order = [e for t in kb.topics for e in kb.entries_in(t.id)]
    gap = next(i for i, e in enumerate(in_order) if not kb.quizzes_for(e.id))
    memories = {q.id: strong(clock) for e in in_order[:gap] for q in kb.quizzes_for(e.id)}
    after = learning_path(kb, memories, clock.now).next
    expected = next(e for e in in_order[gap:] if kb.quizzes_for(e.id))
    assert after is not None and after.entry == expected != in_order[gap]
