"""/start: the welcome, or what a deep link (`t.me/<bot>?start=<payload>`) asks for.

`e_<entry>` opens the entry, `quiz_<topic>` starts a quiz on the topic, and a private
command's name (`tips`, `forget`, ... the links groups send with "ask me in private")
runs that command as if typed without arguments. Anything else gets the welcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.observability import Observer
from bot.presentation import deep_links, views
from bot.services.learners import LearnerService
from bot.services.library import LiveLibrary
from bot.telegram.ops_handlers import OpsHandlers
from bot.telegram.path_handlers import PathHandlers
from bot.telegram.quiz_handlers import QuizHandlers
from bot.telegram.send import Context, learner_of, send_view
from bot.telegram.tip_handlers import TipHandlers

Command = Callable[[Update, Context], Awaitable[Any]]


class StartHandlers:
    def __init__(
        self,
        library: LiveLibrary,
        learners: LearnerService,
        quiz: QuizHandlers,
        tips: TipHandlers,
        ops: OpsHandlers,
        path: PathHandlers,
        observer: Observer,
    ) -> None:
        self.library = library
        self.learners = learners
        self.quiz = quiz
        self.observer = observer
        # deep_links.COMMANDS names exactly these (tests/unit/test_deep_links.py).
        self.commands: dict[str, Command] = {
            "tips": tips.tips_command,
            "tiptime": tips.tiptime,
            "timezone": tips.timezone,
            "digest": tips.digest,
            "progress": quiz.progress,
            "reset": quiz.reset,
            "mydata": ops.mydata,
            "forget": ops.forget,
            "path": path.path,
            "next": path.next,
        }

    async def start(self, update: Update, context: Context) -> None:
        learner = learner_of(update)
        profile = await self.learners.greet(learner)
        args = context.args or []
        link = deep_links.decode(args[0]) if len(args) == 1 else None
        kb = self.library.kb
        match link:
            case deep_links.OpenEntry(short_id) if entry := kb.entry_by_short_id(short_id):
                self.observer.event("deep_link.entry", learner.user_id, entry=entry.id)
                view = views.entry(kb, entry, share=learner.private)
                await send_view(context, learner.chat_id, view)
                return
            case deep_links.QuizOn(topic_id) if kb.topic(topic_id) is not None:
                self.observer.event("deep_link.quiz", learner.user_id, topic=topic_id)
                context.args = [topic_id]  # /quiz <topic id>: the topic itself
                await self.quiz.quiz(update, context)
                return
            case deep_links.RunCommand(name) if name in self.commands:
                self.observer.event("deep_link.command", learner.user_id, command=name)
                context.args = []  # the payload is spent: the command runs bare
                await self.commands[name](update, context)
                return
        user = update.effective_user
        view = views.welcome(user.first_name if user else None, profile.tips_enabled)
        await send_view(context, learner.chat_id, view)
