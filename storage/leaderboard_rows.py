"""The leaderboard's side of the group quiz repository: points per member, names and
the hide-my-name setting. Never commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import records
from storage.group_models import GroupMember, GroupQuizAnswer, LeaderboardSetting
from storage.repositories import dialect_insert


class LeaderboardRows:
    session: AsyncSession

    async def standings(self, chat_id: int, since: datetime | None) -> list[records.Standing]:
        """Every member's points in the chat (since `since`), most points first."""
        points = func.sum(GroupQuizAnswer.points)
        right = func.sum(case((GroupQuizAnswer.correct, 1), else_=0))
        statement = select(GroupQuizAnswer.user_id, points, right).where(
            GroupQuizAnswer.chat_id == chat_id
        )
        if since is not None:
            statement = statement.where(GroupQuizAnswer.answered_at >= since)
        statement = statement.group_by(GroupQuizAnswer.user_id).order_by(
            points.desc(), right.desc(), GroupQuizAnswer.user_id
        )
        result = await self.session.execute(statement)
        return [records.Standing(int(u), int(p or 0), int(r or 0)) for u, p, r in result.all()]

    async def save_member(self, chat_id: int, user_id: int, name: str, now: datetime) -> None:
        statement = dialect_insert(self.session, GroupMember).values(
            chat_id=chat_id, user_id=user_id, name=name[:64], updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["chat_id", "user_id"], set_={"name": name[:64], "updated_at": now}
        )
        await self.session.execute(statement)

    async def members(self, chat_id: int, user_ids: Collection[int]) -> dict[int, records.Member]:
        """Names and hide-my-name choices of these members of the chat."""
        result = await self.session.execute(
            select(GroupMember.user_id, GroupMember.name, LeaderboardSetting.hidden)
            .outerjoin(LeaderboardSetting, LeaderboardSetting.user_id == GroupMember.user_id)
            .where(GroupMember.chat_id == chat_id, GroupMember.user_id.in_(list(user_ids)))
        )
        return {u: records.Member(u, n, bool(h)) for u, n, h in result.all()}

    async def set_hidden(self, user_id: int, hidden: bool) -> None:
        statement = dialect_insert(self.session, LeaderboardSetting).values(
            user_id=user_id, hidden=hidden
        )
        statement = statement.on_conflict_do_update(
            index_elements=["user_id"], set_={"hidden": hidden}
        )
        await self.session.execute(statement)

    async def is_hidden(self, user_id: int) -> bool:
        hidden = await self.session.scalar(
            select(LeaderboardSetting.hidden).where(LeaderboardSetting.user_id == user_id)
        )
        return bool(hidden)
