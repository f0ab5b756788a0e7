"""How quizzes look: questions with option buttons, results, summaries, progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.presentation import callbacks
from bot.presentation.views import Button, View, confirm, label
from bot.services.quiz_types import (
    AnswerOutcome,
    ProgressReport,
    QuizQuestion,
    RoundSummary,
)
from content import KnowledgeBase
from content.telegram_html import escape, visible_length

CAPTION_LIMIT = 1024  # Telegram's, in characters after entity parsing
LETTERS = "ABCD"
BAR_WIDTH = 10
ROUND_ENDED = "This quiz has ended. Send /quiz for a new one."
ALREADY_ANSWERED = "Already answered: it counted once."


def bar(fraction: float) -> str:
    """A text bar, e.g. ███▒░░░░░░ 35%: full, half and empty cells."""
    cells = fraction * BAR_WIDTH
    full = int(cells)
    half = 1 if cells - full >= 0.5 and full < BAR_WIDTH else 0
    return "█" * full + "▒" * half + "░" * (BAR_WIDTH - full - half) + f" {round(fraction * 100)}%"


def _header(question: QuizQuestion) -> str:
    return (
        f"<b>Question {question.position + 1}/{question.total}</b> · "
        f"{escape(question.topic_title)}\n\n{question.item.question}"
    )


def question(q: QuizQuestion) -> View:
    rows = tuple(
        (
            Button(
                f"{LETTERS[i]}. {option}",
                callbacks.QuizAnswer(q.round_id, q.position, i),
            ),
        )
        for i, option in enumerate(q.item.options)
    )
    return View(_header(q), rows)


def answered(outcome: AnswerOutcome) -> View:
    """The question message, edited to show the choice, the verdict and the why."""
    q = outcome.question
    assert q is not None
    item = q.item
    chosen = f"{LETTERS[outcome.choice]}. {escape(item.options[outcome.choice])}"
    right = f"{LETTERS[item.correct]}. {escape(item.options[item.correct])}"
    verdict = (
        f"✅ <b>Correct!</b> {chosen}"
        if outcome.correct
        else f"❌ <b>Not quite.</b> You chose {chosen}\nCorrect: <b>{right}</b>"
    )
    text = f"{_header(q)}\n\n{verdict}\n\n<i>{escape(item.explanation)}</i>"
    rows: list[tuple[Button, ...]] = []
    if outcome.entry is not None:
        read_more = Button(
            f"📖 Read more: {label(outcome.entry.title)}",
            callbacks.ShowEntry(outcome.entry.short_id),
        )
        rows.append((read_more,))
    if outcome.summary is None:
        rows.append((Button("Next ▶", callbacks.QuizNext(q.round_id, q.position + 1)),))
    return View(text, tuple(rows))


def summary(result: RoundSummary, now: datetime) -> View:
    lines = [f"🏁 <b>Round done: {result.score}/{result.total}</b>"]
    if result.improved:
        lines.append("\n<b>Improved</b>")
        lines += [
            f"{escape(c.title)}: {round(c.before * 100)}% → {round(c.after * 100)}%"
            for c in result.improved
        ]
    lines.append("")
    if result.due_today:
        lines.append(f"🔁 {result.due_today} review(s) due today: /quiz to do them.")
    elif result.next_due is not None:
        days = max(1, round((result.next_due - now).total_seconds() / 86400))
        lines.append(f"Next review due in {days} day(s). New questions are waiting: /quiz")
    lines.append("/progress shows your mastery per topic.")
    return View("\n".join(lines), ((Button("🎯 Another round", callbacks.QuizTopic("")),),))


def nothing_to_ask(topic_title: str | None) -> View:
    where = f" in {escape(topic_title)}" if topic_title else ""
    return View(f"No quiz questions{where} right now. Try /quiz for all topics, or /topics.")


def topic_picker(kb: KnowledgeBase, unknown: str | None = None) -> View:
    with_quizzes = set(kb.quiz_topics.values())
    buttons = [
        Button(t.title, callbacks.QuizTopic(t.id)) for t in kb.topics if t.id in with_quizzes
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.insert(0, (Button("🎲 All topics", callbacks.QuizTopic("")),))
    intro = f"I don't know a topic called <i>{escape(unknown)}</i>. " if unknown else ""
    return View(f"{intro}Pick a topic for your quiz:", tuple(rows))


def progress(report: ProgressReport) -> View:
    if report.answers == 0:
        return View(
            "No quiz answers yet. Start with /quiz: five questions, two minutes.",
            ((Button("🎯 Start a quiz", callbacks.QuizTopic("")),),),
        )
    accuracy = report.correct / report.answers
    lines = [
        "📈 <b>Your progress</b>",
        f"Accuracy: {round(accuracy * 100)}% ({report.correct}/{report.answers} answers)",
        f"Questions seen: {report.seen} · mastered: {report.mastered}",
        f"Streak: {report.streak} day(s) · best: {report.best_streak}",
        f"Reviews due: {report.due_today} today · {report.due_this_week} this week",
        "",
        "<b>By topic</b>: questions mastered, and the chance you recall one you have seen",
    ]
    lines += [
        f"<code>{bar(t.mastery)}</code> {escape(t.title)}: "
        f"{round(t.mastery * t.questions)}/{t.questions} mastered · "
        f"recall {round(t.recall * 100)}% ({t.seen} seen)"
        for t in report.topics
    ]
    if report.untouched_topics:
        lines.append(f"…and {report.untouched_topics} topic(s) not started yet.")
    lines += ["", "<b>Reviews in the next 7 days</b>", forecast_line(report)]
    return View("\n".join(lines), ((Button("🎯 Quiz me", callbacks.QuizTopic("")),),))


@dataclass(frozen=True)
class PhotoView:
    """A picture's caption and buttons, and the text to send after it, if any."""

    caption: str
    rows: tuple[tuple[Button, ...], ...] = ()
    then: View | None = None


def progress_photo(report: ProgressReport) -> PhotoView:
    """The /progress picture's caption: the whole summary when it fits in a caption;
    else its headline, and the whole summary follows as a message with the button."""
    full = progress(report)
    if visible_length(full.text) <= CAPTION_LIMIT:
        return PhotoView(full.text, full.rows)
    headline = full.text.split("\n\n", 1)[0]
    return PhotoView(f"{headline}\n\nBy topic and the week ahead: below.", then=full)


def forecast_line(report: ProgressReport) -> str:
    """ "Today 3 · Tue 0 · Wed 5 ...": reviews due per local day, today with the overdue."""
    days = [report.today + timedelta(days=i) for i in range(len(report.forecast))]
    names = ["Today"] + [day.strftime("%a") for day in days[1:]]
    return " · ".join(f"{name} {count}" for name, count in zip(names, report.forecast, strict=True))


def reset_confirm(owner: int) -> View:
    """The buttons name `owner`: only the user who asked can answer them."""
    return confirm(
        "Reset your quiz progress? Your answers, the schedule of your questions and your streak will be cleared. "
        "Nothing else is touched.",
        Button("Yes, reset", callbacks.ResetProgress(True, owner)),
        Button("Cancel", callbacks.ResetProgress(False, owner)),
    )


RESET_DONE = View("Done: your quiz progress is cleared. /quiz starts afresh.")
RESET_CANCELLED = View("Cancelled: your progress is unchanged.")
