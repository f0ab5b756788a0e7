"""Inline mode as the Bot API runs it: `inline_query` updates from any user (started
the bot or not), `answerInlineQuery` with Telegram's checks, and the message a
chosen result posts in the chat where the user typed `@bot ...`."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from typing import Any

from bot.fake_telegram.checks import ApiError, check_text

MAX_RESULTS = 50
RESULT_ID_LIMIT = 64  # bytes
TITLE_LIMIT = 256  # Telegram's documented cap is loose; a title over this is surely a bug
START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


class InlineMode:
    """Inline queries the fake has delivered and the answers the bot gave them."""

    def __init__(self, update_ids: Iterator[int], bot: dict[str, Any]) -> None:
        self._update_ids = update_ids
        self._bot = bot
        self._query_ids = itertools.count(1)
        self._open: dict[str, int] = {}  # query id -> the user who typed it
        self.answers: dict[str, dict[str, Any]] = {}  # query id -> accepted answer params

    def query_update(
        self, user_id: int, query: str, *, chat_type: str = "private", first_name: str = "Grace"
    ) -> dict[str, Any]:
        """Build (not queue) the update Telegram sends when `user_id` types `@bot query`
        in a chat of `chat_type` ("sender" is their chat with the bot). No message, no
        chat: only the user, who may never have started the bot."""
        query_id = str(9_000_000 + next(self._query_ids))
        self._open[query_id] = user_id
        sender = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}
        inline = {"id": query_id, "from": sender, "query": query, "offset": ""}
        if chat_type:
            inline["chat_type"] = chat_type
        return {"update_id": next(self._update_ids), "inline_query": inline}

    def answer(self, params: dict[str, Any]) -> bool:
        """answerInlineQuery: Telegram's refusals, then the answer is kept for `choose`."""
        query_id = str(params.get("inline_query_id"))
        if query_id not in self._open:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        results = list(params.get("results") or [])
        if len(results) > MAX_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id") or "") for r in results]
        if any(not 1 <= len(i.encode()) <= RESULT_ID_LIMIT for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            _check_result(result)
        button = params.get("button")
        if button is not None and not START_PARAMETER.fullmatch(
            str(button.get("start_parameter") or "")
        ):
            raise ApiError(400, "Bad Request: START_PARAM_INVALID")
        cache_time = params.get("cache_time")
        if cache_time is not None and int(cache_time) < 0:
            raise ApiError(400, "Bad Request: cache_time must be non-negative")
        del self._open[query_id]  # one answer per query
        self.answers[query_id] = params
        return True

    def choose(self, query_id: str, result_id: str, chat_id: int) -> dict[str, Any]:
        """The message Telegram posts when the user picks `result_id` of the answer to
        `query_id` in chat `chat_id`: the text as shown (entities parsed), its keyboard,
        "via @bot". The bot gets no update for it (the chat may not include it)."""
        result = next(r for r in self.answers[query_id]["results"] if r["id"] == result_id)
        content = result["input_message_content"]
        message: dict[str, Any] = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "via_bot": self._bot,
            "text": check_text({**content, "text": content["message_text"]}),
        }
        if result.get("reply_markup"):
            message["reply_markup"] = result["reply_markup"]
        return message


def _check_result(result: dict[str, Any]) -> None:
    if result.get("type") != "article":
        raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
    if not 1 <= len(str(result.get("title") or "")) <= TITLE_LIMIT:
        raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
    content = result.get("input_message_content") or {}
    if "message_text" not in content:
        raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
    # The message a chosen result posts: the same limits and HTML rules as sendMessage.
    check_text(
        {
            "text": content["message_text"],
            "parse_mode": content.get("parse_mode"),
            "reply_markup": result.get("reply_markup"),
        }
    )
