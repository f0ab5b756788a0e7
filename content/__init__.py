"""The knowledge: YAML data, its schema and loader, the matcher. Pure: no Telegram, no SQL.

`Matcher` is imported on first use: its modules load numpy and the encoder, which a
running bot loads in the thread that builds the matcher (bot/app.py), not before
it polls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from content.loader import BUNDLED_CONTENT_DIR, load_knowledge_base, read_content
from content.match_result import Candidate, MatchResult, MatchStatus
from content.model import (
    Entry,
    KnowledgeBase,
    MatcherSettings,
    QuizItem,
    SmalltalkIntent,
    Tip,
    Topic,
)
from content.problems import ContentError, Problem

if TYPE_CHECKING:
    from content.matcher import Matcher

__all__ = [
    "BUNDLED_CONTENT_DIR",
    "Candidate",
    "ContentError",
    "Entry",
    "KnowledgeBase",
    "MatchResult",
    "MatchStatus",
    "Matcher",
    "MatcherSettings",
    "Problem",
    "QuizItem",
    "SmalltalkIntent",
    "Tip",
    "Topic",
    "load_knowledge_base",
    "read_content",
]


def __getattr__(name: str) -> Any:
    if name == "Matcher":
        from content.matcher import Matcher

        return Matcher
    raise AttributeError(f"module 'content' has no attribute {name!r}")
