"""The live knowledge base and its matcher, swapped as one when content is reloaded.

A running bot reads and checks its content before it starts, then builds the matcher
(which reads the vector cache, or encodes the whole knowledge base on a first start)
while it already takes updates: commands, quizzes and buttons need only the content,
and a question waits for the matcher (`LiveLibrary.ready`)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from content import KnowledgeBase
from content.normalize import Normalizer

if TYPE_CHECKING:  # loaded by `Library.of`, in the thread that builds the matcher
    from content.matcher import Matcher


@dataclass(frozen=True)
class Library:
    kb: KnowledgeBase
    matcher: Matcher

    @classmethod
    def of(cls, kb: KnowledgeBase, stop: threading.Event | None = None) -> Library:
        """`stop`: see Matcher."""
        from content.matcher import Matcher

        return cls(kb, Matcher(kb, stop=stop))


class MatcherNotReady(RuntimeError):
    """The library was asked for before its first matcher was built."""


class LiveLibrary:
    """Holds the library in use; callers ask for it per update, so a reload swaps
    content for every later update at once.

    `LiveLibrary(library)` is ready at once. `LiveLibrary.indexing(kb)` holds the
    content only: `kb` and `normalizer` answer at once, `await ready()` waits for
    the first `replace` (or raises what `fail` was given), and calling it before
    then raises MatcherNotReady."""

    def __init__(self, library: Library | None, kb: KnowledgeBase | None = None) -> None:
        """Use `LiveLibrary(library)` or `LiveLibrary.indexing(kb)`."""
        content = library.kb if library is not None else kb
        if content is None:
            raise ValueError("a live library needs a library or its content")
        self._current = library
        self._kb: KnowledgeBase = content
        # What the matcher will fold words with, for the few callers that need only
        # that (topic names, the inbox's clusters) while it is built: from the content.
        self._normalizer = Normalizer(content.synonyms) if library is None else None
        self._first: asyncio.Future[None] | None = None
        self._error: BaseException | None = None

    @classmethod
    def indexing(cls, kb: KnowledgeBase) -> LiveLibrary:
        return cls(None, kb)

    def __call__(self) -> Library:
        if self._current is None:
            raise MatcherNotReady("the matcher is still being built: await ready() first")
        return self._current

    @property
    def kb(self) -> KnowledgeBase:
        """The content in use (also while the first matcher is built)."""
        return self._kb

    @property
    def normalizer(self) -> Normalizer:
        """How the matcher folds words (also while the first matcher is built)."""
        if self._current is not None:
            return self._current.matcher.normalizer
        assert self._normalizer is not None  # set by indexing()
        return self._normalizer

    @property
    def is_ready(self) -> bool:
        return self._current is not None

    async def ready(self) -> Library:
        """The library, once its matcher is built."""
        if self._current is not None:
            return self._current
        if self._error is not None:
            raise self._error
        if self._first is None:
            self._first = asyncio.get_running_loop().create_future()
        # Checked again: a replace() in another thread may have run in between, before
        # there was a future to settle.
        if self._current is None and self._error is None:
            await asyncio.shield(self._first)
        if self._error is not None and self._current is None:
            raise self._error
        return self()

    def replace(self, library: Library) -> None:
        """Make `library` the one in use. /reload calls this from a worker thread: a
        reference swap, so every update sees either the old library or the new one."""
        self._kb = library.kb
        self._current = library
        first = self._first
        if first is not None and not first.done():
            first.get_loop().call_soon_threadsafe(_settle, first, None)

    def fail(self, error: BaseException) -> None:
        """The first matcher could not be built: every waiter gets `error` (the first
        one given: a stop that follows the failure does not hide it)."""
        if self._error is not None:
            return
        self._error = error
        first = self._first
        if first is not None and not first.done():
            first.get_loop().call_soon_threadsafe(_settle, first, error)


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
