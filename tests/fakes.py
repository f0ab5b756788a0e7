"""Test doubles shared across the test tiers."""

from __future__ import annotations

from datetime import datetime


class FakeClock:
    """A clock that tells the time it is set to; tests move `now` by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
