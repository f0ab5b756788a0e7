"""The Bot API's behaviour, reduced to what Nexus uses, with Telegram's own checks
(message and caption length, HTML entities, callback_data size) so tests catch what Telegram
would reject. Thread-safe: the loopback server calls it from its own threads."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.fake_telegram import media
from bot.fake_telegram.checks import ApiError, check_markup, check_text
from bot.fake_telegram.group_chats import GroupChats
from bot.fake_telegram.groups import GroupMode
from bot.fake_telegram.inline import InlineMode

BOT_USER = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "Nexus",
    "username": "nexus_study_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,  # inline mode on, as /setinline does
}


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    result: Any = None  # what the API answered (None for an error)
    at: float = 0.0  # time.monotonic() when the call was served

    @property
    def publishes_menu(self) -> bool:
        """The default command menu being set: the last call of every bot start
        (bot.telegram.application.register_commands): FakeBotApi.starts counts by it."""
        return self.method == "setMyCommands" and not self.params.get("scope")


def _starts(calls: list[ApiCall]) -> int:
    """How many bot starts `calls` hold: each start publishes the default menu last."""
    return sum(call.publishes_menu for call in calls)


class NetworkFault(Exception):
    """Injected failure of the transport: `delivered` says whether Telegram got it."""

    def __init__(self, kind: str, delivered: bool) -> None:
        super().__init__(kind)
        self.kind = kind
        self.delivered = delivered


class FakeBotApi(GroupChats):
    """Also enforces what tests need to see handled: `flood_limit` messages per
    second overall (429 with retry_after past it), `blocked_chats` (403), and
    one-shot `faults` per chat id ("connect": nothing sent; "read_timeout": the
    message arrives but the answer is lost)."""

    def __init__(self, flood_limit: float | None = None) -> None:
        self.flood_limit = flood_limit
        # 401 or 404: every call is refused as Telegram refuses a revoked token (401) or
        # a token under a wrong TELEGRAM_API_BASE_URL path (404), getMe included.
        self.reject_token: int | None = None
        self.blocked_chats: set[int] = set()
        self.faults: dict[int, list[str]] = {}
        self._recent_sends: list[float] = []
        self.calls: list[ApiCall] = []
        self._updates: list[dict[str, Any]] = []
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self.inline = InlineMode(self._update_ids, BOT_USER)  # inline_query updates, answers
        self.groups = GroupMode(self._update_ids, self._message_ids, BOT_USER)  # groups
        self._lock = threading.Condition()
        self.commands: list[dict[str, Any]] = []  # the default menu
        # Menus for a scope (setMyCommands' `scope`), by the scope's type.
        self.scoped_commands: dict[str, list[dict[str, Any]]] = {}
        self.chats: dict[int, dict[str, Any]] = {}  # groups (see GroupChats)
        self.webhook: dict[str, Any] = {}
        # True: another process "is already polling": getUpdates answers 409 Conflict.
        self.polling_conflict = False
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda p: BOT_USER,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "answerCallbackQuery": lambda p: True,
            "answerInlineQuery": self.inline.answer,
            "sendChatAction": lambda p: True,
            "getChatMember": self.groups.get_chat_member,
            "sendDocument": lambda p: media.send_document(self._new_message, p),
            "sendPhoto": lambda p: media.send_photo(self._new_message, p),
        }

    # -- what tests and the console use -----------------------------------------------

    def message_update(
        self, user_id: int, text: str, *, chat_id: int | None = None, first_name: str = "Ada"
    ) -> dict[str, Any]:
        """Build (not queue) a private text message update, with command entities."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id or user_id, "type": "private", "first_name": first_name},
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "language_code": "en",
            },
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._update_ids), "message": message}

    def callback_update(
        self, user_id: int, message: dict[str, Any], data: str, *, first_name: str = "Ada"
    ) -> dict[str, Any]:
        """Build a button press on a message the bot sent (in any chat: several
        members may press buttons of the same group message)."""
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": {"id": user_id, "is_bot": False, "first_name": first_name},
                "chat_instance": "1",
                "message": message,
                "data": data,
            },
        }

    def push_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self._updates.append(update)
            self._lock.notify_all()

    def sent(self, method: str | None = None) -> list[ApiCall]:
        with self._lock:
            return [c for c in self.calls if method is None or c.method == method]

    def wait_for(
        self, predicate: Callable[[list[ApiCall]], bool], timeout: float = 10.0
    ) -> list[ApiCall]:
        """Block until `predicate(calls)` holds (event-driven, no polling sleeps)."""
        with self._lock:
            if not self._lock.wait_for(lambda: predicate(self.calls), timeout=timeout):
                raise TimeoutError(f"condition not met in {timeout}s; calls: {self.calls[-5:]}")
            return list(self.calls)

    def starts(self) -> int:
        """How many bot starts have completed (each publishes the default menu last)."""
        with self._lock:
            return _starts(self.calls)

    def wait_for_starts(self, count: int, timeout: float = 30.0) -> None:
        """Block until `count` bot starts have completed."""
        self.wait_for(lambda calls: _starts(calls) >= count, timeout)

    # -- the API --------------------------------------------------------------------

    def handle(
        self, method: str, params: dict[str, Any], *, wait: bool = True
    ) -> tuple[int, dict[str, Any]]:
        """Serve one Bot API call; returns the HTTP status and Telegram's JSON body."""
        if self.reject_token is not None:
            description = "Unauthorized" if self.reject_token == 401 else "Not Found"
            return self.reject_token, {
                "ok": False,
                "error_code": self.reject_token,
                "description": description,
            }
        handler = self._handlers.get(method)
        if handler is None:
            return 404, {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        if method == "getUpdates":
            if self.polling_conflict:
                return 409, {
                    "ok": False,
                    "error_code": 409,
                    "description": "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                }
            return 200, {"ok": True, "result": self._get_updates(params, wait=wait)}
        with self._lock:
            result = None
            try:
                result = handler(params)
            except NetworkFault:
                self._lock.notify_all()
                raise
            except ApiError as error:
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": error.code,
                    "description": error.description,
                }
                if error.parameters:
                    body["parameters"] = error.parameters
                status = error.code
            else:
                body, status = {"ok": True, "result": result}, 200
            self.calls.append(ApiCall(method, params, result, time.monotonic()))
            self._lock.notify_all()
        return status, body

    def _get_updates(self, params: dict[str, Any], wait: bool = True) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0) if wait else 0.0
        with self._lock:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout > 0:
                self._lock.wait_for(lambda: bool(self._updates), timeout=timeout)
            return list(self._updates)

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": params.get("url"), "secret_token": params.get("secret_token")}
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        scope = self._scope(params)
        if scope == "default":
            self.commands = list(params.get("commands") or [])
        else:
            self.scoped_commands[scope] = list(params.get("commands") or [])
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        scope = self._scope(params)
        return self.commands if scope == "default" else self.scoped_commands.get(scope, [])

    @staticmethod
    def _scope(params: dict[str, Any]) -> str:
        # A dict both in-process and over HTTP (the server decodes JSON form fields).
        scope = params.get("scope")
        return str(scope["type"]) if scope else "default"

    def _admit(self, chat_id: int) -> None:
        """Telegram's refusals, checked before a message is accepted."""
        faults = self.faults.get(chat_id)
        if faults and faults[0] == "connect":
            faults.pop(0)
            raise NetworkFault("connect", delivered=False)
        self.groups.admit(chat_id)  # 400 with migrate_to_chat_id for an upgraded group
        if chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.flood_limit is not None:
            now = time.monotonic()
            self._recent_sends = [t for t in self._recent_sends if now - t < 1.0]
            if len(self._recent_sends) >= self.flood_limit:
                raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self._recent_sends.append(now)

    def _new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        """A message from the bot to params' chat, after Telegram's admission checks."""
        chat_id = int(params["chat_id"])
        self._admit(chat_id)
        self.groups.admit_topic(chat_id, params.get("message_thread_id"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": dict(self.chats.get(chat_id) or {"id": chat_id, "type": "private"}),
            "from": BOT_USER,
            **content,
        }
        if params.get("message_thread_id") is not None:  # sent to a forum topic
            message.update(
                message_thread_id=int(params["message_thread_id"]), is_topic_message=True
            )
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text = check_text(params)
        markup = {"reply_markup": params["reply_markup"]} if params.get("reply_markup") else {}
        message = self._new_message(params, text=text, **markup)
        faults = self.faults.get(message["chat"]["id"])
        if faults and faults[0] == "read_timeout":
            faults.pop(0)
            # The message arrived; only the answer is lost on the way back.
            self.calls.append(ApiCall("sendMessage", params, message, time.monotonic()))
            raise NetworkFault("read_timeout", delivered=True)
        return message

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self._messages[key]

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._stored(params)
        text = check_text(params)
        markup = params.get("reply_markup")
        if text == message["text"] and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        message["text"] = text
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    def _edit_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._stored(params)
        check_markup(params.get("reply_markup"))
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message
