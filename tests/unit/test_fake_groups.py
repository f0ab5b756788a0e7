"""The fake Bot API's group support answers as Telegram does (what the group
Telegram tests rely on)."""

from __future__ import annotations

from telegram import ChatMember, Message, Update

from bot.fake_telegram import FakeBotApi
from bot.fake_telegram.groups import ANONYMOUS_ADMIN

GROUP = {"id": -500, "type": "group", "title": "cohort"}
SUPERGROUP = {"id": -1001, "type": "supergroup", "title": "cohort", "is_forum": True}


def test_get_chat_member_answers_the_status_the_test_set() -> None:
    api = FakeBotApi()
    api.groups.statuses[(-500, 1)] = "administrator"
    for user, status in ((1, "administrator"), (2, "member")):
        code, body = api.handle("getChatMember", {"chat_id": -500, "user_id": user})
        assert code == 200
        member = ChatMember.de_json(body["result"], None)
        assert member is not None and member.status == status


def test_an_upgraded_group_refuses_with_its_new_id() -> None:
    api = FakeBotApi()
    old, new = api.groups.migration_updates(GROUP, SUPERGROUP)
    assert old["message"]["migrate_to_chat_id"] == SUPERGROUP["id"]
    assert new["message"]["migrate_from_chat_id"] == GROUP["id"]
    code, body = api.handle("sendMessage", {"chat_id": -500, "text": "hi"})
    assert code == 400 and body["parameters"] == {"migrate_to_chat_id": SUPERGROUP["id"]}
    assert api.handle("sendMessage", {"chat_id": SUPERGROUP["id"], "text": "hi"})[0] == 200


def test_topic_messages_and_anonymous_admins_parse_as_telegram_sends_them() -> None:
    api = FakeBotApi()
    update = Update.de_json(
        api.groups.message_update(SUPERGROUP, "/grouptip", thread_id=9, anonymous=True), None
    )
    message = update.effective_message
    assert isinstance(message, Message)
    assert message.is_topic_message and message.message_thread_id == 9
    assert message.sender_chat is not None and message.sender_chat.id == SUPERGROUP["id"]
    assert message.from_user is not None and message.from_user.id == ANONYMOUS_ADMIN["id"]
    _, body = api.handle(
        "sendMessage", {"chat_id": SUPERGROUP["id"], "text": "hi", "message_thread_id": 9}
    )
    assert body["result"]["message_thread_id"] == 9 and body["result"]["is_topic_message"]


def test_my_chat_member_updates_parse() -> None:
    api = FakeBotApi()
    raw = api.groups.my_chat_member_update(GROUP, "member", "restricted")
    change = Update.de_json(raw, None).my_chat_member
    assert change is not None
    assert change.new_chat_member.status == "restricted"
    assert not change.new_chat_member.can_send_messages  # type: ignore[attr-defined]
