"""Answering a learner's question: match it, log it for authors, return the result."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.context import Service
from bot.services.learners import Learner, arrive
from content import MatchResult, MatchStatus
from content.match_result import MAX_SUGGESTIONS
from storage.records import AskedQuestion

COMPLAINT = "complaint"  # the small-talk intent of "that's wrong"


@dataclass(frozen=True)
class Answer:
    result: MatchResult
    log_id: int | None


class QuestionService(Service):
    async def ask(self, text: str, learner: Learner) -> Answer:
        # Shortly after a start the matcher may still be building: the question waits.
        matcher = (await self._library.ready()).matcher
        result = matcher.match(text)
        now = self._clock()
        logged = text
        async with self._units() as uow:
            await arrive(uow, learner, now)
            if result.smalltalk is not None and result.smalltalk.id == COMPLAINT:
                # "That's wrong": offer the other plausible entries for the learner's
                # last answered question, and log that question for the authors.
                previous = await uow.questions.last_answered(learner.user_id)
                if previous is not None:
                    question, wrong_entry = previous
                    others = [c for c in matcher.rank(question) if c.entry.id != wrong_entry]
                    if others:
                        result = MatchResult(
                            MatchStatus.AMBIGUOUS, question, tuple(others[:MAX_SUGGESTIONS])
                        )
                        logged = question
            best = result.best
            log_id = await uow.questions.add(
                AskedQuestion(
                    user_id=learner.user_id,
                    text=logged,
                    status=result.status.value,
                    entry_id=best.entry.id
                    if best and result.status != MatchStatus.SMALLTALK
                    else None,
                    score=best.score if best else None,
                    asked_at=now,
                )
            )
            await uow.commit()
        return Answer(result, log_id)

    async def choose_suggestion(self, log_id: int, learner: Learner, entry_id: str) -> None:
        """The learner picked a "did you mean" entry: keep the pair for authors."""
        async with self._units() as uow:
            await uow.questions.record_choice(log_id, learner.user_id, entry_id)
            await uow.commit()
