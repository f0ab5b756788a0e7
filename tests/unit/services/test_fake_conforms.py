"""The in-memory unit of work must keep up with the protocol, as the SQL one does:
same repositories, same methods, same parameters. Otherwise unit tests would test
a different contract than the one production runs."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from storage import ports
from storage.digest_repository import DigestRepository
from storage.group_quiz_repository import GroupQuizRepository
from storage.group_repository import GroupRepository
from storage.learned_repository import LearnedRepository
from storage.ops_repository import OpsRepository
from storage.privacy import PrivacyRepository
from storage.quiz_repository import QuizRepository
from storage.replica_repository import ReplicaRepository
from storage.repositories import QuestionLogRepository, UserRepository
from storage.tip_repository import TipRepository
from tests import fakes_group_quiz
from tests import fakes_storage as fake

PAIRS = [
    (ports.Users, UserRepository, fake.FakeUsers),
    (ports.Questions, QuestionLogRepository, fake.FakeQuestions),
    (ports.Quizzes, QuizRepository, fake.FakeQuizzes),
    (ports.Tips, TipRepository, fake.FakeTips),
    (ports.Digests, DigestRepository, fake.FakeDigests),
    (ports.Ops, OpsRepository, fake.FakeOps),
    (ports.Privacy, PrivacyRepository, fake.FakePrivacy),
    (ports.Replicas, ReplicaRepository, fake.FakeReplicas),
    (ports.Learned, LearnedRepository, fake.FakeLearned),
    (ports.GroupChats, GroupRepository, fake.FakeGroups),
    (ports.GroupQuizzes, GroupQuizRepository, fakes_group_quiz.FakeGroupQuizzes),
]


def methods(cls: type) -> dict[str, list[str]]:
    return {
        name: list(inspect.signature(member).parameters)[1:]
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize(("protocol", "sql", "memory"), PAIRS, ids=lambda c: c.__name__)
def test_both_implementations_have_the_protocols_methods(
    protocol: type, sql: type, memory: type
) -> None:
    wanted = methods(protocol)
    assert wanted, protocol  # the protocol declares something
    for implementation in (sql, memory):
        found = methods(implementation)
        assert {name: found.get(name) for name in wanted} == wanted, implementation


def test_the_fake_unit_of_work_has_every_repository() -> None:
    declared = {
        name
        for name, member in inspect.getmembers(ports.UnitOfWork)
        if isinstance(member, property)
    }
    assert declared == {
        "users",
        "questions",
        "quizzes",
        "tips",
        "digests",
        "ops",
        "privacy",
        "replicas",
        "learned",
        "groups",
        "group_quizzes",
    }
    opened = fake.FakeUnitOfWork(fake.InMemoryStore())

    asyncio.run(opened.__aenter__())
    assert all(hasattr(opened, name) for name in declared)
