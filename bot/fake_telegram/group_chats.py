"""Groups and supergroups in the fake Bot API: members' messages (forum topics too),
and what tests count there (the edits made to one message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.fake_telegram.api import ApiCall
    from bot.fake_telegram.groups import GroupMode


class GroupChats:
    """Mixed into FakeBotApi. A chat registered by `group_message_update` is the chat
    the bot's messages to it carry, as Telegram shows it (id, type, title)."""

    # FakeBotApi, which mixes this in, has these.
    chats: dict[int, dict[str, Any]]
    groups: GroupMode
    sent: Callable[..., list[ApiCall]]

    def group_message_update(
        self,
        user_id: int,
        text: str,
        chat: dict[str, Any],
        *,
        first_name: str = "Ada",
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """Build a member's text message in a group or supergroup (`chat` as Telegram
        sends it: id, type, title); `thread_id` puts it in a forum topic."""
        self.chats[int(chat["id"])] = dict(chat)
        return self.groups.message_update(
            dict(chat), text, user_id=user_id, thread_id=thread_id, first_name=first_name
        )

    def edits_of(self, message: dict[str, Any]) -> list[ApiCall]:
        """The editMessageText calls made on one message the bot sent."""
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        return [
            c
            for c in self.sent("editMessageText")
            if (int(c.params["chat_id"]), int(c.params["message_id"])) == key
        ]
