"""The unit of work on SQLAlchemy (storage.ports.UnitOfWork): one per update or job;
the use case commits, nothing else does."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


class SqlUnitOfWork:
    """`async with database.unit_of_work() as uow: ...; await uow.commit()`.

    Leaving the block without commit rolls everything back.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> SqlUnitOfWork:
        self.session = self._sessions()
        self.users = UserRepository(self.session)
        self.questions = QuestionLogRepository(self.session)
        self.quizzes = QuizRepository(self.session)
        self.tips = TipRepository(self.session)
        self.digests = DigestRepository(self.session)
        self.ops = OpsRepository(self.session)
        self.privacy = PrivacyRepository(self.session)
        self.replicas = ReplicaRepository(self.session)
        self.learned = LearnedRepository(self.session)
        self.groups = GroupRepository(self.session)
        self.group_quizzes = GroupQuizRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            # Detach what was loaded first: rows read in the unit of work stay readable
            # after it (rollback would expire them); uncommitted writes are discarded.
            self.session.expunge_all()
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
