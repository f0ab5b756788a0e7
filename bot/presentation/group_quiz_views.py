"""How group quizzes and leaderboards look: the question everyone answers, its
reveal, the private alerts a tap gets, and the leaderboard."""

from __future__ import annotations

from bot.presentation import callbacks
from bot.presentation.quiz_views import LETTERS
from bot.presentation.views import Button, View
from bot.services.group_quiz_types import (
    Board,
    GroupAnswerOutcome,
    GroupAnswerStatus,
    GroupQuestion,
    Leaderboard,
    Place,
    Reveal,
)
from bot.services.group_quizzes import RIGHT_POINTS, SPEED_BONUS, SPEED_SECONDS
from content.telegram_html import escape

ALERT_LIMIT = 200  # Telegram's limit for a callback alert
ALREADY_ANSWERED = "You already answered this one: it counted once."
CLOSED = "This question is closed: the answer is shown above."
NOT_STARTER = "Only the member who started this round can reveal early."
REVEALING = "Revealing…"
ALREADY_RUNNING = (
    "A group quiz is already running here 🙂 Answer its question, or wait for the round to end."
)
HIDDEN_NAME = "a member"
NAMES = ("🥇", "🥈", "🥉")


def _header(q: GroupQuestion) -> str:
    return (
        f"👥 <b>Group quiz · Question {q.position + 1}/{q.total}</b> · "
        f"{escape(q.topic_title)}\n\n{q.item.question}"
    )


def question(q: GroupQuestion, answered: int = 0) -> View:
    """The question as the group sees it while it is open."""
    rows: list[tuple[Button, ...]] = [
        (Button(f"{LETTERS[i]}. {option}", callbacks.GroupQuizAnswer(q.round_id, q.position, i)),)
        for i, option in enumerate(q.item.options)
    ]
    rows.append((Button("👁 Reveal", callbacks.GroupQuizReveal(q.round_id, q.position)),))
    footer = f"⏱ {q.seconds} s to answer, once each · 👥 {answered} answered"
    return View(f"{_header(q)}\n\n<i>{footer}</i>", tuple(rows))


def revealed(reveal: Reveal) -> View:
    """The question edited once, when it closes: the right option and the tally."""
    q = reveal.question
    item = q.item
    lines = []
    for i, option in enumerate(item.options):
        mark = "✅" if i == item.correct else "▫️"
        lines.append(f"{mark} {LETTERS[i]}. {escape(option)} · <b>{reveal.counts[i]}</b>")
    if reveal.first_right is not None:
        first = f"⚡ First right: <b>{escape(reveal.first_right)}</b>"
    else:
        first = "Nobody got it this time."
    summary = f"👥 {reveal.answered} answered, {reveal.right} right. {first}"
    text = (
        f"{_header(q)}\n\n"
        + "\n".join(lines)
        + f"\n\n{summary}\n\n<i>{escape(item.explanation)}</i>"
    )
    if reveal.next is None:
        text += "\n\n🏁 That was the last question. /leaderboard shows the points."
    return View(text)


def _fit(text: str) -> str:
    return text if len(text) <= ALERT_LIMIT else text[: ALERT_LIMIT - 1] + "…"


def answer_alert(outcome: GroupAnswerOutcome) -> str:
    """The private alert for a tap: right or wrong, and the one-line why."""
    if outcome.status is GroupAnswerStatus.ALREADY_ANSWERED:
        return ALREADY_ANSWERED
    if outcome.status is GroupAnswerStatus.CLOSED or outcome.question is None:
        return CLOSED
    item = outcome.question.item
    why = item.explanation.strip().splitlines()[0] if item.explanation.strip() else ""
    if outcome.correct:
        verdict = f"✅ Right! +{outcome.points} points."
    else:
        verdict = f"❌ Not quite: it's {LETTERS[item.correct]}."
    return _fit(f"{verdict} {why}".strip())


def nothing_to_ask(topic_title: str | None) -> View:
    where = f" about {escape(topic_title)}" if topic_title else ""
    return View(f"I have no quiz questions{where} yet. Try /quiz without a topic.")


def _line(place: Place) -> str:
    medal = NAMES[place.rank - 1] if place.rank <= len(NAMES) else f"{place.rank}."
    name = escape(place.name) if place.name is not None else f"<i>{HIDDEN_NAME}</i>"
    if place.is_caller:
        name = f"<b>{name}</b> (you)"
    return f"{medal} {name} · {place.points} pts ({place.right} right)"


def _board(title: str, board: Board) -> str:
    if not board.top:
        return f"<b>{title}</b>\nNo points yet: start a round with /quiz."
    lines = [f"<b>{title}</b>", *(_line(p) for p in board.top)]
    if board.own is not None:
        lines += ["…", _line(board.own)]
    return "\n".join(lines)


def leaderboard(board: Leaderboard) -> View:
    return View(
        "🏆 <b>Leaderboard</b>\n\n"
        + _board("This week", board.week)
        + "\n\n"
        + _board("All time", board.all_time)
        + f"\n\n<i>A right answer is worth {RIGHT_POINTS} points, "
        f"{RIGHT_POINTS + SPEED_BONUS} in its first {SPEED_SECONDS} seconds.</i>"
    )


def private_settings(hidden: bool) -> View:
    """/leaderboard in a private chat: what it is, and the hide-my-name choice."""
    state = (
        "Your name is <b>hidden</b>: leaderboards show you as <i>a member</i>."
        if hidden
        else "Your name is <b>shown</b> on the leaderboards of groups you play in."
    )
    change = "/leaderboard show" if hidden else "/leaderboard hide"
    return View(
        "🏆 Leaderboards are for groups: send /leaderboard in a group where I run "
        "/quiz rounds to see this week's and all-time points.\n\n"
        f"{state}\nChange it with {change}."
    )
