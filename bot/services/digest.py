"""A learner's weekly-digest setting: on, off, or (never chosen) following their
daily tips. The digest is due on Sunday at the learner's tip time, in their zone;
every change reschedules it in the database (users.next_digest_at), which is what
the delivery side (bot/services/digest_delivery.py) reads. Tip settings call
`reschedule` too, since the digest follows the tip time and zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from bot.services import schedule
from bot.services.context import Service
from bot.services.learners import Learner, arrive
from storage import UnitOfWork
from storage.records import LearnerProfile

SUNDAY = 6  # date.weekday()


def sunday_of(day: date) -> date:
    """The Sunday that ends `day`'s week (Monday..Sunday): the week's key."""
    return day + timedelta(days=(SUNDAY - day.weekday()) % 7)


def last_sunday(day: date) -> date:
    """The latest Sunday on or before `day`."""
    return day - timedelta(days=(day.weekday() - SUNDAY) % 7)


def next_sunday_due(now: datetime, minute: int, zone: tzinfo, sent_this_week: bool) -> datetime:
    """The next Sunday at `minute` (local) strictly after now; not this week's if
    this week's digest went out already."""
    sunday = sunday_of(schedule.local_date_of(now, zone))
    candidate = schedule.due_at(sunday, minute, zone)
    if sent_this_week or candidate <= now:
        candidate = schedule.due_at(sunday + timedelta(days=7), minute, zone)
    return candidate


async def reschedule(uow: UnitOfWork, user_id: int, default_zone: str, now: datetime) -> None:
    """Set when the learner's next digest is due from what is stored now."""
    profile = await uow.users.get(user_id)
    if profile is None:
        return
    next_at = None
    if profile.wants_digest:
        _, zone, _ = schedule.resolve_zone(profile.timezone, default_zone)
        sunday = sunday_of(schedule.local_date_of(now, zone))
        sent = await uow.digests.has_digest(user_id, sunday)
        next_at = next_sunday_due(now, profile.tip_minute, zone, sent)
    await uow.digests.set_next(user_id, next_at)


@dataclass(frozen=True)
class DigestSettings:
    enabled: bool
    chosen: bool | None  # None: never chosen, it follows the daily tips
    tips_enabled: bool
    minute: int
    timezone: str
    next_local: datetime | None  # the next digest, in the learner's zone

    @property
    def time_text(self) -> str:
        return schedule.format_minute(self.minute)


class DigestService(Service):
    async def settings(self, learner: Learner) -> DigestSettings:
        async with self._units() as uow:
            profile = await arrive(uow, learner, self._clock())
            await uow.commit()
        return self._settings(profile)

    async def turn_on(self, learner: Learner) -> DigestSettings:
        return await self._choose(learner, True)

    async def turn_off(self, learner: Learner) -> DigestSettings:
        return await self._choose(learner, False)

    async def _choose(self, learner: Learner, choice: bool) -> DigestSettings:
        now = self._clock()
        async with self._units() as uow:
            await arrive(uow, learner, now)
            await uow.digests.save_choice(learner.user_id, choice, None)
            await reschedule(uow, learner.user_id, self._default_timezone, now)
            stored = await uow.users.get(learner.user_id)
            assert stored is not None  # arrive() created it in this unit of work
            await uow.commit()
        return self._settings(stored)

    def _settings(self, profile: LearnerProfile) -> DigestSettings:
        zone_name, zone, _ = schedule.resolve_zone(profile.timezone, self._default_timezone)
        next_local = profile.next_digest_at.astimezone(zone) if profile.next_digest_at else None
        return DigestSettings(
            profile.wants_digest,
            profile.digest,
            profile.tips_enabled,
            profile.tip_minute,
            zone_name,
            next_local if profile.wants_digest else None,
        )
