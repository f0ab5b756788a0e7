"""Time for use cases: injectable for tests, always timezone-aware UTC."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def process_clock(start: datetime | None, monotonic: Callable[[], float] = time.monotonic) -> Clock:
    """The clock every service reads: the wall clock or, with NEXUS_CLOCK_START (for
    rehearsals and tests), a clock that reads `start` now and then runs at the wall
    clock's pace (so a test can put a daily tip a second ahead of it)."""
    if start is None:
        return utc_now
    began = monotonic()
    return lambda: start + timedelta(seconds=monotonic() - began)
