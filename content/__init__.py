"""The knowledge: YAML data, its schema and loader, the matcher. Pure: no Telegram, no SQL."""

from content.loader import BUNDLED_CONTENT_DIR, load_knowledge_base, read_content
from content.matcher import Candidate, Matcher, MatchResult, MatchStatus
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
