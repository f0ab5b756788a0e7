"""Per-user flood control: past `limit` messages a minute a user gets one polite
"slow down" and the rest is ignored until the window passes. Other users are
unaffected. In memory, per process: with several replicas each keeps its own."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.telegram import ops_views
from bot.telegram.handlers import Context, send_view

WINDOW_SECONDS = 60.0


class FloodGuard:
    def __init__(self, limit: int = 20, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._seen: dict[int, deque[float]] = defaultdict(deque)
        self._warned: set[int] = set()

    def allow(self, user_id: int) -> bool | None:
        """True: go on. False: over the limit, warn once. None: over, already warned."""
        now = self._clock()
        seen = self._seen[user_id]
        while seen and now - seen[0] >= WINDOW_SECONDS:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned.discard(user_id)
            return True
        if user_id in self._warned:
            return None
        self._warned.add(user_id)
        return False

    async def check(self, update: Update, context: Context) -> None:
        """Runs before every handler (group -1); stops the update when over the limit."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or update.message is None:
            return  # button presses are answered by their handlers; only messages count
        verdict = self.allow(user.id)
        if verdict is True:
            return
        if verdict is False:
            await send_view(context, chat.id, ops_views.SLOW_DOWN)
        raise ApplicationHandlerStop
