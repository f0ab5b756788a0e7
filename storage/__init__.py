"""Persistence: SQLAlchemy models, repositories, unit of work, migrations. No Telegram.

Use cases see only `UnitOfWork` (the protocol in storage.ports) and the records in
storage.records; `Database` is for the wiring, which opens and migrates it."""

from storage.database import Database, is_sqlite
from storage.ports import UnitOfWork, UnitsOfWork

__all__ = ["Database", "UnitOfWork", "UnitsOfWork", "is_sqlite"]
