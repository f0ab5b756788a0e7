"""Per-user flood control: messages *and* button presses share one budget of
`limit` a minute per user. Past it every press gets a short callback alert (a
press must be answered anyway) and no message; the first message gets one polite
"slow down" unless an alert already said so, then silence until the window
passes. Other users are unaffected. In memory, per process: with several
replicas each keeps its own.

Why this also keeps one user from starving the others: every reply goes through
the bot-wide FloodLimiter (bot/telegram/flood.py), a first-come-first-served
queue of ~30 sends a second. A user can put at most `limit` replies (+ one
"slow down") into that queue a minute, so however fast they type or tap, another
user's reply waits behind at most `limit + 1` of theirs (21 sends, about 0.7 s at
the default 29.5/s). An over-budget press is answered with
answerCallbackQuery, which is not a send and takes no slot from that budget.

Privacy requests (/forget and its buttons, /mydata, their deep links
`/start forget` and `/start mydata`, /tips off and the tips-off button) are never
held back by that budget: a throttled user can always leave. They have an
allowance of their own (`limit` a minute), so they cannot become a flood either.

Inline queries (`@bot etag` in any chat, from users who may never have started the
bot) count per user too, in an allowance of their own, `inline_limit` a minute
(INLINE_SHARE times `limit` by default): a client sends one per pause in typing,
so one search is several queries, and answerInlineQuery is not a message (it takes
no slot of the FloodLimiter), so it should not eat the budget of questions and
taps. Past it a query is answered with no results, a "too many searches" line,
personal and briefly cached (never unanswered, which leaves the client spinning).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.presentation import callbacks, deep_links, inline_views, ops_views
from bot.telegram.send import Context, answer_inline, send_view

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
# The answer to an over-budget button press (a callback alert holds at most 200 chars).
SLOW_DOWN_ALERT = "Too many taps: wait a minute, then try again. ⏳"
PRIVACY_COMMANDS = frozenset({"forget", "mydata"})
TIPS_OFF_ARGUMENTS = frozenset({"off", "no", "0", "stop"})  # what /tips reads as "off"
INLINE_SHARE = 3  # inline queries a minute, per `limit` of messages


class _Window:
    """One sliding minute of one kind of request, per user, with a warned flag."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._seen: dict[int, deque[float]] = defaultdict(deque)
        self._warned: set[int] = set()

    def allow(self, user_id: int, limit: int) -> bool | None:
        """True: go on. False: over the limit, warn once. None: over, already warned."""
        now = self._clock()
        seen = self._seen[user_id]
        while seen and now - seen[0] >= WINDOW_SECONDS:
            seen.popleft()
        if len(seen) < limit:
            seen.append(now)
            self._warned.discard(user_id)
            return True
        if user_id in self._warned:
            return None
        self._warned.add(user_id)
        return False


class FloodGuard:
    def __init__(
        self,
        limit: int = 20,
        clock: Callable[[], float] = time.monotonic,
        inline_limit: int | None = None,
    ) -> None:
        self.limit = limit
        self.inline_limit = INLINE_SHARE * limit if inline_limit is None else inline_limit
        self._clock = clock
        self._requests = _Window(self._now)
        self._privacy = _Window(self._now)
        self._inline = _Window(self._now)

    def _now(self) -> float:
        # Through self._clock at call time, so a test may swap the clock afterwards.
        return self._clock()

    def allow(self, user_id: int) -> bool | None:
        """Questions, commands and button presses: True go on, False warn once, None drop."""
        return self._requests.allow(user_id, self.limit)

    def allow_privacy(self, user_id: int) -> bool | None:
        """Privacy requests: the same answers, from their own allowance."""
        return self._privacy.allow(user_id, self.limit)

    def allow_inline(self, user_id: int) -> bool:
        """Inline queries: True go on, False answer with THROTTLED (every time)."""
        return self._inline.allow(user_id, self.inline_limit) is True

    async def check(self, update: Update, context: Context) -> None:
        """Runs before every handler (group -1); stops the update when over the limit."""
        user = update.effective_user
        if user is None:
            return
        inline = update.inline_query
        if inline is not None:
            if self.allow_inline(user.id):
                return
            try:  # an unanswered query leaves the client spinning; this is not a send
                await answer_inline(context, inline, inline_views.THROTTLED)
            except TelegramError as error:
                log.info("could not answer an over-budget inline query: %s", error)
            raise ApplicationHandlerStop
        query = update.callback_query
        if query is not None:
            verdict = (
                self.allow_privacy(user.id) if _privacy_button(query.data) else self.allow(user.id)
            )
            if verdict is True:
                return
            try:  # every press must be answered, or the client spins; no message
                await query.answer(SLOW_DOWN_ALERT)
            except TelegramError as error:
                log.info("could not answer an over-budget button press: %s", error)
            raise ApplicationHandlerStop
        message, chat = update.message, update.effective_chat
        if message is None or chat is None:
            return  # edited messages, channel posts, membership changes: not counted
        if message.migrate_to_chat_id or message.migrate_from_chat_id:
            return  # a group's upgrade to a supergroup: its settings must follow
        if _privacy_command(message.text, context.bot.username):
            verdict = self.allow_privacy(user.id)
        else:
            verdict = self.allow(user.id)
        if verdict is True:
            return
        if verdict is False:
            await send_view(context, chat.id, ops_views.SLOW_DOWN)
        raise ApplicationHandlerStop


def _privacy_command(text: str | None, bot_username: str | None) -> bool:
    """/forget, /mydata or /tips off (in any form /tips reads as off), addressed to us."""
    words = (text or "").split()
    if not words or not words[0].startswith("/"):
        return False
    name, _, addressee = words[0][1:].partition("@")
    if addressee and addressee.lower() != (bot_username or "").lower():
        return False  # another bot's command: the handlers ignore it, so it is no exemption
    name = name.lower()
    if name in PRIVACY_COMMANDS:
        return True
    if name == "start" and len(words) == 2:  # a deep link to /forget or /mydata
        link = deep_links.decode(words[1])
        return isinstance(link, deep_links.RunCommand) and link.name in PRIVACY_COMMANDS
    return name == "tips" and " ".join(words[1:]).strip().lower() in TIPS_OFF_ARGUMENTS


def _privacy_button(data: str | None) -> bool:
    """The /forget confirmation (either answer) and a tips-off switch."""
    match callbacks.decode(data):
        case callbacks.Forget():
            return True
        case callbacks.TipsSwitch(on=False):
            return True
    return False
