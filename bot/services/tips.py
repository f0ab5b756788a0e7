"""A learner's daily-tip settings: on or off, the local time, the zone.

Every change reschedules the next delivery in the database (users.next_tip_at),
which is what the delivery side (bot/services/tip_delivery.py) reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import digest, schedule
from bot.services.context import Service
from bot.services.learners import Learner, arrive
from storage.records import LearnerProfile, TipSchedule


@dataclass(frozen=True)
class TipSettings:
    enabled: bool
    minute: int
    timezone: str
    next_local: datetime | None  # the next delivery, in the learner's zone
    blocked: bool = False

    @property
    def time_text(self) -> str:
        return schedule.format_minute(self.minute)


class TipService(Service):
    async def settings(self, learner: Learner) -> TipSettings:
        async with self._units() as uow:
            profile = await arrive(uow, learner, self._clock())
            await uow.commit()
        return self._settings(profile)

    def _settings(self, profile: LearnerProfile) -> TipSettings:
        zone_name, zone, _ = schedule.resolve_zone(profile.timezone, self._default_timezone)
        next_local = (
            profile.next_tip_at.astimezone(zone)
            if profile.tips_enabled and profile.next_tip_at
            else None
        )
        return TipSettings(
            profile.tips_enabled,
            profile.tip_minute,
            zone_name,
            next_local,
            profile.tips_blocked_at is not None,
        )

    async def _reschedule(
        self,
        learner: Learner,
        *,
        enabled: bool | None = None,
        minute: int | None = None,
        timezone: str | None = None,
    ) -> TipSettings:
        now = self._clock()
        async with self._units() as uow:
            profile = await arrive(uow, learner, now)
            enabled = profile.tips_enabled if enabled is None else enabled
            minute = profile.tip_minute if minute is None else minute
            stored_zone = profile.timezone if timezone is None else timezone
            _, zone, _ = schedule.resolve_zone(stored_zone, self._default_timezone)
            today = schedule.local_date_of(now, zone)
            delivered = await uow.tips.has_delivery(learner.user_id, today)
            next_at = (
                schedule.next_due(now, minute, zone, delivered_today=delivered) if enabled else None
            )
            await uow.tips.save_schedule(
                learner.user_id, TipSchedule(enabled, minute, stored_zone, next_at)
            )
            # The weekly digest follows the tip time and zone (and tips, unless chosen).
            await digest.reschedule(uow, learner.user_id, self._default_timezone, now)
            stored = await uow.users.get(learner.user_id)  # the answer shows what is stored
            assert stored is not None  # arrive() created it in this unit of work
            await uow.commit()
        return self._settings(stored)

    async def turn_on(self, learner: Learner) -> TipSettings:
        return await self._reschedule(learner, enabled=True)

    async def turn_off(self, learner: Learner) -> TipSettings:
        return await self._reschedule(learner, enabled=False)

    async def set_time(self, learner: Learner, minute: int) -> TipSettings:
        return await self._reschedule(learner, minute=minute)

    async def set_timezone(self, learner: Learner, zone_name: str) -> TipSettings:
        return await self._reschedule(learner, timezone=zone_name)
