"""A group's daily tip (on or off, the local time, the zone, the forum topic) and the
group's membership: the bot removed, re-added, or the group upgraded to a
supergroup. Every change reschedules the next delivery (group_chats.next_tip_at),
which is what bot/services/group_tip_delivery.py reads."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.services import schedule
from bot.services.context import Service
from storage import UnitOfWork
from storage.records import GroupChat


@dataclass(frozen=True)
class GroupTipSettings:
    enabled: bool
    minute: int
    timezone: str
    next_local: datetime | None  # the next delivery, in the group's zone
    active: bool = True  # False: the bot was removed or may not write

    @property
    def time_text(self) -> str:
        return schedule.format_minute(self.minute)


class GroupService(Service):
    async def settings(self, chat_id: int) -> GroupTipSettings:
        async with self._units() as uow:
            group = await uow.groups.get(chat_id)
        return self._settings(group or GroupChat(chat_id))

    def _settings(self, group: GroupChat) -> GroupTipSettings:
        zone_name, zone, _ = schedule.resolve_zone(group.timezone, self._default_timezone)
        next_local = group.next_tip_at.astimezone(zone) if group.next_tip_at else None
        return GroupTipSettings(
            group.tips_enabled, group.tip_minute, zone_name, next_local, group.active
        )

    async def _next_at(self, uow: UnitOfWork, group: GroupChat, now: datetime) -> datetime | None:
        """When its next tip is due: None unless tips are on and the bot may write."""
        if not (group.tips_enabled and group.active):
            return None
        _, zone, _ = schedule.resolve_zone(group.timezone, self._default_timezone)
        delivered = await uow.groups.has_delivery(group.chat_id, schedule.local_date_of(now, zone))
        return schedule.next_due(now, group.tip_minute, zone, delivered_today=delivered)

    async def _change(self, chat_id: int, **changes: object) -> GroupTipSettings:
        now = self._clock()
        async with self._units() as uow:
            group = replace(await uow.groups.get(chat_id) or GroupChat(chat_id), **changes)  # type: ignore[arg-type]
            group = replace(group, next_tip_at=await self._next_at(uow, group, now))
            await uow.groups.save(group, now)
            await uow.commit()
        return self._settings(group)

    async def turn_on(
        self, chat_id: int, title: str, minute: int, zone: str | None, thread_id: int | None
    ) -> GroupTipSettings:
        """Tips on at `minute` in `zone` (None: the zone it had, else the default),
        sent to the forum topic `thread_id` (None: the general chat)."""
        changes: dict[str, object] = {"title": title, "tips_enabled": True, "tip_minute": minute}
        if zone is not None:
            changes["timezone"] = zone
        return await self._change(chat_id, thread_id=thread_id, active=True, **changes)

    async def turn_off(self, chat_id: int) -> GroupTipSettings:
        return await self._change(chat_id, tips_enabled=False)

    async def forget_topic(self, chat_id: int) -> None:
        """The forum topic the tip went to was deleted: the general chat from now on."""
        await self._change(chat_id, thread_id=None)

    async def joined(self, chat_id: int, title: str) -> GroupTipSettings:
        """The bot is (again) a member that may write: a saved tip setting resumes."""
        return await self._change(chat_id, title=title, active=True)

    async def left(self, chat_id: int) -> None:
        """Removed, or may no longer write: tips stop, the setting is kept for a return."""
        now = self._clock()
        async with self._units() as uow:
            group = await uow.groups.get(chat_id)
            if group is not None:
                await uow.groups.save(replace(group, active=False, next_tip_at=None), now)
                await uow.commit()

    async def move_chat(self, old: int, new: int) -> None:
        """The group became supergroup `new`: its setting and tip history follow
        (bot/services/chat_moves.ChatMover)."""
        async with self._units() as uow:
            if await uow.groups.move(old, new, self._clock()):
                await uow.commit()
