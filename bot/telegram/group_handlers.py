"""/grouptip, the "Quiz the group" button, and the group's membership service updates:
the bot added, removed or demoted (my_chat_member), and a group upgraded to a
supergroup (migrate_to_chat_id / migrate_from_chat_id). All of these reach a bot in
privacy mode: commands, buttons and service messages are always delivered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import ChatMemberRestricted, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.presentation import callbacks, group_views
from bot.services import schedule
from bot.services.chat_moves import ChatMover
from bot.services.groups import GroupService
from bot.telegram.send import Context, send_view, thread_for

# (update, context, topic): "Quiz the group" under a tip starts a round on the tip's topic.
StartGroupQuiz = Callable[[Update, Context, str | None], Awaitable[None]]
ADMINS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


async def suggest_quiz(update: Update, context: Context, topic: str | None = None) -> None:
    """The default "Quiz the group": tell members how to start their own round."""
    chat = update.effective_chat
    assert chat is not None  # a button on a message the bot sent to a chat
    await context.bot.send_message(
        chat.id, group_views.SEND_QUIZ, message_thread_id=thread_for(chat.id)
    )


async def is_group_admin(update: Update, context: Context) -> bool:
    """An administrator of the chat, or an anonymous one posting as the group itself."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    assert chat is not None and message is not None
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMINS


def parse_setting(words: list[str]) -> tuple[int, str | None] | None:
    """("08:00", "Africa/Lagos") -> (480, "Africa/Lagos"); the zone may be left out."""
    if not words:
        return None
    minute = schedule.parse_time(words[0])
    zone = schedule.parse_timezone(" ".join(words[1:])) if words[1:] else None
    if minute is None or (words[1:] and zone is None):
        return None
    return minute, zone


def can_write(status: ChatMemberStatus | str, member: object) -> bool:
    """Whether the bot, with this membership, may post in the group."""
    if status in GONE:
        return False
    if isinstance(member, ChatMemberRestricted):
        return member.is_member and member.can_send_messages
    return True


class GroupHandlers:
    def __init__(
        self,
        groups: GroupService,
        moves: ChatMover,
        start_group_quiz: StartGroupQuiz = suggest_quiz,
        topic_of_entry: Callable[[str], str | None] = lambda short_id: None,
    ) -> None:
        self.groups = groups
        self.moves = moves  # every feature's ChatMover (bot/services/chat_moves.py)
        self.start_group_quiz = start_group_quiz
        self.topic_of_entry = topic_of_entry  # a tip entry's short id -> its topic

    async def grouptip(self, update: Update, context: Context) -> None:
        """/grouptip shows the group's tip; /grouptip 08:00 [zone] and off change it."""
        chat = update.effective_chat
        assert chat is not None
        if chat.type == ChatType.PRIVATE:
            await send_view(context, chat.id, group_views.PRIVATE_CHAT)
            return
        words = list(context.args or [])
        if not words:
            settings = await self.groups.settings(chat.id)
            await send_view(context, chat.id, group_views.settings_view(settings))
            return
        if not await is_group_admin(update, context):
            await send_view(context, chat.id, group_views.NOT_ADMIN)
            return
        if words[0].lower() in ("off", "stop", "no", "0"):
            settings = await self.groups.turn_off(chat.id)
            await send_view(context, chat.id, group_views.settings_view(settings, "Group tip off."))
            return
        parsed = parse_setting(words)
        if parsed is None:
            await send_view(context, chat.id, group_views.invalid(" ".join(words)))
            return
        minute, zone = parsed
        settings = await self.groups.turn_on(
            chat.id, chat.title or "", minute, zone, thread_for(chat.id)
        )
        view = group_views.settings_view(settings, f"Group tip set to <b>{settings.time_text}</b>.")
        await send_view(context, chat.id, view)

    async def quiz_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        match callbacks.decode(query.data):
            case callbacks.GroupQuiz(short_id) if short_id:
                topic = self.topic_of_entry(short_id)
            case _:
                topic = None
        await self.start_group_quiz(update, context, topic)

    async def member(self, update: Update, context: Context) -> None:
        """my_chat_member: the bot was added, removed, promoted or restricted."""
        change = update.my_chat_member
        if change is None or change.chat.type == ChatType.PRIVATE:
            return  # a learner blocking the bot shows as a 403 on the next send
        old, new = change.old_chat_member, change.new_chat_member
        if not can_write(new.status, new):
            await self.groups.left(change.chat.id)
            return
        await self.groups.joined(change.chat.id, change.chat.title or "")
        if old.status in GONE:  # just added: say what the bot does here
            await send_view(context, change.chat.id, group_views.ADDED)

    async def migrated(self, update: Update, context: Context) -> None:
        """The service messages of an upgrade to a supergroup (either may come first)."""
        message = update.effective_message
        assert message is not None
        if message.migrate_to_chat_id is not None:
            await self.moves.move_chat(message.chat.id, message.migrate_to_chat_id)
        elif message.migrate_from_chat_id is not None:
            await self.moves.move_chat(message.migrate_from_chat_id, message.chat.id)
