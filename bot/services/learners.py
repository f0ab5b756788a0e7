"""Who is asking, and the one step every use case takes when a learner shows up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.services import schedule
from bot.services.context import Service
from storage import UnitOfWork
from storage.records import LearnerProfile


@dataclass(frozen=True)
class Learner:
    """Who is asking: enough to reply and to keep their progress."""

    user_id: int
    chat_id: int  # where this update came from: the reply goes there
    language: str | None = None
    private: bool = True  # False in a group: the chat is not the learner's own

    @property
    def home_chat_id(self) -> int | None:
        """The chat to record as the learner's own (tips go there); None from a group."""
        return self.chat_id if self.private else None


async def arrive(uow: UnitOfWork, learner: Learner, now: datetime) -> LearnerProfile:
    """Record that the learner is here (created on first contact, language and last
    seen refreshed) and return their stored profile."""
    return await uow.users.arrive(learner.user_id, learner.home_chat_id, learner.language, now)


def zone_of_profile(profile: LearnerProfile | None, default_timezone: str) -> tzinfo:
    """The learner's zone, or the default when they chose none or it no longer resolves."""
    return schedule.resolve_zone(profile.timezone if profile else None, default_timezone)[1]


class LearnerService(Service):
    async def greet(self, learner: Learner) -> LearnerProfile:
        """Record the learner on /start (first contact or return); their profile."""
        async with self._units() as uow:
            profile = await arrive(uow, learner, self._clock())
            await uow.commit()
        return profile
