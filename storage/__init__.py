"""Persistence: SQLAlchemy models, repositories, unit of work, migrations. No Telegram."""

from storage.database import Database, is_sqlite
from storage.unit_of_work import UnitOfWork

__all__ = ["Database", "UnitOfWork", "is_sqlite"]
