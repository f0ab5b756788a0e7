"""Everything stored about one learner: export it, or delete it.

Both walk every table of the schema, so a table added later is covered without
touching this code; a contract test checks that every table names its owner.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base, user_column


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime, date)) else value


class PrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        document: dict[str, list[dict[str, Any]]] = {}
        for table in Base.metadata.sorted_tables:
            owner = user_column(table.name)
            if owner is None:
                continue
            column = table.c[owner]
            result = await self.session.execute(select(table).where(column == user_id))
            document[table.name] = [
                {key: _plain(value) for key, value in row._mapping.items()} for row in result
            ]
        return document

    async def forget(self, user_id: int) -> int:
        """Delete every row of this learner in every table; returns how many.

        Rows that are shared content (info "forget": "anonymise", e.g. phrasings an
        admin taught) stay, with the owner column cleared.
        """
        removed = 0
        for table in reversed(Base.metadata.sorted_tables):  # children before users
            owner = user_column(table.name)
            if owner is None:
                continue
            column = table.c[owner]
            if table.info.get("forget") == "anonymise":
                statement = update(table).where(column == user_id).values({owner: None})
                result = await self.session.execute(statement)
            else:
                result = await self.session.execute(delete(table).where(column == user_id))
            removed += int(getattr(result, "rowcount", 0) or 0)
        return removed
