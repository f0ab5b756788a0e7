"""/path and /next: the program's path with the learner's progress, and the next
concept's entry. Pure functions of the path service's result."""

from __future__ import annotations

from bot.presentation import callbacks, views
from bot.presentation.views import NEXT_BUTTON, PATH_BUTTON, Button, View
from bot.services.path import LearningPath, PathStep, StepStatus
from content import KnowledgeBase
from content.telegram_html import escape

MARKS = {StepStatus.DONE: "✅", StepStatus.CURRENT: "▶️", StepStatus.AHEAD: "○"}
BAR_CELLS = 5
ALL_DONE = (
    "🏆 You've mastered every concept on the path. /quiz keeps it fresh: "
    "reviews come back as they fall due."
)


def bar(mastered: int, questions: int) -> str:
    """▰▰▱▱▱: the share of a topic's questions mastered, in BAR_CELLS cells."""
    filled = round(BAR_CELLS * mastered / questions) if questions else 0
    if 0 < mastered < questions:
        filled = min(max(filled, 1), BAR_CELLS - 1)  # started shows, unfinished shows
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def _step_line(number: int, step: PathStep) -> str:
    title = escape(step.title)
    if step.status is StepStatus.CURRENT:
        title = f"<b>{title}</b>"
    counts = (
        f" {bar(step.mastered, step.questions)} {step.mastered}/{step.questions}"
        if step.questions
        else ""
    )
    return f"{MARKS[step.status]} {number}. {title}{counts}"


def path(result: LearningPath) -> View:
    lines = ["🧭 <b>Your path through the program</b>", ""]
    lines += [_step_line(n, s) for n, s in enumerate(result.steps, start=1)]
    lines.append("")
    if result.next is None:
        lines.append(ALL_DONE)
        return View("\n".join(lines), ((Button("🎯 Quiz me", callbacks.QuizTopic("")),),))
    concept = result.next
    lines.append(
        f"Next concept: <b>{escape(concept.entry.title)}</b> "
        f"(step {concept.step}, {escape(concept.topic_title)}). /next opens it."
    )
    lines.append("✅ mastered · ▶️ you are here · ○ ahead; the bar counts questions mastered.")
    return View("\n".join(lines), ((Button(NEXT_BUTTON, callbacks.OpenNext()),),))


def next_concept(kb: KnowledgeBase, result: LearningPath, share: bool = False) -> View:
    """The next concept's entry, as when asked, under a line saying where it is on
    the path; its buttons include "🎯 Quiz me" (a concept always has questions)."""
    if result.next is None:
        return View(ALL_DONE, ((Button(PATH_BUTTON, callbacks.OpenPath()),),))
    concept = result.next
    shown = views.entry(kb, concept.entry, share=share)
    header = (
        f"🎯 Next on your path, step {concept.step} of {len(result.steps)}: "
        f"{escape(concept.topic_title)}"
    )
    rows = (*shown.rows, (Button(PATH_BUTTON, callbacks.OpenPath()),))
    return View(f"{header}\n\n{shown.text}", rows)
