"""Groups in the fake Bot API: who is what in which chat (getChatMember), the
updates Telegram sends about groups (my_chat_member, the two service messages of an
upgrade to a supergroup, messages in forum topics, anonymous admins), and the 400
with `migrate_to_chat_id` Telegram answers for a group that became a supergroup."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from bot.fake_telegram.checks import ApiError

ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
_ADMIN_RIGHTS = [
    "can_be_edited",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
]
_SEND_RIGHTS = [
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
]


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


def member(user: dict[str, Any], status: str, *, can_send_messages: bool = False) -> dict[str, Any]:
    """A ChatMember object as Telegram sends it, with every field PTB requires."""
    found: dict[str, Any] = {"user": user, "status": status}
    if status == "creator":
        found["is_anonymous"] = False
    elif status == "administrator":
        found.update({"is_anonymous": False, **{right: True for right in _ADMIN_RIGHTS}})
        found["can_be_edited"] = False
    elif status == "restricted":
        found.update({right: can_send_messages for right in _SEND_RIGHTS})
        found.update(
            is_member=True,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            can_edit_tag=False,
            can_react_to_messages=True,
            until_date=0,
        )
    elif status == "kicked":
        found["until_date"] = 0
    return found


class GroupMode:
    def __init__(
        self, update_ids: Iterator[int], message_ids: Iterator[int], bot_user: dict[str, Any]
    ) -> None:
        self._update_ids = update_ids
        self._message_ids = message_ids
        self._bot = bot_user
        self.statuses: dict[tuple[int, int], str] = {}  # (chat, user) -> status; else "member"
        self.migrated: dict[int, int] = {}  # a group -> the supergroup it became
        self.deleted_topics: set[tuple[int, int]] = set()  # (chat, thread) no longer there

    # -- the API --------------------------------------------------------------------

    def get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        self.admit(chat_id)
        return member(_user(user_id), self.statuses.get((chat_id, user_id), "member"))

    def admit(self, chat_id: int) -> None:
        """A group that became a supergroup refuses everything, naming its new id."""
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )

    def admit_topic(self, chat_id: int, thread_id: object) -> None:
        """A message to a forum topic that was deleted is refused."""
        if thread_id is not None and (chat_id, int(str(thread_id))) in self.deleted_topics:
            raise ApiError(400, "Bad Request: message thread not found")

    # -- updates, built as Telegram sends them ---------------------------------------

    def _message(
        self, chat: dict[str, Any], sender: dict[str, Any], **fields: Any
    ) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": sender,
            **fields,
        }

    def message_update(
        self,
        chat: dict[str, Any],
        text: str,
        *,
        user_id: int | None = None,
        thread_id: int | None = None,
        anonymous: bool = False,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """A text message in a group: from `user_id` (named `first_name` if given), or
        from an anonymous admin (posting as the group); in forum topic `thread_id` if given."""
        sender = ANONYMOUS_ADMIN if anonymous else {**_user(user_id or 1), "language_code": "en"}
        if first_name is not None and not anonymous:
            sender["first_name"] = first_name
        fields: dict[str, Any] = {"text": text}
        if anonymous:
            fields["sender_chat"] = chat
        if text.startswith("/") or text.startswith("@"):
            kind = "bot_command" if text.startswith("/") else "mention"
            fields["entities"] = [{"type": kind, "offset": 0, "length": len(text.split()[0])}]
        if thread_id is not None:
            fields.update(message_thread_id=thread_id, is_topic_message=True)
        message = self._message(chat, sender, **fields)
        return {"update_id": next(self._update_ids), "message": message}

    def my_chat_member_update(
        self,
        chat: dict[str, Any],
        old: str,
        new: str,
        *,
        by: int = 1,
        can_send_messages: bool = False,
    ) -> dict[str, Any]:
        """The bot's own membership changed (added, removed, promoted, restricted)."""
        change = {
            "chat": chat,
            "from": _user(by),
            "date": int(time.time()),
            "old_chat_member": member(self._bot, old),
            "new_chat_member": member(self._bot, new, can_send_messages=can_send_messages),
        }
        return {"update_id": next(self._update_ids), "my_chat_member": change}

    def migration_updates(
        self, group: dict[str, Any], supergroup: dict[str, Any], *, by: int = 1
    ) -> list[dict[str, Any]]:
        """The upgrade: from now on the group answers 400 with the new id, and both
        chats get their service message (the old one first)."""
        self.migrated[group["id"]] = supergroup["id"]
        old = self._message(group, _user(by), migrate_to_chat_id=supergroup["id"])
        new = self._message(supergroup, _user(by), migrate_from_chat_id=group["id"])
        return [
            {"update_id": next(self._update_ids), "message": old},
            {"update_id": next(self._update_ids), "message": new},
        ]
