"""Checks that span items: ids, links, Telegram limits and HTML. Pure functions."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from content import telegram_html
from content.model import KnowledgeBase
from content.problems import Problem

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOKEN_PATTERN = re.compile(r"^[a-z0-9]+$")
# Telegram's quiz-poll limits, so every quiz item could also be sent as a poll.
QUIZ_QUESTION_LIMIT = 300
QUIZ_OPTION_LIMIT = 100
QUIZ_EXPLANATION_LIMIT = 200
TIP_LIMIT = 600
# Keywords are one problem's vocabulary; a list longer than this is several entries' words
# run together (as when a merge of two branches moved lists), and matches everything.
KEYWORD_LIMIT = 40
# A title heads every answer, button and inline card; past this it is a paragraph.
TITLE_LIMIT = 250


class _Report:
    def __init__(self, origins: dict[str, str]) -> None:
        self.origins = origins
        self.problems: list[Problem] = []

    def add(self, kind: str, item: str, field: str, message: str) -> None:
        origin = self.origins.get(f"{kind}:{item}", f"{kind}.yaml" if kind == "topics" else kind)
        self.problems.append(Problem(origin, item, field, message))

    def warn(self, kind: str, item: str, field: str, message: str) -> None:
        origin = self.origins.get(f"{kind}:{item}", kind)
        self.problems.append(Problem(origin, item, field, message, warning=True))

    def html(self, kind: str, item: str, field: str, text: str) -> None:
        for message in telegram_html.validate(text):
            self.add(kind, item, field, f"invalid Telegram HTML: {message}")


def _duplicates(ids: Iterable[str]) -> list[str]:
    return [item for item, count in Counter(ids).items() if count > 1]


def validate(kb: KnowledgeBase, origins: dict[str, str] | None = None) -> list[Problem]:
    report = _Report(origins or {})
    _check_topics(kb, report)
    _check_entries(kb, report)
    _check_quizzes(kb, report)
    _check_tips(kb, report)
    _check_synonyms(kb, report)
    for intent in kb.smalltalk:
        if not intent.phrases or any(not p for p in intent.phrases):
            report.add("smalltalk", intent.id, "phrases", "empty phrase")
        report.html("smalltalk", intent.id, "reply", intent.reply)
    return report.problems


def _check_topics(kb: KnowledgeBase, report: _Report) -> None:
    for duplicate in _duplicates(t.id for t in kb.topics):
        report.add("topics", duplicate, "id", "duplicate topic id")
    for topic in kb.topics:
        if not ID_PATTERN.match(topic.id):
            report.add("topics", topic.id, "id", "use lowercase letters, digits and '-'")


def _check_entries(kb: KnowledgeBase, report: _Report) -> None:
    for duplicate in _duplicates(e.id for e in kb.entries):
        report.add("entries", duplicate, "id", "duplicate entry id")
    for duplicate in _duplicates(e.short_id for e in kb.entries):
        report.add("entries", duplicate, "id", "short id collides with another entry; rename it")
    topic_ids = {t.id for t in kb.topics}
    entry_ids = {e.id for e in kb.entries}
    for entry in kb.entries:
        if not ID_PATTERN.match(entry.id):
            report.add("entries", entry.id, "id", "use lowercase letters, digits and '-'")
        if entry.topic and entry.topic not in topic_ids:
            report.add("entries", entry.id, "topic", f"unknown topic '{entry.topic}'")
        if not entry.title:
            report.add("entries", entry.id, "title", "empty")
        elif len(entry.title) > TITLE_LIMIT:
            report.add(
                "entries",
                entry.id,
                "title",
                f"{len(entry.title)} characters, over {TITLE_LIMIT}: say the rest in the answer",
            )
        if not entry.questions:
            report.add("entries", entry.id, "questions", "needs at least one phrasing")
        if not entry.keywords:
            # A warning, not an error: an operator's own content without keywords still
            # loads; the shipped content is held to no warnings by its tests.
            report.warn("entries", entry.id, "keywords", "no keywords: the word index misses it")
        elif len(entry.keywords) > KEYWORD_LIMIT:
            report.add(
                "entries",
                entry.id,
                "keywords",
                f"{len(entry.keywords)} keywords, over {KEYWORD_LIMIT}: keep this problem's words",
            )
        for index, phrasing in enumerate(entry.questions):
            if not phrasing:
                report.add("entries", entry.id, f"questions[{index}]", "empty phrasing")
        if not entry.answer:
            report.add("entries", entry.id, "answer", "empty")
        elif len(entry.answer) > telegram_html.MESSAGE_LIMIT:
            report.add(
                "entries",
                entry.id,
                "answer",
                f"{len(entry.answer)} characters, over Telegram's {telegram_html.MESSAGE_LIMIT}",
            )
        report.html("entries", entry.id, "answer", entry.answer)
        if not entry.related:
            report.warn("entries", entry.id, "related", "links to no other entry (a dead end)")
        for related in entry.related:
            if related not in entry_ids:
                report.add("entries", entry.id, "related", f"unknown entry '{related}'")
            elif related == entry.id:
                report.add("entries", entry.id, "related", "an entry cannot relate to itself")
        for former in entry.replaces:
            if former in entry_ids:
                report.add("entries", entry.id, "replaces", f"'{former}' is still an entry")
    for duplicate in _duplicates(former for e in kb.entries for former in e.replaces):
        report.add("entries", duplicate, "replaces", "two entries claim to replace this id")


def _check_quizzes(kb: KnowledgeBase, report: _Report) -> None:
    for duplicate in _duplicates(q.id for q in kb.quizzes):
        report.add("quizzes", duplicate, "id", "duplicate quiz id")
    entry_ids = {e.id for e in kb.entries}
    for quiz in kb.quizzes:
        add = functools.partial(report.add, "quizzes", quiz.id)
        if quiz.entry not in entry_ids:
            add("entry", f"unknown entry '{quiz.entry}'")
        if quiz.difficulty not in (1, 2, 3):
            add("difficulty", "must be 1, 2 or 3")
        if not 3 <= len(quiz.options) <= 4:
            add("options", f"needs 3 or 4 options, has {len(quiz.options)}")
        if len(set(quiz.options)) != len(quiz.options):
            add("options", "two options are the same")
        if not 0 <= quiz.correct < len(quiz.options):
            add("correct", "must be the index of exactly one option (0-based)")
        for index, option in enumerate(quiz.options):
            if not option or len(option) > QUIZ_OPTION_LIMIT:
                add(f"options[{index}]", f"must be 1-{QUIZ_OPTION_LIMIT} characters")
            if telegram_html.has_markup(option):  # a button label, shown as typed
                add(f"options[{index}]", "plain text: write < > & as they are, no tags")
        if telegram_html.visible_length(quiz.question) > QUIZ_QUESTION_LIMIT:
            add("question", f"over {QUIZ_QUESTION_LIMIT} characters")
        if not quiz.explanation or len(quiz.explanation) > QUIZ_EXPLANATION_LIMIT:
            add("explanation", f"must be 1-{QUIZ_EXPLANATION_LIMIT} characters")
        if telegram_html.has_markup(quiz.explanation):
            add("explanation", "plain text: write < > & as they are, no tags")
        report.html("quizzes", quiz.id, "question", quiz.question)


def _check_tips(kb: KnowledgeBase, report: _Report) -> None:
    for duplicate in _duplicates(t.id for t in kb.tips):
        report.add("tips", duplicate, "id", "duplicate tip id")
    entry_ids = {e.id for e in kb.entries}
    for tip in kb.tips:
        if tip.entry not in entry_ids:
            report.add("tips", tip.id, "entry", f"unknown entry '{tip.entry}'")
        if not tip.text or telegram_html.visible_length(tip.text) > TIP_LIMIT:
            report.add("tips", tip.id, "text", f"must be 1-{TIP_LIMIT} characters")
        report.html("tips", tip.id, "text", tip.text)


def _check_synonyms(kb: KnowledgeBase, report: _Report) -> None:
    for canonical, variants in kb.synonyms.items():
        if not TOKEN_PATTERN.match(canonical):
            report.add("synonyms", canonical, "id", "the canonical form must be one token [a-z0-9]")
        if not variants or any(not v for v in variants):
            report.add("synonyms", canonical, "variants", "needs non-empty variants")
