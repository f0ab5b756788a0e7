"""Quiz commands and buttons: /quiz, /progress, /reset and the quiz callbacks."""

from __future__ import annotations

from telegram import Update

from bot.observability import Observer
from bot.presentation import callbacks, quiz_views
from bot.presentation.views import STALE_BUTTON
from bot.services.learners import Learner
from bot.services.library import LiveLibrary
from bot.services.quiz_types import AnswerOutcome, AnswerStatus
from bot.services.quizzes import QuizService
from bot.telegram import send
from bot.telegram.progress_photos import ProgressPhotos
from bot.telegram.send import Context, FollowUps

PHOTO_NAME = "progress.png"


class QuizHandlers:
    """A quiz tap is acknowledged as soon as it is stored; the edited question and
    the next one follow in the background (`FollowUps`), behind the flood limiter,
    so a burst of learners tapping at once does not delay anyone's acknowledgement."""

    def __init__(
        self,
        library: LiveLibrary,
        quizzes: QuizService,
        observer: Observer,
        followups: FollowUps | None = None,
        photos: ProgressPhotos | None = None,
    ) -> None:
        self.library = library
        self.quizzes = quizzes
        self.observer = observer
        self.followups = followups or FollowUps()
        self.photos = photos or ProgressPhotos()

    async def quiz(self, update: Update, context: Context) -> None:
        learner = send.learner_of(update)
        wanted = " ".join(context.args or [])
        topic = self.quizzes.find_topic(wanted) if wanted else None
        if wanted and topic is None:
            await send.send_view(
                context, learner.chat_id, quiz_views.topic_picker(self.library.kb, wanted)
            )
            return
        await self._start(update, context, learner, topic=topic)

    async def progress(self, update: Update, context: Context) -> None:
        if await send.ask_in_private(update, context, "progress"):
            return
        learner = send.learner_of(update)
        report = await self.quizzes.progress(learner)
        png = await self.photos.png(learner.user_id, report) if report.answers else None
        if png is None:  # nothing to draw yet, or drawing failed: the text alone
            await send.send_view(context, learner.chat_id, quiz_views.progress(report))
            return
        view = quiz_views.progress_photo(report)
        await send.send_photo(context, learner.chat_id, png, view, PHOTO_NAME)

    async def reset(self, update: Update, context: Context) -> None:
        if await send.ask_in_private(update, context, "reset"):
            return
        learner = send.learner_of(update)
        await send.send_view(context, learner.chat_id, quiz_views.reset_confirm(learner.user_id))

    async def _start(
        self,
        update: Update,
        context: Context,
        learner: Learner,
        *,
        topic: str | None = None,
        entry_id: str | None = None,
    ) -> None:
        first = await self.quizzes.start(learner, topic=topic, entry_id=entry_id)
        if first is None:
            found = self.library.kb.topic(topic) if topic else None
            await send.send_view(
                context, learner.chat_id, quiz_views.nothing_to_ask(found.title if found else None)
            )
            return
        # In the background like a tap's edit: a burst of /quiz must not hold the
        # places the next taps need to be acknowledged.
        view = quiz_views.question(first)
        self.followups.start(context, update, send.send_view(context, learner.chat_id, view))

    async def _answered(self, update: Update, context: Context, outcome: AnswerOutcome) -> None:
        """After the tap's acknowledgement: the question edited to show the answer,
        and at the end of a round its summary."""
        await send.edit_view(update, quiz_views.answered(outcome))
        if outcome.summary is not None:
            now = self.quizzes.now()
            chat_id = send.learner_of(update).chat_id
            await send.send_view(context, chat_id, quiz_views.summary(outcome.summary, now))

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        learner = send.learner_of(update)
        match callbacks.decode(query.data):
            case callbacks.QuizAnswer(round_id, position, choice):
                outcome = await self.quizzes.answer(learner, round_id, position, choice)
                if outcome.status is AnswerStatus.ALREADY_ANSWERED:
                    await query.answer(quiz_views.ALREADY_ANSWERED)
                    return
                if outcome.status is AnswerStatus.ENDED:
                    await query.answer(quiz_views.ROUND_ENDED)
                    return
                self.observer.event(
                    "quiz.answered",
                    learner.user_id,
                    outcome="correct" if outcome.correct else "wrong",
                    entry=outcome.entry.id if outcome.entry else None,
                )
                await query.answer("✅ Correct!" if outcome.correct else "❌ Not quite")
                self.followups.start(context, update, self._answered(update, context, outcome))
            case callbacks.QuizNext(round_id, position):
                result = await self.quizzes.next_question(learner, round_id, position)
                if result is AnswerStatus.ALREADY_ANSWERED:
                    await query.answer()
                elif isinstance(result, AnswerStatus):
                    await query.answer(quiz_views.ROUND_ENDED)
                else:
                    await query.answer()
                    self.followups.start(
                        context,
                        update,
                        send.send_view(context, learner.chat_id, quiz_views.question(result)),
                    )
            case callbacks.QuizTopic(topic_id):
                await query.answer()
                await self._start(update, context, learner, topic=topic_id or None)
            case callbacks.QuizEntry(short_id):
                entry = self.library.kb.entry_by_short_id(short_id)
                if entry is None:
                    await query.answer(STALE_BUTTON)
                    return
                await query.answer()
                await self._start(update, context, learner, entry_id=entry.id)
            case callbacks.ResetProgress(confirmed, owner):
                if await send.refuse_others(update, owner):
                    return
                await query.answer()
                if confirmed:
                    await self.quizzes.reset(learner)
                    self.photos.forget(learner.user_id)
                await send.edit_view(
                    update, quiz_views.RESET_DONE if confirmed else quiz_views.RESET_CANCELLED
                )
            case _:
                await query.answer(STALE_BUTTON)
