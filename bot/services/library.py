"""The live knowledge base and its matcher, swapped as one when content is reloaded."""

from __future__ import annotations

from dataclasses import dataclass

from content import KnowledgeBase, Matcher


@dataclass(frozen=True)
class Library:
    kb: KnowledgeBase
    matcher: Matcher

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Library:
        return cls(kb, Matcher(kb))


class LiveLibrary:
    """Holds the library in use; callers ask for it per update, so a reload swaps
    content for every later update at once."""

    def __init__(self, library: Library) -> None:
        self._current = library

    def __call__(self) -> Library:
        return self._current

    def replace(self, library: Library) -> None:
        self._current = library
